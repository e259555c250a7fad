using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using JourneyHub.Core.Telemetry;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace JourneyHub.Functions;

public static class Telemetry
{
    /// <summary>
    /// OpenTelemetry from the worker to Application Insights (host.json sets telemetryMode OpenTelemetry).
    /// With APPLICATIONINSIGHTS_AUTHENTICATION_STRING "Authorization=AAD" the exporter signs in with the
    /// managed identity, so no instrumentation key grants write access on its own.
    /// </summary>
    public static IServiceCollection AddJourneyHubTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var builder = services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .WithTracing(tracing => tracing.AddSource(JourneyHubTelemetry.Name).AddSource("Azure.*"))
            .WithMetrics(metrics => metrics.AddMeter(JourneyHubTelemetry.Name));
        if (!string.IsNullOrWhiteSpace(configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"]))
        {
            builder.UseAzureMonitorExporter(options =>
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

        return services;
    }
}
