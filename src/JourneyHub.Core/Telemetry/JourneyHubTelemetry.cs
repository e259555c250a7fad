using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace JourneyHub.Core.Telemetry;

/// <summary>
/// The hub's own traces and metrics. One correlation id is carried from the webhook request through the
/// queue message (with the W3C traceparent) to the stored touchpoint and the Service Bus message, so one
/// delivery can be followed end to end in Application Insights.
/// </summary>
public static class JourneyHubTelemetry
{
    public const string Name = "JourneyHub";
    public const string CorrelationTag = "journeyhub.correlation_id";
    public const string SourceTag = "journeyhub.source";
    public const string TraceParentProperty = "traceparent";

    public static readonly ActivitySource ActivitySource = new(Name);

    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> WebhooksAccepted = Meter.CreateCounter<long>("journeyhub.webhooks.accepted", description: "Webhook deliveries archived and queued");
    public static readonly Counter<long> WebhooksRejected = Meter.CreateCounter<long>("journeyhub.webhooks.rejected", description: "Webhook deliveries refused (signature, size, type)");
    public static readonly Counter<long> TouchpointsStored = Meter.CreateCounter<long>("journeyhub.touchpoints.stored", description: "New timeline rows");
    public static readonly Counter<long> DuplicatesSuppressed = Meter.CreateCounter<long>("journeyhub.touchpoints.duplicates", description: "Redelivered events that matched an existing row");
    public static readonly Counter<long> DeadLetters = Meter.CreateCounter<long>("journeyhub.deadletters", description: "Payloads or entries that could not be processed");

    /// <summary>Starts the processing span as a child of the webhook request that queued the work.</summary>
    public static Activity? StartProcessing(string source, string correlationId, IReadOnlyDictionary<string, string> properties)
    {
        ActivityContext.TryParse(properties.GetValueOrDefault(TraceParentProperty), null, out var parent);
        var activity = ActivitySource.StartActivity("journeyhub.process", ActivityKind.Consumer, parent);
        activity?.SetTag(SourceTag, source);
        activity?.SetTag(CorrelationTag, correlationId);
        return activity;
    }
}
