using JourneyHub.Core.Admin;

namespace JourneyHub.Azure.Storage;

/// <summary>Sends a replayed erasure or backfill message back to its Storage queue, encoded like every other message.</summary>
public sealed class StorageWorkQueueSender(StorageClients clients) : IWorkQueueSender
{
    public async Task SendAsync(string queueName, string messageText, CancellationToken cancellationToken)
    {
        var queue = clients.Queues.GetQueueClient(queueName);
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await queue.SendMessageAsync(messageText, cancellationToken);
    }
}
