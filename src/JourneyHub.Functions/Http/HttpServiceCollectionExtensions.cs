using JourneyHub.Core.Api;
using Microsoft.Extensions.DependencyInjection;

namespace JourneyHub.Functions.Http;

public static class HttpServiceCollectionExtensions
{
    /// <summary>The HTTP-facing helpers shared by the Functions worker and the local host.</summary>
    public static IServiceCollection AddJourneyHubHttp(this IServiceCollection services)
    {
        services.AddOptions<WebhookUrlOptions>().BindConfiguration(WebhookUrlOptions.Section);
        services.AddSingleton<WebhookRequestReader>();
        services.AddSingleton<CustomerReader>();
        return services;
    }
}
