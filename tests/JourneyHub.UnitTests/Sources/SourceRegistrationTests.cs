using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Signatures;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Sources.Custom;
using JourneyHub.Core.Sources.Delighted;
using JourneyHub.Core.Sources.HubSpot;
using JourneyHub.Core.Sources.Intercom;
using JourneyHub.Core.Sources.Meta;
using JourneyHub.Core.Sources.Salesforce;
using JourneyHub.Core.Sources.Shopify;
using JourneyHub.Core.Sources.SurveyMonkey;
using JourneyHub.Core.Sources.Trustpilot;
using JourneyHub.Core.Sources.Typeform;
using JourneyHub.Core.Sources.Zendesk;
using JourneyHub.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace JourneyHub.UnitTests.Sources;

public sealed class SourceRegistrationTests
{
    /// <summary>Core alone: its ports (storage, queues) are the Azure layer's, so only what the sources need is resolvable.</summary>
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var builder = HubHostBuilder.Create(settings);
        builder.AddJourneyHubCore();
        return builder.Services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }

    [Theory]
    [InlineData("hubspot", typeof(HubSpotAdapter))]
    [InlineData("salesforce", typeof(SalesforceAdapter))]
    [InlineData("meta", typeof(MetaAdapter))]
    [InlineData("trustpilot", typeof(TrustpilotAdapter))]
    [InlineData("custom:contoso-pos", typeof(CustomSourceAdapter))]
    [InlineData("typeform", typeof(TypeformAdapter))]
    [InlineData("surveymonkey", typeof(SurveyMonkeyAdapter))]
    [InlineData("delighted", typeof(DelightedAdapter))]
    [InlineData("shopify", typeof(ShopifyAdapter))]
    [InlineData("zendesk", typeof(ZendeskAdapter))]
    [InlineData("intercom", typeof(IntercomAdapter))]
    public void The_registry_finds_each_sources_adapter_by_the_name_messages_carry(string source, Type adapter)
    {
        using var provider = Build([]);
        Assert.IsType(adapter, provider.GetRequiredService<SourceRegistry>().Adapter(source));
    }

    [Theory]
    [InlineData("hubspot", typeof(HubSpotWebhookVerifier))]
    [InlineData("salesforce", typeof(SalesforceWebhookVerifier))]
    [InlineData("meta", typeof(MetaWebhookVerifier))]
    [InlineData("trustpilot", typeof(TrustpilotWebhookVerifier))]
    [InlineData("custom:contoso-pos", typeof(CustomWebhookVerifier))]
    [InlineData("typeform", typeof(TypeformWebhookVerifier))]
    [InlineData("surveymonkey", typeof(SurveyMonkeyWebhookVerifier))]
    [InlineData("delighted", typeof(DelightedWebhookVerifier))]
    [InlineData("shopify", typeof(ShopifyWebhookVerifier))]
    [InlineData("zendesk", typeof(ZendeskWebhookVerifier))]
    [InlineData("intercom", typeof(IntercomWebhookVerifier))]
    public void The_registry_finds_each_sources_verifier(string source, Type verifier)
    {
        using var provider = Build([]);
        Assert.IsType(verifier, provider.GetRequiredService<SourceRegistry>().Verifier(SourceId.Parse(source)));
    }

    [Fact]
    public void An_unknown_or_malformed_source_has_no_adapter()
    {
        using var provider = Build([]);
        var registry = provider.GetRequiredService<SourceRegistry>();

        Assert.Null(registry.Adapter("mailchimp"));
        Assert.Null(registry.Adapter("HubSpot"));
        Assert.Null(registry.Adapter("custom:"));
    }

    [Fact]
    public void Two_parts_claiming_one_source_fail_the_lookup()
    {
        var adapter = new HubSpotAdapter();
        var error = Assert.Throws<InvalidOperationException>(() => new SourceRegistry([adapter, new HubSpotAdapter()], [], [], []).Adapter(SourceId.HubSpot));
        Assert.Contains("'hubspot'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_bind_from_the_documented_settings()
    {
        using var provider = Build(new()
        {
            ["Sources:Meta:AppSecret"] = "app-secret",
            ["Sources:Meta:VerifyToken"] = "verify",
            ["Sources:Meta:BaseUrl"] = "http://127.0.0.1:9001",
            ["Sources:Salesforce:OrganizationId"] = "00D5g000004ZkQ1EAK",
            ["Sources:Trustpilot:BusinessUnitId"] = "bu-1",
            ["Sources:Custom:contoso-pos:Secret"] = "whsec_a whsec_b",
            ["Sources:Custom:contoso-survey:Secret"] = "whsec_c",
        });

        var meta = provider.GetRequiredService<IOptionsMonitor<MetaOptions>>().CurrentValue;
        Assert.Equal("app-secret", meta.AppSecret);
        Assert.Equal(new Uri("http://127.0.0.1:9001"), meta.BaseUrl);
        Assert.Equal("00D5g000004ZkQ1EAK", provider.GetRequiredService<IOptionsMonitor<SalesforceOptions>>().CurrentValue.OrganizationId);
        Assert.Equal("bu-1", provider.GetRequiredService<IOptionsMonitor<TrustpilotOptions>>().CurrentValue.BusinessUnitId);
        var custom = provider.GetRequiredService<IOptionsMonitor<CustomSourceOptions>>().CurrentValue;
        Assert.Equal("whsec_a whsec_b", custom.Sources["CONTOSO-POS"].Secret);
        Assert.Equal("whsec_c", custom.Sources["contoso-survey"].Secret);
    }

    [Fact]
    public void Absent_settings_do_not_fail_the_start_and_verifiers_answer_not_configured()
    {
        using var provider = Build([]);
        var webhook = new InboundWebhook("POST", "https://hub.example/api/webhooks/meta", new Dictionary<string, string>(), "{}"u8.ToArray(), "application/json");

        var registry = provider.GetRequiredService<SourceRegistry>();
        Assert.Equal(SignatureCheck.NotConfigured, registry.Verifier(SourceId.Meta)!.Verify(webhook, DateTimeOffset.UtcNow).Check);
        Assert.Equal(SignatureCheck.NotConfigured, registry.Verifier(SourceId.Salesforce)!.Verify(webhook, DateTimeOffset.UtcNow).Check);
        Assert.Equal(SignatureCheck.NotConfigured, registry.Verifier(SourceId.Custom)!.Verify(webhook with { SourceName = "x" }, DateTimeOffset.UtcNow).Check);
        Assert.Equal("https://graph.facebook.com/", provider.GetRequiredService<IOptions<MetaOptions>>().Value.BaseUrl.ToString());
    }
}
