using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Sources.Custom;
using JourneyHub.Core.Sources.Delighted;
using JourneyHub.Core.Sources.HubSpot;
using JourneyHub.Core.Sources.Intercom;
using JourneyHub.Core.Sources.Meta;
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

public static class SourceRegistration
{
    /// <summary>
    /// Registers every source adapter and webhook verifier as keyed singletons under its source name and binds the
    /// <c>Sources:&lt;X&gt;</c> options. Secrets are not required at start: a source without its secret answers
    /// "not configured" (contract §3: a source whose settings are absent must not stop the others).
    /// The HubSpot verifier is registered by the Azure layer.
    /// </summary>
    public static IServiceCollection AddJourneyHubSources(this IServiceCollection services)
    {
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

        services.AddKeyedSingleton<ISourceAdapter, HubSpotAdapter>(HubSpotAdapter.SourceName);
        services.AddKeyedSingleton<ISourceAdapter, SalesforceAdapter>(SalesforceAdapter.SourceName);
        services.AddKeyedSingleton<ISourceAdapter, MetaAdapter>(MetaAdapter.SourceName);
        services.AddKeyedSingleton<ISourceAdapter, TrustpilotAdapter>(TrustpilotAdapter.SourceName);
        services.AddKeyedSingleton<ISourceAdapter, CustomSourceAdapter>(CustomSourceAdapter.SourceName);
        services.AddKeyedSingleton<ISourceAdapter, ShopifyAdapter>(ShopifyAdapter.SourceName);
        services.AddKeyedSingleton<ISourceAdapter, ZendeskAdapter>(ZendeskAdapter.SourceName);
        services.AddKeyedSingleton<ISourceAdapter, IntercomAdapter>(IntercomAdapter.SourceName);
        services.AddKeyedSingleton<ISourceAdapter, TypeformAdapter>(TypeformAdapter.SourceName);
        services.AddKeyedSingleton<ISourceAdapter, SurveyMonkeyAdapter>(SurveyMonkeyAdapter.SourceName);
        services.AddKeyedSingleton<ISourceAdapter, DelightedAdapter>(DelightedAdapter.SourceName);

        services.AddKeyedSingleton<IWebhookVerifier, SalesforceWebhookVerifier>(SalesforceAdapter.SourceName);
        services.AddKeyedSingleton<IWebhookVerifier, MetaWebhookVerifier>(MetaAdapter.SourceName);
        services.AddKeyedSingleton<IWebhookVerifier, TrustpilotWebhookVerifier>(TrustpilotAdapter.SourceName);
        services.AddKeyedSingleton<IWebhookVerifier, CustomWebhookVerifier>(CustomSourceAdapter.SourceName);
        services.AddKeyedSingleton<IWebhookVerifier, ShopifyWebhookVerifier>(ShopifyAdapter.SourceName);
        services.AddKeyedSingleton<IWebhookVerifier, ZendeskWebhookVerifier>(ZendeskAdapter.SourceName);
        services.AddKeyedSingleton<IWebhookVerifier, IntercomWebhookVerifier>(IntercomAdapter.SourceName);
        services.AddKeyedSingleton<IWebhookVerifier, TypeformWebhookVerifier>(TypeformAdapter.SourceName);
        services.AddKeyedSingleton<IWebhookVerifier, SurveyMonkeyWebhookVerifier>(SurveyMonkeyAdapter.SourceName);
        services.AddKeyedSingleton<IWebhookVerifier, DelightedWebhookVerifier>(DelightedAdapter.SourceName);
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
