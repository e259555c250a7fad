using JourneyHub.Azure.Configuration;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources;
using Microsoft.Extensions.DependencyInjection;

namespace JourneyHub.IntegrationTests.Enrichment;

/// <summary>
/// A source's enricher as the Azure layer registers it (its Refit client, auth handler and resilience pipeline), pointed at
/// a local fake of the vendor's API, with retries short enough for a test.
/// </summary>
internal static class VendorEnricher
{
    /// <param name="settingsSection">The source's section under <c>Sources:</c> (<c>HubSpot</c>, <c>SurveyMonkey</c>).</param>
    /// <param name="accessToken">Null: not configured, so the enricher must leave the touchpoints as they are.</param>
    /// <param name="moreSettings">Settings a test needs besides these (an attempt timeout).</param>
    public static async Task<IReadOnlyList<Touchpoint>> EnrichAsync(
        SourceId source,
        string settingsSection,
        string vendorUrl,
        string? accessToken,
        IReadOnlyList<Touchpoint> touchpoints,
        IReadOnlyDictionary<string, string?>? moreSettings = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            [$"Sources:{settingsSection}:BaseUrl"] = vendorUrl,
            [$"Sources:{settingsSection}:AccessToken"] = accessToken,
            ["Http:Resilience:Retry:Delay"] = "00:00:00.010",
            ["Http:Resilience:Retry:MaxRetryAttempts"] = "2",
        };
        foreach (var (key, value) in moreSettings ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var builder = HubHostBuilder.Create(settings);
        builder.AddJourneyHubAzure();
        await using var provider = builder.Services.BuildServiceProvider();
        var enricher = provider.GetRequiredService<SourceRegistry>().Enricher(source)!;
        return await enricher.EnrichAsync(touchpoints, CancellationToken.None);
    }
}
