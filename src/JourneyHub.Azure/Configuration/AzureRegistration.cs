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
using JourneyHub.Core;
using JourneyHub.Core.Admin;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Journey.Segments;
using JourneyHub.Core.Privacy;
using JourneyHub.Core.Processing;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Sources.SurveyMonkey;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Refit;

namespace JourneyHub.Azure.Configuration;

public static class AzureRegistration
{
    /// <summary>
    /// The hub on Azure Storage, Service Bus and the vendors' APIs, the one registration entry of this layer, used by the
    /// Functions app and the local host alike. Registers Core first (<see cref="CoreRegistration.AddJourneyHubCore"/>),
    /// then the adapters of its ports: storage, customers and segments tables, the HubSpot client (enrichment and pull),
    /// the SurveyMonkey client, the other pull connectors and the event publisher.
    /// </summary>
    public static IHostApplicationBuilder AddJourneyHubAzure(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddJourneyHubCore();
        var services = builder.Services;
        var configuration = builder.Configuration;

        // Storage adapters. One keyed-hash function for every store that finds a person without holding their identities.
        services.AddOptions<SuppressionKeyOptions>().BindConfiguration(SuppressionKeyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => new IdentityKeys(sp.GetRequiredService<IOptions<SuppressionKeyOptions>>().Value.SuppressionKey));
        services.AddSingleton<IIdentityKeys>(sp => sp.GetRequiredService<IdentityKeys>());
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
        services.AddSingleton<IObjectStore, TableObjectStore>();
        services.AddSingleton<IStorageHealth, StorageHealth>();
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RetentionSweeper>();
        services.AddSingleton<IWorkQueueSender, StorageWorkQueueSender>();

        // The "customer as one person" tables: identity conflicts, erasure log and queue; the funnel's reader.
        services.AddSingleton<CustomerStorage>();
        services.AddSingleton<IIdentityConflictStore, TableIdentityConflictStore>();
        services.AddSingleton<IJourneyAnalytics, TableJourneyAnalytics>();
        services.AddSingleton<IErasureLog, TableErasureLog>();
        services.AddSingleton<IErasureQueue, StorageErasureQueue>();
        services.AddSingleton<ErasureQueueHandler>();
        services.AddHostedService<CustomerStorageWarmup>();

        // A customer's aggregates (segment map, funnel stages, survey answers) are written together into sharded rows,
        // from which the map and the funnel are read.
        services.AddSingleton<TableSegmentAggregates>();
        services.AddSingleton<ICustomerAggregates>(sp => sp.GetRequiredService<TableSegmentAggregates>());
        services.AddSingleton<ISegmentAggregates>(sp => sp.GetRequiredService<TableSegmentAggregates>());

        // One HubSpot client for enrichment (webhook events carry ids only) and the HubSpot pull.
        services.AddHubSpotClient(configuration);

        // SurveyMonkey callbacks carry ids only: the enricher fetches the answers.
        services.AddSingleton<ITouchpointEnricher, SurveyMonkeyResponseEnricher>();
        services.AddTransient<BearerTokenHandler<SurveyMonkeyOptions>>(sp => new(() => sp.GetRequiredService<IOptionsMonitor<SurveyMonkeyOptions>>().CurrentValue.AccessToken));
        services.AddRefitGeneratedClient<ISurveyMonkeyApi>(SurveyMonkeyJsonContext.Default)
            .ConfigureHttpClient((sp, client) => client.BaseAddress = sp.GetRequiredService<IOptionsMonitor<SurveyMonkeyOptions>>().CurrentValue.BaseUrl)
            .AddHttpMessageHandler<BearerTokenHandler<SurveyMonkeyOptions>>()
            .AddJourneyHubResilience(configuration);

        AddPublisher(services, configuration);
        services.AddPullConnectors(configuration);
        return builder;
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
