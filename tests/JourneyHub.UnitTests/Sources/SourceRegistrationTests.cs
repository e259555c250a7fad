using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Signatures;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Sources.Custom;
using JourneyHub.Core.Sources.Meta;
using JourneyHub.Core.Sources.Salesforce;
using JourneyHub.Core.Sources.Trustpilot;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace JourneyHub.UnitTests.Sources;

public sealed class SourceRegistrationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddJourneyHubSources()
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    [Theory]
    [InlineData("hubspot")]
    [InlineData("salesforce")]
    [InlineData("meta")]
    [InlineData("trustpilot")]
    [InlineData("custom")]
    [InlineData("typeform")]
    [InlineData("surveymonkey")]
    [InlineData("delighted")]
    public void Each_source_has_a_keyed_adapter_under_its_name(string key)
    {
        using var provider = Build([]);
        Assert.Equal(key, provider.GetRequiredKeyedService<ISourceAdapter>(key).Source);
    }

    [Theory]
    [InlineData("salesforce")]
    [InlineData("meta")]
    [InlineData("trustpilot")]
    [InlineData("custom")]
    [InlineData("typeform")]
    [InlineData("surveymonkey")]
    [InlineData("delighted")]
    public void Each_source_has_a_keyed_verifier_under_its_name(string key)
    {
        using var provider = Build([]);
        Assert.Equal(key, provider.GetRequiredKeyedService<IWebhookVerifier>(key).Source);
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

        Assert.Equal(SignatureCheck.NotConfigured, provider.GetRequiredKeyedService<IWebhookVerifier>("meta").Verify(webhook, DateTimeOffset.UtcNow).Check);
        Assert.Equal(SignatureCheck.NotConfigured, provider.GetRequiredKeyedService<IWebhookVerifier>("salesforce").Verify(webhook, DateTimeOffset.UtcNow).Check);
        Assert.Equal(SignatureCheck.NotConfigured, provider.GetRequiredKeyedService<IWebhookVerifier>("custom").Verify(webhook with { SourceName = "x" }, DateTimeOffset.UtcNow).Check);
        Assert.Equal("https://graph.facebook.com/", provider.GetRequiredService<IOptions<MetaOptions>>().Value.BaseUrl.ToString());
    }
}
