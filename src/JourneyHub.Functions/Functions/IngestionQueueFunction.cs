using Azure.Storage.Queues.Models;
using JourneyHub.Azure.Storage;
using JourneyHub.Core.Processing;
using Microsoft.Azure.Functions.Worker;

namespace JourneyHub.Functions.Functions;

/// <summary>
/// Processes archived deliveries. The only trigger-specific line is the attribute: a ServiceBusTrigger
/// could take its place and pass the same message text and delivery count.
/// </summary>
public sealed class IngestionQueueFunction(QueueMessageHandler handler)
{
    [Function("ProcessIngestion")]
    public Task Run(
        [QueueTrigger(StorageNames.IngestQueue, Connection = StorageClients.ConnectionName)] QueueMessage message,
        CancellationToken cancellationToken) =>
        handler.HandleAsync(message.MessageText, message.DequeueCount, cancellationToken);
}
