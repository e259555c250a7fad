using Microsoft.Extensions.DependencyInjection;

namespace JourneyHub.Core.Admin;

public static class AdminServiceCollectionExtensions
{
    /// <summary>Dead-letter listing and replay for the admin routes, and the poison-queue recorder.</summary>
    public static IServiceCollection AddJourneyHubAdmin(this IServiceCollection services)
    {
        services.AddSingleton<DeadLetterAdmin>();
        services.AddSingleton<PoisonMessageRecorder>();
        return services;
    }
}
