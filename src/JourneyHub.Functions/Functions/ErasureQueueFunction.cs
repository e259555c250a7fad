using Azure.Storage.Queues.Models;
using JourneyHub.Azure.Customers;
using JourneyHub.Azure.Storage;
using Microsoft.Azure.Functions.Worker;

namespace JourneyHub.Functions.Functions;

/// <summary>Runs queued erasure requests and payload redactions; a failure is retried by the queue and every step is safe to repeat.</summary>
public sealed class ErasureQueueFunction(ErasureQueueHandler handler)
{
    [Function("ProcessErasure")]
    public Task Run(
        [QueueTrigger(CustomerStorage.ErasureQueue, Connection = StorageClients.ConnectionName)] QueueMessage message,
        CancellationToken cancellationToken) =>
        handler.HandleAsync(message.MessageText, cancellationToken);
}
