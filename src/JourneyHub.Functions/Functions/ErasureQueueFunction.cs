using Azure.Storage.Queues.Models;
using JourneyHub.Azure.Customers;
using JourneyHub.Azure.Storage;
using JourneyHub.Core.Privacy;
using Microsoft.Azure.Functions.Worker;

namespace JourneyHub.Functions.Functions;

/// <summary>Runs queued erasure requests; a failure is retried by the queue and every step is safe to repeat.</summary>
public sealed class ErasureQueueFunction(ErasureService erasure)
{
    [Function("ProcessErasure")]
    public async Task Run(
        [QueueTrigger(CustomerStorage.ErasureQueue, Connection = StorageClients.ConnectionName)] QueueMessage message,
        CancellationToken cancellationToken)
    {
        // A message that names no customer cannot be retried into meaning: acknowledge it.
        if (StorageErasureQueue.Parse(message.MessageText) is { Length: > 0 } customerId)
        {
            await erasure.EraseAsync(customerId, cancellationToken);
        }
    }
}
