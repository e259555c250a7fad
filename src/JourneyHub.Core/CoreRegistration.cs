using JourneyHub.Core.Admin;
using JourneyHub.Core.Api;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Privacy;
using JourneyHub.Core.Processing;
using JourneyHub.Core.Pull;
using JourneyHub.Core.Sources;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace JourneyHub.Core;

public static class CoreRegistration
{
    /// <summary>
    /// The hub's logic, the one registration entry of Core: source adapters and verifiers with their options, the intake,
    /// the processor and its identity, journey and privacy rules, the pull runner, the customer reader and the admin
    /// helpers. The ports they depend on (storage, queues, enrichers, pull connectors) come from a storage layer:
    /// <c>AddJourneyHubAzure()</c> registers both.
    /// </summary>
    public static IHostApplicationBuilder AddJourneyHubCore(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<IngestionOptions>().BindConfiguration(IngestionOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton<WebhookIntake>();
        services.AddSingleton<IdentityResolver>();
        services.AddSingleton<ObjectAttribution>();
        services.AddSingleton<ICustomerMerger, CustomerMerger>();
        services.AddSingleton<DeliveryProcessor>();
        services.AddSingleton<QueueMessageHandler>();
        services.AddSingleton<DeadLetterAdmin>();
        services.AddSingleton<PoisonMessageRecorder>();
        services.AddSingleton<CustomerReader>();

        // Adapters, verifiers and enrichers are found through SourceRegistry.
        services.AddSources();

        // Identity guards against shared e-mails and phones, erasure, persona rules of the journey map.
        services.AddOptions<IdentityOptions>().BindConfiguration(IdentityOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IdentityGuard>();
        services.AddSingleton<PayloadRedactor>();
        services.AddSingleton<RawPayloadEraser>();
        services.AddSingleton<PayloadRedactionQueue>();
        services.AddSingleton<ErasureService>();
        services.AddOptions<PersonaOptions>().BindConfiguration(PersonaOptions.Section);
        services.AddSingleton<PersonaRules>();

        services.AddOptions<PullOptions>().BindConfiguration(PullOptions.Section);
        services.AddSingleton<PullRunner>();
        return builder;
    }
}
