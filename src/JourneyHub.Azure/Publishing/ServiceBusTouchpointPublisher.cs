using System.Text.Json;
using Azure.Messaging.ServiceBus;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;
using Microsoft.Extensions.Logging;

namespace JourneyHub.Azure.Publishing;

/// <summary>
/// Publishes stored touchpoints on the <c>journey-events</c> topic. MessageId = touchpointId lets the
/// topic's duplicate detection drop repeats; SessionId = customerId keeps each customer's events in order.
/// </summary>
public sealed partial class ServiceBusTouchpointPublisher(ServiceBusSender sender, ILogger<ServiceBusTouchpointPublisher> logger) : ITouchpointPublisher
{
    public async Task PublishAsync(IReadOnlyList<Touchpoint> touchpoints, CancellationToken cancellationToken)
    {
        var pending = new Queue<ServiceBusMessage>(touchpoints.Select(ToMessage));
        while (pending.Count > 0)
        {
            using var batch = await sender.CreateMessageBatchAsync(cancellationToken);
            while (pending.Count > 0 && batch.TryAddMessage(pending.Peek()))
            {
                pending.Dequeue();
            }

            if (batch.Count == 0)
            {
                throw new InvalidOperationException($"Touchpoint message {pending.Peek().MessageId} is larger than a Service Bus message may be.");
            }

            await sender.SendMessagesAsync(batch, cancellationToken);
        }

        LogPublished(touchpoints.Count, sender.EntityPath);
    }

    public static ServiceBusMessage ToMessage(Touchpoint touchpoint)
    {
        var message = new ServiceBusMessage(BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(touchpoint, JourneyJson.Options)))
        {
            MessageId = touchpoint.TouchpointId,
            SessionId = touchpoint.CustomerId,
            ContentType = "application/json",
            Subject = touchpoint.Action,
            CorrelationId = touchpoint.Attributes.TryGetValue("correlationId", out var correlationId) ? correlationId : null,
        };
        message.ApplicationProperties["schemaVersion"] = touchpoint.SchemaVersion;
        message.ApplicationProperties["source"] = touchpoint.Source;
        message.ApplicationProperties["channel"] = JourneyJson.WireName(touchpoint.Channel);
        message.ApplicationProperties["kind"] = JourneyJson.WireName(touchpoint.Kind);
        if (touchpoint.Stage is { } stage)
        {
            message.ApplicationProperties["stage"] = JourneyJson.WireName(stage);
        }

        return message;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Published {Count} touchpoints to {Topic}")]
    private partial void LogPublished(int count, string topic);
}

/// <summary>Used when no Service Bus namespace is configured: says so once, then stays quiet.</summary>
public sealed partial class DisabledTouchpointPublisher(ILogger<DisabledTouchpointPublisher> logger) : ITouchpointPublisher
{
    private int announced;

    public Task PublishAsync(IReadOnlyList<Touchpoint> touchpoints, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref announced, 1) == 0)
        {
            LogDisabled();
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Service Bus publishing is off: set ServiceBus__FullyQualifiedNamespace or ServiceBus__ConnectionString to publish touchpoints")]
    private partial void LogDisabled();
}
