using JourneyHub.Azure.Configuration;
using JourneyHub.Azure.Pull;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Pull;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Sources.HubSpot;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Refit;

namespace JourneyHub.Azure.HubSpot;

internal static class HubSpotRegistration
{
    /// <summary>
    /// The one HubSpot client and its users: the contact enricher, the object reader and the pull connector. One set of
    /// settings (<see cref="HubSpotOptions"/>, <c>Sources:HubSpot</c>), one bearer token handler and one resilience
    /// pipeline with HubSpot's throttle gate: enrichment and pulls spend the same private app's rate limit, so a limit
    /// HubSpot announces to one holds the other back too. Part of <c>AddJourneyHubAzure</c>.
    /// </summary>
    internal static IServiceCollection AddHubSpotClient(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<HubSpotObjectReader>();
        services.AddSingleton<ITouchpointEnricher, HubSpotContactEnricher>();
        services.AddSingleton<IPullConnector, HubSpotPullConnector>();
        services.AddTransient<BearerTokenHandler<HubSpotOptions>>(sp => new(() => sp.GetRequiredService<IOptionsMonitor<HubSpotOptions>>().CurrentValue.AccessToken));
        services.AddRefitGeneratedClient<IHubSpotApi>(HubSpotJsonContext.Default)
            .ConfigureHttpClient((sp, client) => client.BaseAddress = new Uri(sp.GetRequiredService<IOptionsMonitor<HubSpotOptions>>().CurrentValue.BaseUrl.TrimEnd('/')))
            .AddHttpMessageHandler<BearerTokenHandler<HubSpotOptions>>()
            .AddPullResilience(configuration, SourceId.HubSpot.Name);
        return services;
    }
}
