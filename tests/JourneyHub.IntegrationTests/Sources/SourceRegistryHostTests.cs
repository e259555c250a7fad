using JourneyHub.Azure.Configuration;
using JourneyHub.Core.Sources;
using Microsoft.Extensions.DependencyInjection;

namespace JourneyHub.IntegrationTests.Sources;

/// <summary>The hosts' own registrations: every served source has exactly one adapter, verifier, enricher and connector.</summary>
public sealed class SourceRegistryHostTests
{
    [Fact]
    public void The_host_registry_serves_every_webhook_and_pulled_source_once()
    {
        var builder = HubHostBuilder.Create(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
        });
        builder.AddJourneyHubAzure();
        var services = builder.Services;
        using var provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<SourceRegistry>();

        Assert.Equal(
            ["custom", "delighted", "google", "hubspot", "hubspot-pull", "intercom", "meta", "meta-pull", "salesforce", "salesforce-pull", "shopify", "surveymonkey", "trustpilot", "trustpilot-pull", "typeform", "zendesk"],
            registry.AdapterSources.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["custom", "delighted", "hubspot", "intercom", "meta", "salesforce", "shopify", "surveymonkey", "trustpilot", "typeform", "zendesk"], registry.WebhookSources.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["google", "hubspot", "meta", "salesforce", "trustpilot"], registry.PulledSources.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.NotNull(registry.Enricher("hubspot"));
        Assert.NotNull(registry.Enricher("surveymonkey"));
        Assert.Null(registry.Enricher("custom:contoso-pos"));
        Assert.All(registry.PulledSources, s => Assert.NotNull(registry.Adapter(registry.PullConnector(s.Name)!.Adapter)));
    }
}
