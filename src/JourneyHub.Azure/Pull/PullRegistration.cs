using JourneyHub.Azure.HubSpot;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Pull;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Sources.Pull;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Refit;

namespace JourneyHub.Azure.Pull;

internal static class PullRegistration
{
    /// <summary>
    /// Pull connectors: one Refit client per API (base URL and credentials from <c>Sources:&lt;X&gt;</c>, the pull resilience
    /// pipeline, the throttle gate) and one <see cref="IPullConnector"/> per source (found through <see cref="SourceRegistry"/>),
    /// the checkpoint store and the backfill queue. HubSpot's connector uses the HubSpot client that enrichment uses
    /// (<see cref="HubSpotRegistration"/>). Part of <c>AddJourneyHubAzure</c>.
    /// </summary>
    internal static IServiceCollection AddPullConnectors(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IPullStateStore, TablePullStateStore>();
        services.AddSingleton<IBackfillQueue, StorageBackfillQueue>();

        AddClient<ISalesforcePullApi, SalesforcePullConnector>(services, configuration, SourceId.Salesforce.Name, "Salesforce", "https://login.salesforce.com");
        AddClient<IGoogleReviewsApi, GooglePullConnector>(services, configuration, SourceId.Google.Name, "Google", "https://mybusiness.googleapis.com");
        AddClient<ITrustpilotPullApi, TrustpilotPullConnector>(services, configuration, SourceId.Trustpilot.Name, "Trustpilot", "https://api.trustpilot.com");
        AddClient<IMetaGraphPullApi, MetaPullConnector>(services, configuration, SourceId.Meta.Name, "Meta", "https://graph.facebook.com");
        return services;
    }

    private static void AddClient<TApi, TConnector>(IServiceCollection services, IConfiguration configuration, string source, string section, string defaultBaseUrl)
        where TApi : class
        where TConnector : class, IPullConnector
    {
        services.AddOptions<PullSourceSettings>(source).BindConfiguration("Sources:" + section);
        services.AddSingleton<IPullConnector, TConnector>();
        services.AddRefitGeneratedClient<TApi>()
            .ConfigureHttpClient((sp, client) =>
            {
                var settings = sp.GetRequiredService<IOptionsMonitor<PullSourceSettings>>().Get(source);
                var baseUrl = settings.BaseUrl is { Length: > 0 } b ? b : settings.InstanceUrl is { Length: > 0 } i ? i : defaultBaseUrl;
                client.BaseAddress = new Uri(baseUrl.TrimEnd('/'));
            })
            .AddHttpMessageHandler(sp => new PullAuthHandler(sp.GetRequiredService<IOptionsMonitor<PullSourceSettings>>(), source))
            .AddPullResilience(configuration, source);
    }
}
