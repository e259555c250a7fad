using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using JourneyHub.Azure.Configuration;
using JourneyHub.Core.Telemetry;
using JourneyHub.Functions.Http;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace JourneyHub.Functions;

public static class FunctionsRegistration
{
    /// <summary>
    /// What the function classes need, the one registration entry of the Functions layer, called by the Functions app and
    /// the local host alike so both serve the same routes with the same services: the Azure layer (which registers Core),
    /// the HTTP helpers, and the export of telemetry to Application Insights when it is configured.
    /// </summary>
    public static IHostApplicationBuilder AddJourneyHubFunctions(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddJourneyHubAzure();
        builder.Services.AddOptions<WebhookUrlOptions>().BindConfiguration(WebhookUrlOptions.Section);
        builder.Services.AddSingleton<WebhookRequestReader>();
        AddTelemetry(builder.Services, builder.Configuration);
        return builder;
    }

    /// <summary>
    /// OpenTelemetry from the worker to Application Insights (host.json sets telemetryMode OpenTelemetry). Application
    /// Insights is the only destination, so without its connection string nothing is collected: the local host and the
    /// tests then run without the tracing overhead. With APPLICATIONINSIGHTS_AUTHENTICATION_STRING "Authorization=AAD"
    /// the exporter signs in with the managed identity, so no instrumentation key grants write access on its own.
    /// </summary>
    private static void AddTelemetry(IServiceCollection services, IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"]))
        {
            return;
        }

        services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .WithTracing(tracing => tracing.AddSource(JourneyHubTelemetry.Name).AddSource("Azure.*"))
            .WithMetrics(metrics => metrics.AddMeter(JourneyHubTelemetry.Name))
            .UseAzureMonitorExporter(options =>
            {
                if ((configuration["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] ?? "").Contains("Authorization=AAD", StringComparison.OrdinalIgnoreCase))
                {
                    var clientId = configuration["AZURE_CLIENT_ID"];
                    options.Credential = string.IsNullOrEmpty(clientId)
                        ? new DefaultAzureCredential()
                        : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
                }
            });
    }
}
