using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Pull;
using JourneyHub.Core.Sources.Pull;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Refit;

namespace JourneyHub.Azure.Pull;

public static class PullServiceCollectionExtensions
{
    /// <summary>
    /// Pull connectors: one Refit client per API (base URL and credentials from <c>Sources:&lt;X&gt;</c>, the pull resilience
    /// pipeline, the throttle gate), one <see cref="IPullConnector"/> keyed by source name, one pull adapter keyed by its
    /// adapter key, the checkpoint store and the backfill queue.
    /// </summary>
    public static IServiceCollection AddJourneyHubPull(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PullOptions>().BindConfiguration(PullOptions.Section);
        services.AddSingleton<PullThrottleGate>();
        services.AddSingleton<IPullStateStore, TablePullStateStore>();
        services.AddSingleton<IBackfillQueue, StorageBackfillQueue>();
        services.AddSingleton<PullRunner>();

        AddClient<IHubSpotPullApi, HubSpotPullConnector>(services, configuration, PullSources.HubSpot, "HubSpot", "https://api.hubapi.com");
        AddClient<ISalesforcePullApi, SalesforcePullConnector>(services, configuration, PullSources.Salesforce, "Salesforce", "https://login.salesforce.com");
        AddClient<IGoogleReviewsApi, GooglePullConnector>(services, configuration, PullSources.Google, "Google", "https://mybusiness.googleapis.com");
        AddClient<ITrustpilotPullApi, TrustpilotPullConnector>(services, configuration, PullSources.Trustpilot, "Trustpilot", "https://api.trustpilot.com");
        AddClient<IMetaGraphPullApi, MetaPullConnector>(services, configuration, PullSources.Meta, "Meta", "https://graph.facebook.com");

        services.AddKeyedSingleton<ISourceAdapter, HubSpotPullAdapter>(PullSources.HubSpotAdapter);
        services.AddKeyedSingleton<ISourceAdapter, SalesforcePullAdapter>(PullSources.SalesforceAdapter);
        services.AddKeyedSingleton<ISourceAdapter, GoogleReviewsAdapter>(PullSources.GoogleAdapter);
        services.AddKeyedSingleton<ISourceAdapter, TrustpilotPullAdapter>(PullSources.TrustpilotAdapter);
        services.AddKeyedSingleton<ISourceAdapter, MetaPullAdapter>(PullSources.MetaAdapter);
        return services;
    }

    private static void AddClient<TApi, TConnector>(IServiceCollection services, IConfiguration configuration, string source, string section, string defaultBaseUrl)
        where TApi : class
        where TConnector : class, IPullConnector
    {
        services.AddOptions<PullSourceSettings>(source).BindConfiguration("Sources:" + section);
        services.AddKeyedSingleton<IPullConnector, TConnector>(source);
        services.AddRefitGeneratedClient<TApi>(PullJsonContext.Default)
            .ConfigureHttpClient((sp, client) =>
            {
                var settings = sp.GetRequiredService<IOptionsMonitor<PullSourceSettings>>().Get(source);
                var baseUrl = settings.BaseUrl is { Length: > 0 } b ? b : settings.InstanceUrl is { Length: > 0 } i ? i : defaultBaseUrl;
                client.BaseAddress = new Uri(baseUrl.TrimEnd('/'));
            })
            .AddHttpMessageHandler(sp => new PullAuthHandler(sp.GetRequiredService<IOptionsMonitor<PullSourceSettings>>(), source))
            .AddPullResilience(configuration, source)
            .AddHttpMessageHandler(sp => new PullThrottleHandler(sp.GetRequiredService<PullThrottleGate>(), source, sp.GetRequiredService<TimeProvider>()));
    }
}
