using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Sources.Custom;
using JourneyHub.Core.Sources.Delighted;
using JourneyHub.Core.Sources.HubSpot;
using JourneyHub.Core.Sources.Intercom;
using JourneyHub.Core.Sources.Meta;
using JourneyHub.Core.Sources.Pull;
using JourneyHub.Core.Sources.Salesforce;
using JourneyHub.Core.Sources.Shopify;
using JourneyHub.Core.Sources.SurveyMonkey;
using JourneyHub.Core.Sources.Surveys;
using JourneyHub.Core.Sources.Trustpilot;
using JourneyHub.Core.Sources.Typeform;
using JourneyHub.Core.Sources.Zendesk;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace JourneyHub.Core.Sources;

internal static class SourceRegistration
{
    /// <summary>
    /// Registers every source adapter and webhook verifier (found through <see cref="SourceRegistry"/>) and binds the
    /// <c>Sources:&lt;X&gt;</c> options. Secrets are not required at start: a source without its secret answers
    /// "not configured" (contract §3: a source whose settings are absent must not stop the others).
    /// Part of <see cref="CoreRegistration.AddJourneyHubCore"/>.
    /// </summary>
    internal static IServiceCollection AddSources(this IServiceCollection services)
    {
        // HubSpot's access token and base URL are also read by the Azure layer's HubSpot client: one options class for both.
        services.AddOptions<HubSpotOptions>().BindConfiguration(HubSpotOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<MetaOptions>().BindConfiguration(MetaOptions.Section);
        services.AddOptions<SalesforceOptions>().BindConfiguration(SalesforceOptions.Section);
        services.AddOptions<TrustpilotOptions>().BindConfiguration(TrustpilotOptions.Section);
        services.AddOptions<ShopifyOptions>().BindConfiguration(ShopifyOptions.Section);
        services.AddOptions<ZendeskOptions>().BindConfiguration(ZendeskOptions.Section);
        services.AddOptions<IntercomOptions>().BindConfiguration(IntercomOptions.Section);
        services.AddOptions<CustomSourceOptions>().Configure<IConfiguration>(BindCustomSources);
        services.AddOptions<TypeformOptions>().BindConfiguration(TypeformOptions.Section)
            .Configure<IConfiguration>((o, c) => o.SurveyTypes = SurveyTypeRules.Bind(c.GetSection(TypeformOptions.Section + ":SurveyTypes")))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<TypeformOptions>>(new SurveyTypesValidator<TypeformOptions>(o => o.SurveyTypes));
        services.AddOptions<SurveyMonkeyOptions>().BindConfiguration(SurveyMonkeyOptions.Section)
            .Configure<IConfiguration>((o, c) => o.SurveyTypes = SurveyTypeRules.Bind(c.GetSection(SurveyMonkeyOptions.Section + ":SurveyTypes")))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<SurveyMonkeyOptions>>(new SurveyTypesValidator<SurveyMonkeyOptions>(o => o.SurveyTypes));
        services.AddOptions<DelightedOptions>().BindConfiguration(DelightedOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton<ISourceAdapter, HubSpotAdapter>();
        services.AddSingleton<ISourceAdapter, SalesforceAdapter>();
        // The pull adapters of Meta and Trustpilot rewrite a page as a webhook delivery and hand it to these two.
        services.AddSingleton<MetaAdapter>();
        services.AddSingleton<ISourceAdapter>(sp => sp.GetRequiredService<MetaAdapter>());
        services.AddSingleton<TrustpilotAdapter>();
        services.AddSingleton<ISourceAdapter>(sp => sp.GetRequiredService<TrustpilotAdapter>());
        services.AddSingleton<ISourceAdapter, CustomSourceAdapter>();
        services.AddSingleton<ISourceAdapter, ShopifyAdapter>();
        services.AddSingleton<ISourceAdapter, ZendeskAdapter>();
        services.AddSingleton<ISourceAdapter, IntercomAdapter>();
        services.AddSingleton<ISourceAdapter, TypeformAdapter>();
        services.AddSingleton<ISourceAdapter, SurveyMonkeyAdapter>();
        services.AddSingleton<ISourceAdapter, DelightedAdapter>();
        // Pulled pages are normalized by adapters of their own; the connectors that fetch them are the Azure layer's.
        services.AddSingleton<ISourceAdapter, HubSpotPullAdapter>();
        services.AddSingleton<ISourceAdapter, SalesforcePullAdapter>();
        services.AddSingleton<ISourceAdapter, GoogleReviewsAdapter>();
        services.AddSingleton<ISourceAdapter, TrustpilotPullAdapter>();
        services.AddSingleton<ISourceAdapter, MetaPullAdapter>();

        services.AddSingleton<IWebhookVerifier, HubSpotWebhookVerifier>();
        services.AddSingleton<IWebhookVerifier, SalesforceWebhookVerifier>();
        services.AddSingleton<IWebhookVerifier, MetaWebhookVerifier>();
        services.AddSingleton<IWebhookVerifier, TrustpilotWebhookVerifier>();
        services.AddSingleton<IWebhookVerifier, CustomWebhookVerifier>();
        services.AddSingleton<IWebhookVerifier, ShopifyWebhookVerifier>();
        services.AddSingleton<IWebhookVerifier, ZendeskWebhookVerifier>();
        services.AddSingleton<IWebhookVerifier, IntercomWebhookVerifier>();
        services.AddSingleton<IWebhookVerifier, TypeformWebhookVerifier>();
        services.AddSingleton<IWebhookVerifier, SurveyMonkeyWebhookVerifier>();
        services.AddSingleton<IWebhookVerifier, DelightedWebhookVerifier>();
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
