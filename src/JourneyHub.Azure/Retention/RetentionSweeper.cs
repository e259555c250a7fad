using Azure;
using Azure.Data.Tables;
using JourneyHub.Azure.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JourneyHub.Azure.Retention;

/// <summary>What one sweep deleted, and what it found but left because it was rewritten or removed meanwhile.</summary>
/// <param name="DeadLetterIndexRowsDeleted">Rows of the dead letters' person index (<c>DeadLetterPeople</c>): two per person of a dead letter.</param>
public sealed record RetentionSweepResult(int RawPayloadsDeleted, int DeadLettersDeleted, int DeadLetterIndexRowsDeleted, int ObjectHistoryRowsDeleted, int Skipped);

/// <summary>
/// Ages out what the blob lifecycle rule cannot reach: <c>RawPayloads</c> entities by their stored <c>ReceivedAt</c> and
/// <c>DeadLetters</c> entities by their stored <c>FailedAt</c>, then their person index (<c>DeadLetterPeople</c>,
/// whose rows carry their dead letter's <c>FailedAt</c>), and the objects' history (the history rows of <c>Objects</c>:
/// a deal's or order's own events, kept for contacts associated later) by its stored <c>RecordedAt</c>, the time of its
/// latest write. The stored times are used rather than the entity
/// <c>Timestamp</c> because they say when the hub received or gave up on a delivery, which is what retention is about;
/// a row migrated or rewritten later would otherwise look young.
/// Each entity is deleted with the ETag it was read with: a dead letter upserted again by a new failure after the query
/// is a new record and stays. Entities gone meanwhile (replay, erasure) count as skipped, not as errors.
/// </summary>
public sealed partial class RetentionSweeper(
    StorageClients clients,
    StorageBootstrap bootstrap,
    IOptionsMonitor<RetentionOptions> options,
    TimeProvider timeProvider,
    ILogger<RetentionSweeper> logger)
{
    /// <summary>The most operations one entity-group transaction may hold.</summary>
    private const int MaxTransactionSize = 100;

    public async Task<RetentionSweepResult> SweepAsync(CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        var days = options.CurrentValue.RawPayloadDays;
        var cutoff = timeProvider.GetUtcNow().AddDays(-days);

        // Dead letters first: a sweep stopped between the two leaves payloads without dead letters (harmless), never
        // dead letters whose payload is gone (a replay of them would fail).
        var deadLetters = await DeleteMatchingAsync(StorageNames.DeadLettersTable, TableClient.CreateQueryFilter($"FailedAt lt {cutoff}"), cancellationToken);

        // The index after its dead letters: a sweep stopped between the two leaves index rows without a dead letter (skipped
        // by erasure), never a dead letter erasure cannot find. A dead letter written again meanwhile rewrote its index rows
        // first, with its new FailedAt, so they are not old, or their ETag no longer matches.
        var deadLetterIndex = await DeleteMatchingAsync(StorageNames.DeadLetterPeopleTable, TableClient.CreateQueryFilter($"FailedAt lt {cutoff}"), cancellationToken);
        var rawPayloads = await DeleteMatchingAsync(StorageNames.RawPayloadsTable, TableClient.CreateQueryFilter($"ReceivedAt lt {cutoff}"), cancellationToken);

        // An object's history past the limit would give a contact associated today events whose raw payloads are gone.
        // Only history rows: the version row and the associations in the same partition stay.
        var objectTouchpoints = await DeleteMatchingAsync(
            StorageNames.ObjectsTable,
            TableClient.CreateQueryFilter($"RowKey gt {TableObjectStore.HistoryPrefix} and RowKey lt {TableObjectStore.RangeEnd(TableObjectStore.HistoryPrefix)} and RecordedAt lt {cutoff}"),
            cancellationToken);

        var result = new RetentionSweepResult(
            rawPayloads.Deleted,
            deadLetters.Deleted,
            deadLetterIndex.Deleted,
            objectTouchpoints.Deleted,
            rawPayloads.Skipped + deadLetters.Skipped + deadLetterIndex.Skipped + objectTouchpoints.Skipped);
        LogSwept(days, cutoff, result.RawPayloadsDeleted, result.DeadLettersDeleted, result.DeadLetterIndexRowsDeleted, result.ObjectHistoryRowsDeleted, result.Skipped);
        return result;
    }

    private async Task<(int Deleted, int Skipped)> DeleteMatchingAsync(string tableName, string filter, CancellationToken cancellationToken)
    {
        var table = clients.Tables.GetTableClient(tableName);
        var deleted = 0;
        var skipped = 0;

        // Keys only: a RawPayloads row carries up to 512 KiB of body that the sweep has no use for.
        await foreach (var page in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).AsPages())
        {
            foreach (var batch in page.Values.GroupBy(e => e.PartitionKey, StringComparer.Ordinal).SelectMany(p => p.Chunk(MaxTransactionSize)))
            {
                var (batchDeleted, batchSkipped) = await DeleteAsync(table, batch, cancellationToken);
                deleted += batchDeleted;
                skipped += batchSkipped;
            }
        }

        return (deleted, skipped);
    }

    /// <summary>
    /// One transaction for the entities of one partition (dead letters share a partition, so do a dead letter's people rows,
    /// an object's history is one; a person row of the dead-letter index has a partition of its own per person); a transaction fails whole when
    /// one of them changed or vanished, so then each is deleted on its own and only that one is skipped.
    /// RawPayloads rows have a partition each (the content hash), so they always take the single path.
    /// </summary>
    private async Task<(int Deleted, int Skipped)> DeleteAsync(TableClient table, TableEntity[] batch, CancellationToken cancellationToken)
    {
        if (batch.Length > 1)
        {
            try
            {
                await table.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.Delete, e, e.ETag)), cancellationToken);
                return (batch.Length, 0);
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 404 or 412)
            {
                LogTransactionFellBack(table.Name, batch.Length, ex.Status);
            }
        }

        var deleted = 0;
        foreach (var entity in batch)
        {
            try
            {
                await table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, entity.ETag, cancellationToken);
                deleted++;
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                // 404: replay or erasure removed it already. 412: rewritten since the query, so it is not old any more.
            }
        }

        return (deleted, batch.Length - deleted);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention sweep ({Days} days, before {Cutoff:O}): deleted {RawPayloads} raw payload rows, {DeadLetters} dead letters, {DeadLetterIndexRows} dead-letter index rows and {ObjectHistoryRows} object history rows; {Skipped} changed or gone meanwhile")]
    private partial void LogSwept(int days, DateTimeOffset cutoff, int rawPayloads, int deadLetters, int deadLetterIndexRows, int objectHistoryRows, int skipped);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention sweep of {Table}: a transaction of {Count} deletions failed with {Status}, deleting them one by one")]
    private partial void LogTransactionFellBack(string table, int count, int status);
}
