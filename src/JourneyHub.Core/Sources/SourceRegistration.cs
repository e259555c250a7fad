using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Sources.Custom;
using JourneyHub.Core.Sources.HubSpot;
using JourneyHub.Core.Sources.Meta;
using JourneyHub.Core.Sources.Salesforce;
using JourneyHub.Core.Sources.Trustpilot;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace JourneyHub.Core.Sources;

public static class SourceRegistration
{
    /// <summary>
    /// Registers every source adapter and webhook verifier (found through <see cref="SourceRegistry"/>) and binds the
    /// <c>Sources:&lt;X&gt;</c> options. Secrets are not required at start: a source without its secret answers
    /// "not configured" (contract §3: a source whose settings are absent must not stop the others).
    /// The HubSpot verifier is registered by the Azure layer.
    /// </summary>
    public static IServiceCollection AddJourneyHubSources(this IServiceCollection services)
    {
        services.AddOptions<MetaOptions>().BindConfiguration(MetaOptions.Section);
        services.AddOptions<SalesforceOptions>().BindConfiguration(SalesforceOptions.Section);
        services.AddOptions<TrustpilotOptions>().BindConfiguration(TrustpilotOptions.Section);
        services.AddOptions<CustomSourceOptions>().Configure<IConfiguration>(BindCustomSources);

        services.AddSingleton<ISourceAdapter, HubSpotAdapter>();
        services.AddSingleton<ISourceAdapter, SalesforceAdapter>();
        // The pull adapters of Meta and Trustpilot rewrite a page as a webhook delivery and hand it to these two.
        services.AddSingleton<MetaAdapter>();
        services.AddSingleton<ISourceAdapter>(sp => sp.GetRequiredService<MetaAdapter>());
        services.AddSingleton<TrustpilotAdapter>();
        services.AddSingleton<ISourceAdapter>(sp => sp.GetRequiredService<TrustpilotAdapter>());
        services.AddSingleton<ISourceAdapter, CustomSourceAdapter>();

        services.AddSingleton<IWebhookVerifier, SalesforceWebhookVerifier>();
        services.AddSingleton<IWebhookVerifier, MetaWebhookVerifier>();
        services.AddSingleton<IWebhookVerifier, TrustpilotWebhookVerifier>();
        services.AddSingleton<IWebhookVerifier, CustomWebhookVerifier>();
        services.AddSingleton(sp => new SourceRegistry(sp));
        return services;
    }

    /// <summary><c>Sources:Custom:&lt;name&gt;:Secret</c> → <see cref="CustomSourceOptions.Sources"/>[name].</summary>
    internal static void BindCustomSources(CustomSourceOptions options, IConfiguration configuration)
    {
        foreach (var source in configuration.GetSection(CustomSourceOptions.Section).GetChildren())
        {
            options.Sources[source.Key] = new CustomSourceSettings { Secret = source["Secret"] };
        }
    }
}
