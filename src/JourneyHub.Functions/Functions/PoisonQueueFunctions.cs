using Azure.Storage.Queues.Models;
using JourneyHub.Azure.Customers;
using JourneyHub.Azure.Pull;
using JourneyHub.Azure.Storage;
using JourneyHub.Core.Admin;
using Microsoft.Azure.Functions.Worker;

namespace JourneyHub.Functions.Functions;

/// <summary>
/// Reads the poison queues the Functions host fills after maxDequeueCount failed attempts and records each message
/// as a dead letter (listed by GET /api/admin/dead-letters, replayable), instead of leaving it where no one looks.
/// </summary>
public sealed class PoisonQueueFunctions(PoisonMessageRecorder recorder)
{
    [Function("RecordIngestionPoison")]
    public Task Ingestion(
        [QueueTrigger(StorageNames.IngestPoisonQueue, Connection = StorageClients.ConnectionName)] QueueMessage message,
        CancellationToken cancellationToken) =>
        recorder.RecordAsync(StorageNames.IngestQueue, null, message.MessageText, message.InsertedOn, cancellationToken);

    [Function("RecordErasurePoison")]
    public Task Erasure(
        [QueueTrigger(CustomerStorage.ErasurePoisonQueue, Connection = StorageClients.ConnectionName)] QueueMessage message,
        CancellationToken cancellationToken) =>
        recorder.RecordAsync(CustomerStorage.ErasureQueue, "erasure", message.MessageText, message.InsertedOn, cancellationToken);

    [Function("RecordBackfillPoison")]
    public Task Backfill(
        [QueueTrigger(PullStorageNames.BackfillPoisonQueue, Connection = StorageClients.ConnectionName)] QueueMessage message,
        CancellationToken cancellationToken) =>
        recorder.RecordAsync(PullStorageNames.BackfillQueue, "backfill", message.MessageText, message.InsertedOn, cancellationToken);
}
