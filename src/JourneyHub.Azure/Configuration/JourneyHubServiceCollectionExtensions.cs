using Azure.Core;
using Azure.Identity;
using Azure.Messaging.ServiceBus;
using JourneyHub.Azure.Customers;
using JourneyHub.Azure.HubSpot;
using JourneyHub.Azure.Publishing;
using JourneyHub.Azure.Retention;
using JourneyHub.Azure.Pull;
using JourneyHub.Azure.Segments;
using JourneyHub.Azure.Storage;
using JourneyHub.Azure.SurveyMonkey;
using JourneyHub.Core.Admin;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Privacy;
using JourneyHub.Core.Processing;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Sources.HubSpot;
using JourneyHub.Core.Sources.SurveyMonkey;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Refit;

namespace JourneyHub.Azure.Configuration;

public static class JourneyHubServiceCollectionExtensions
{
    /// <summary>Everything the hub needs, for the Functions worker and the local host alike.</summary>
    public static IServiceCollection AddJourneyHub(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<IngestionOptions>().BindConfiguration(IngestionOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        // Storage adapters.
        services.AddSingleton<StorageClients>();
        services.AddSingleton<StorageBootstrap>();
        services.AddSingleton<StorageRawArchive>();
        services.AddSingleton<IRawArchive>(sp => sp.GetRequiredService<StorageRawArchive>());
        services.AddSingleton<IRawPayloadRedaction>(sp => sp.GetRequiredService<StorageRawArchive>());
        services.AddSingleton<IIngestionQueue, StorageIngestionQueue>();
        services.AddSingleton<ITimelineStore, TableTimelineStore>();
        services.AddOptions<StorageCacheOptions>().BindConfiguration(StorageCacheOptions.Section);
        services.AddSingleton<SummaryCache>();
        services.AddSingleton<TableIdentityStore>();
        services.AddSingleton(sp => new CachedIdentityStore(sp.GetRequiredService<TableIdentityStore>(), sp.GetRequiredService<IOptions<StorageCacheOptions>>().Value.IdentityLinks));
        services.AddSingleton<IIdentityStore>(sp => sp.GetRequiredService<CachedIdentityStore>());
        services.AddSingleton<IIdentityLinkCache>(sp => sp.GetRequiredService<CachedIdentityStore>());
        services.AddSingleton<ICustomerStore, TableCustomerStore>();
        services.AddSingleton<TableDeadLetterStore>();
        services.AddSingleton<IDeadLetterStore>(sp => sp.GetRequiredService<TableDeadLetterStore>());
        services.AddSingleton<IDeadLetterErasure>(sp => sp.GetRequiredService<TableDeadLetterStore>());
        services.AddSingleton<ISuppressionList, TableSuppressionList>();
        services.AddSingleton<IObjectAssociationStore, TableObjectAssociationStore>();
        services.AddSingleton<IObjectTouchpointStore, TableObjectTouchpointStore>();
        services.AddOptions<SuppressionKeyOptions>().BindConfiguration(SuppressionKeyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IStorageHealth, StorageHealth>();
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RetentionSweeper>();

        // Pipeline logic (Core).
        services.AddSingleton<WebhookIntake>();
        services.AddSingleton<IdentityResolver>();
        services.AddSingleton<ObjectAttribution>();
        services.AddSingleton<ICustomerMerger, CustomerMerger>();
        services.AddSingleton<DeliveryProcessor>();
        services.AddSingleton<QueueMessageHandler>();
        services.AddJourneyHubAdmin();
        services.AddSingleton<IWorkQueueSender, StorageWorkQueueSender>();

        // Sources: adapters, verifiers and enrichers are found through SourceRegistry; HubSpot's verifier and enricher need the options here.
        services.AddJourneyHubSources();
        services.AddOptions<HubSpotOptions>().BindConfiguration(HubSpotOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IWebhookVerifier, HubSpotWebhookVerifier>();
        services.AddSingleton<HubSpotObjectReader>();
        services.AddSingleton<ITouchpointEnricher, HubSpotContactEnricher>();
        services.AddTransient<BearerTokenHandler<HubSpotOptions>>(sp => new(() => sp.GetRequiredService<IOptionsMonitor<HubSpotOptions>>().CurrentValue.AccessToken));
        services.AddRefitGeneratedClient<IHubSpotCrmApi>(HubSpotJsonContext.Default)
            .ConfigureHttpClient((sp, client) => client.BaseAddress = new Uri(sp.GetRequiredService<IOptionsMonitor<HubSpotOptions>>().CurrentValue.BaseUrl))
            .AddHttpMessageHandler<BearerTokenHandler<HubSpotOptions>>()
            .AddJourneyHubResilience(configuration);

        // SurveyMonkey callbacks carry ids only: the enricher fetches the answers.
        services.AddSingleton<ITouchpointEnricher, SurveyMonkeyResponseEnricher>();
        services.AddTransient<BearerTokenHandler<SurveyMonkeyOptions>>(sp => new(() => sp.GetRequiredService<IOptionsMonitor<SurveyMonkeyOptions>>().CurrentValue.AccessToken));
        services.AddRefitGeneratedClient<ISurveyMonkeyApi>(SurveyMonkeyJsonContext.Default)
            .ConfigureHttpClient((sp, client) => client.BaseAddress = sp.GetRequiredService<IOptionsMonitor<SurveyMonkeyOptions>>().CurrentValue.BaseUrl)
            .AddHttpMessageHandler<BearerTokenHandler<SurveyMonkeyOptions>>()
            .AddJourneyHubResilience(configuration);

        AddPublisher(services, configuration);
        services.AddJourneyHubCustomers();
        services.AddJourneyHubSegments();
        services.AddJourneyHubPull(configuration);
        return services;
    }

    private static void AddPublisher(IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection("ServiceBus");
        var topic = section["Topic"] is { Length: > 0 } t ? t : "journey-events";
        var connectionString = section["ConnectionString"];
        var fullyQualifiedNamespace = section["FullyQualifiedNamespace"];
        if (string.IsNullOrWhiteSpace(connectionString) && string.IsNullOrWhiteSpace(fullyQualifiedNamespace))
        {
            services.AddSingleton<ITouchpointPublisher, DisabledTouchpointPublisher>();
            return;
        }

        services.AddSingleton(_ =>
        {
            if (!string.IsNullOrWhiteSpace(connectionString))
            {
                return new ServiceBusClient(connectionString);
            }

            TokenCredential credential = section["ClientId"] is { Length: > 0 } clientId
                ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
                : new DefaultAzureCredential();
            return new ServiceBusClient(fullyQualifiedNamespace, credential);
        });
        services.AddSingleton(sp => sp.GetRequiredService<ServiceBusClient>().CreateSender(topic));
        services.AddSingleton<ITouchpointPublisher, ServiceBusTouchpointPublisher>();
    }
}
