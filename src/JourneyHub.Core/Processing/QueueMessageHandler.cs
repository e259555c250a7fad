using System.Text.Json;
using JourneyHub.Core.Admin;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JourneyHub.Core.Processing;

/// <summary>
/// The body of the queue-triggered processor, shared by the Functions worker and the local host: parse
/// the reference, run the pipeline, and on the last allowed attempt turn a failure into a dead letter.
/// </summary>
public sealed partial class QueueMessageHandler(
    DeliveryProcessor processor,
    IDeadLetterStore deadLetters,
    IOptions<IngestionOptions> options,
    TimeProvider clock,
    ILogger<QueueMessageHandler> logger)
{
    public async Task<ProcessingReport> HandleAsync(string messageText, long dequeueCount, CancellationToken cancellationToken)
    {
        IngestionMessage? message;
        try
        {
            message = JsonSerializer.Deserialize<IngestionMessage>(messageText, JourneyJson.Options);
        }
        catch (JsonException ex)
        {
            message = null;
            LogUnreadable(ex);
        }

        if (message is null || string.IsNullOrEmpty(message.BlobName) || string.IsNullOrEmpty(message.Source))
        {
            // Not ours, or damaged in transit: nothing to retry, but keep a trace an operator can find.
            await deadLetters.AddAsync(
                new DeadLetter
                {
                    Id = DeadLetterIds.ForUnreadableMessage(messageText),
                    Source = "unknown",
                    BlobName = "",
                    Reason = "Queue message is not an ingestion reference: " + (messageText.Length > 300 ? messageText[..300] : messageText),
                    FailedAt = clock.GetUtcNow(),
                },
                cancellationToken);
            return ProcessingReport.Empty with { DeadLettered = 1 };
        }

        var attempt = (int)Math.Min(dequeueCount, int.MaxValue);
        return await processor.ProcessAsync(message, attempt, attempt >= options.Value.MaxDequeueCount, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue message could not be read as an ingestion reference")]
    private partial void LogUnreadable(Exception exception);
}
