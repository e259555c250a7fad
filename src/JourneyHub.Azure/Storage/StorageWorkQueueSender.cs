using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using JourneyHub.Core.Admin;

namespace JourneyHub.Azure.Storage;

/// <summary>
/// Sends a message back to one of the hub's Storage queues, encoded like every other message and never expiring: a
/// replayed erasure or backfill, or an ingestion message whose bytes it alone still holds.
/// </summary>
/// <remarks>
/// The queue normally exists (its trigger created it), so a send is one request; only when the service answers
/// <c>QueueNotFound</c> is the queue created and the send made once more. Asking for the queue before every send cost a
/// second request each time.
/// </remarks>
public sealed class StorageWorkQueueSender(StorageClients clients) : IWorkQueueSender
{
    public async Task SendAsync(string queueName, string messageText, TimeSpan delay, CancellationToken cancellationToken)
    {
        var queue = clients.Queues.GetQueueClient(queueName);
        try
        {
            await SendOnceAsync(queue, messageText, delay, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == QueueErrorCode.QueueNotFound)
        {
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await SendOnceAsync(queue, messageText, delay, cancellationToken);
        }
    }

    private static async Task SendOnceAsync(QueueClient queue, string messageText, TimeSpan delay, CancellationToken cancellationToken) =>
        await queue.SendMessageAsync(messageText, visibilityTimeout: delay > TimeSpan.Zero ? delay : null, timeToLive: StorageIngestionQueue.NeverExpires, cancellationToken: cancellationToken);
}
