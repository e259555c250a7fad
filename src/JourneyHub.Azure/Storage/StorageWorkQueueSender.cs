using JourneyHub.Core.Admin;

namespace JourneyHub.Azure.Storage;

/// <summary>
/// Sends a message back to one of the hub's Storage queues, encoded like every other message and never expiring: a
/// replayed erasure or backfill, or an ingestion message whose bytes it alone still holds.
/// </summary>
public sealed class StorageWorkQueueSender(StorageClients clients) : IWorkQueueSender
{
    public async Task SendAsync(string queueName, string messageText, TimeSpan delay, CancellationToken cancellationToken)
    {
        var queue = clients.Queues.GetQueueClient(queueName);
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await queue.SendMessageAsync(messageText, visibilityTimeout: delay > TimeSpan.Zero ? delay : null, timeToLive: StorageIngestionQueue.NeverExpires, cancellationToken: cancellationToken);
    }
}
