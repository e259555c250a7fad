using JourneyHub.Core.Identities;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Privacy;
using Microsoft.Extensions.DependencyInjection;

namespace JourneyHub.Azure.Customers;

public static class CustomersServiceCollectionExtensions
{
    /// <summary>Identity guards and conflicts, journey analytics, erasure: the "customer as one person" part of the hub.</summary>
    public static IServiceCollection AddJourneyHubCustomers(this IServiceCollection services)
    {
        services.AddOptions<IdentityOptions>().BindConfiguration(IdentityOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IdentityGuard>();
        services.AddSingleton<CustomerStorage>();
        services.AddSingleton<IIdentityConflictStore, TableIdentityConflictStore>();
        services.AddSingleton<IJourneyAnalytics, TableJourneyAnalytics>();
        services.AddSingleton<IErasureLog, TableErasureLog>();
        services.AddSingleton<IErasureQueue, StorageErasureQueue>();
        services.AddSingleton<PayloadRedactor>();
        services.AddSingleton<RawPayloadEraser>();
        services.AddSingleton<ErasureService>();
        services.AddHostedService<CustomerStorageWarmup>();
        return services;
    }
}
