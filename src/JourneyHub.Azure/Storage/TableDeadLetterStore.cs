using System.Globalization;
using Azure;
using Azure.Data.Tables;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Privacy;
using JourneyHub.Core.Schema;

namespace JourneyHub.Azure.Storage;

/// <summary>
/// What could not be processed, with its reason and the archived payload it came from: the <c>DeadLetters</c> table, one
/// partition, few rows. Whose a dead letter is, when known, is a person index in <c>DeadLetterPeople</c>, under the keyed
/// hashes of the identities (<see cref="IdentityKeys"/>, the identity table's function), so the table never holds them in
/// plain text. Two rows per person and dead letter, each carrying the dead letter's <c>FailedAt</c> for retention:
/// <list type="bullet">
/// <item>the person row, PartitionKey = the hash, RowKey = the dead-letter id: an erasure finds a person's dead letters
/// with one single-partition query per identity, however many other dead letters exist;</item>
/// <item>the dead letter's people row, PartitionKey = <c>deadletter:</c> + its id, RowKey = the hash: whom a dead letter
/// names, for a rewrite, a redaction and a removal to find its person rows (one query, and transactions of 100).</item>
/// </list>
/// Index rows are written before the dead letter and removed after it, so a crash never leaves a dead letter that an
/// erasure cannot find; an index row whose dead letter is gone is harmless: it is skipped, and removed when an erasure
/// meets it (once it is older than <see cref="OrphanGrace"/>, so the rows of a dead letter being written are left alone)
/// or when retention ages it out. There is no cap on the number of people.
/// </summary>
public sealed class TableDeadLetterStore(StorageClients clients, StorageBootstrap bootstrap, IdentityKeys keys, TimeProvider clock) : IDeadLetterStore, IDeadLetterErasure
{
    private const string Partition = "deadletter";
    private const string PeoplePartitionPrefix = "deadletter:";
    private const string FailedAtProperty = "FailedAt";

    /// <summary>Index rows are written several at once: a dead letter naming a whole page of people is written in seconds, not minutes.</summary>
    private const int ParallelWrites = 8;

    /// <summary>The most operations one entity-group transaction may hold.</summary>
    private const int MaxTransactionSize = 100;

    /// <summary>
    /// How old an index row without its dead letter must be before an erasure that meets it removes it: far longer than
    /// writing a dead letter's index and then the dead letter takes, so a dead letter being written keeps its index.
    /// </summary>
    public static readonly TimeSpan OrphanGrace = TimeSpan.FromMinutes(10);

    private TableClient Table => clients.Tables.GetTableClient(StorageNames.DeadLettersTable);

    private TableClient People => clients.Tables.GetTableClient(StorageNames.DeadLetterPeopleTable);

    /// <summary>The partition of a dead letter's people rows (hashes are hex, so it never meets a person partition).</summary>
    public static string PeoplePartition(string deadLetterId) => PeoplePartitionPrefix + deadLetterId;

    /// <summary>
    /// Writes the index first, then the dead letter, then removes the index rows of people an earlier version of the same
    /// dead letter named and this one does not (after the dead letter, so each person it names stays findable meanwhile).
    /// Costs, for N people: one query (whom it named before), N person rows, ⌈N/100⌉ transactions of people rows, the dead
    /// letter; two deletions per person no longer named.
    /// </summary>
    public async Task AddAsync(DeadLetter deadLetter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deadLetter);
        await bootstrap.EnsureAsync(cancellationToken);
        var hashes = deadLetter.Identities.Select(keys.Hash).ToHashSet(StringComparer.Ordinal);
        var before = await PeopleOfAsync(deadLetter.Id, cancellationToken);

        // Every row is written again, not only new people: the rows carry FailedAt, which retention ages them by.
        await Parallel.ForEachAsync(
            hashes,
            new ParallelOptions { MaxDegreeOfParallelism = ParallelWrites, CancellationToken = cancellationToken },
            async (hash, token) => await People.UpsertEntityAsync(IndexRow(hash, deadLetter.Id, deadLetter.FailedAt), TableUpdateMode.Replace, token));
        foreach (var chunk in hashes.Order(StringComparer.Ordinal).Chunk(MaxTransactionSize))
        {
            await People.SubmitTransactionAsync(
                chunk.Select(hash => new TableTransactionAction(TableTransactionActionType.UpsertReplace, IndexRow(PeoplePartition(deadLetter.Id), hash, deadLetter.FailedAt))),
                cancellationToken);
        }

        await Table.UpsertEntityAsync(
            new TableEntity(Partition, deadLetter.Id)
            {
                ["Source"] = deadLetter.Source,
                ["BlobName"] = deadLetter.BlobName,
                ["Reason"] = deadLetter.Reason,
                [FailedAtProperty] = deadLetter.FailedAt,
                ["ReceivedAt"] = deadLetter.ReceivedAt,
                ["EntryIndex"] = deadLetter.EntryIndex,
                ["CorrelationId"] = deadLetter.CorrelationId,
                ["Queue"] = deadLetter.Queue,
                ["Message"] = deadLetter.Message,
            },
            TableUpdateMode.Replace,
            cancellationToken);

        before.ExceptWith(hashes);
        await RemoveIndexAsync(deadLetter.Id, before, cancellationToken);
    }

    public async Task<IReadOnlyList<DeadLetter>> ListAsync(string? source, DateTimeOffset? from, DateTimeOffset? to, int limit, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition}");
        if (!string.IsNullOrEmpty(source))
        {
            filter += " and " + TableClient.CreateQueryFilter($"Source eq {source}");
        }

        if (from is { } f)
        {
            filter += " and " + TableClient.CreateQueryFilter($"FailedAt ge {f}");
        }

        if (to is { } t)
        {
            filter += " and " + TableClient.CreateQueryFilter($"FailedAt le {t}");
        }

        var items = new List<DeadLetter>();
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            items.Add(FromEntity(entity));
        }

        return items.OrderByDescending(d => d.FailedAt).Take(limit).ToList();
    }

    public async Task<DeadLetter?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        var found = await Table.GetEntityIfExistsAsync<TableEntity>(Partition, id, cancellationToken: cancellationToken);
        return found.HasValue ? FromEntity(found.Value!) : null;
    }

    public async Task RemoveForBlobAsync(string blobName, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and BlobName eq {blobName}");
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            await RemoveWithIndexAsync(entity.RowKey, cancellationToken);
        }
    }

    public async Task RemoveAsync(string id, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        await RemoveWithIndexAsync(id, cancellationToken);
    }

    /// <summary>
    /// One query per identity, each in the identity's own partition of the index, then one read per dead letter found
    /// (so K identities whose people have D dead letters cost K + D requests, whatever else the table holds). Index rows
    /// whose dead letter is gone are skipped, and removed when older than <see cref="OrphanGrace"/>.
    /// </summary>
    public async Task<IReadOnlyList<DeadLetter>> FindAsync(IReadOnlyCollection<Identity> identities, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identities);
        await bootstrap.EnsureAsync(cancellationToken);
        var rowsByDeadLetter = new Dictionary<string, List<TableEntity>>(StringComparer.Ordinal);
        foreach (var hash in identities.Select(keys.Hash).Distinct(StringComparer.Ordinal))
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {hash}");
            await foreach (var row in People.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey", "Timestamp"], cancellationToken: cancellationToken))
            {
                if (!rowsByDeadLetter.TryGetValue(row.RowKey, out var rows))
                {
                    rowsByDeadLetter[row.RowKey] = rows = [];
                }

                rows.Add(row);
            }
        }

        var found = new List<DeadLetter>();
        var orphanBefore = clock.GetUtcNow() - OrphanGrace;
        foreach (var (id, rows) in rowsByDeadLetter.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            var deadLetter = await Table.GetEntityIfExistsAsync<TableEntity>(Partition, id, cancellationToken: cancellationToken);
            if (deadLetter.HasValue)
            {
                found.Add(FromEntity(deadLetter.Value!));
                continue;
            }

            foreach (var row in rows.Where(r => r.Timestamp < orphanBefore))
            {
                await RemoveOrphanAsync(row, cancellationToken);
            }
        }

        return found;
    }

    public async Task<int> SettleAsync(string blobName, IReadOnlySet<string> erasedKeys, bool renumbered, RedactionMark mark, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(erasedKeys);
        ArgumentNullException.ThrowIfNull(mark);
        await bootstrap.EnsureAsync(cancellationToken);
        var deleted = 0;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and BlobName eq {blobName}");
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            var people = await PeopleOfAsync(entity.RowKey, cancellationToken);
            var erased = people.Where(erasedKeys.Contains).ToHashSet(StringComparer.Ordinal);
            var numbered = entity.GetInt32("EntryIndex") is not null;
            if (erased.Count > 0 && numbered)
            {
                // The entry was the erased person's: it left the payload, and its dead letter goes with it.
                await Table.DeleteEntityAsync(Partition, entity.RowKey, ETag.All, cancellationToken);
                await RemoveIndexAsync(entity.RowKey, people, cancellationToken);
                deleted++;
                continue;
            }

            // A whole-payload dead letter stays for the other people: only the erased person's index rows go.
            await RemoveIndexAsync(entity.RowKey, erased, cancellationToken);
            if (!(renumbered && numbered))
            {
                continue;
            }

            entity.Remove("EntryIndex");
            entity["Reason"] = entity.GetString("Reason") + string.Format(
                CultureInfo.InvariantCulture,
                " [Entry number cleared: the payload was replaced by a redacted copy at {0:O}; a replay numbers what still fails.]",
                mark.RedactedAt);
            try
            {
                // Conditional: a dead letter written again meanwhile (a replay judged the copy) is newer than this one.
                await Table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                // Gone or rewritten since the query: the newer state stands.
            }
        }

        return deleted;
    }

    /// <summary>The keyed hashes of the people a dead letter names (its people rows): one query.</summary>
    private async Task<HashSet<string>> PeopleOfAsync(string deadLetterId, CancellationToken cancellationToken)
    {
        var hashes = new HashSet<string>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {PeoplePartition(deadLetterId)}");
        await foreach (var row in People.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            hashes.Add(row.RowKey);
        }

        return hashes;
    }

    /// <summary>The dead letter first, then its index: a crash in between leaves index rows without their dead letter (harmless), never the reverse.</summary>
    private async Task RemoveWithIndexAsync(string id, CancellationToken cancellationToken)
    {
        var people = await PeopleOfAsync(id, cancellationToken);
        await Table.DeleteEntityAsync(Partition, id, ETag.All, cancellationToken);
        await RemoveIndexAsync(id, people, cancellationToken);
    }

    /// <summary>
    /// Deletes the person rows of <paramref name="hashes"/> for one dead letter, then their people rows (so an interrupted
    /// removal still finds what is left through the people rows). Deleting a row that is gone already succeeds.
    /// </summary>
    private async Task RemoveIndexAsync(string deadLetterId, HashSet<string> hashes, CancellationToken cancellationToken)
    {
        if (hashes.Count == 0)
        {
            return;
        }

        await Parallel.ForEachAsync(
            hashes,
            new ParallelOptions { MaxDegreeOfParallelism = ParallelWrites, CancellationToken = cancellationToken },
            async (hash, token) => await People.DeleteEntityAsync(hash, deadLetterId, ETag.All, token));
        var partition = PeoplePartition(deadLetterId);
        foreach (var chunk in hashes.Order(StringComparer.Ordinal).Chunk(MaxTransactionSize))
        {
            try
            {
                await People.SubmitTransactionAsync(chunk.Select(hash => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, hash), ETag.All)), cancellationToken);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 404)
            {
                // One was gone already (an interrupted earlier removal): a transaction fails whole, single deletions do not.
                foreach (var hash in chunk)
                {
                    await People.DeleteEntityAsync(partition, hash, ETag.All, cancellationToken);
                }
            }
        }
    }

    /// <summary>
    /// A person row whose dead letter is gone: deleted only as it was read (a dead letter being written again rewrites its
    /// rows first, and then keeps them), then its people row.
    /// </summary>
    private async Task RemoveOrphanAsync(TableEntity personRow, CancellationToken cancellationToken)
    {
        try
        {
            await People.DeleteEntityAsync(personRow.PartitionKey, personRow.RowKey, personRow.ETag, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return;
        }

        await People.DeleteEntityAsync(PeoplePartition(personRow.RowKey), personRow.PartitionKey, ETag.All, cancellationToken);
    }

    private static TableEntity IndexRow(string partitionKey, string rowKey, DateTimeOffset failedAt) =>
        new(partitionKey, rowKey) { [FailedAtProperty] = failedAt };

    private static DeadLetter FromEntity(TableEntity entity) => new()
    {
        Id = entity.RowKey,
        Source = entity.GetString("Source") ?? "",
        BlobName = entity.GetString("BlobName") ?? "",
        Reason = entity.GetString("Reason") ?? "",
        FailedAt = entity.GetDateTimeOffset("FailedAt") ?? default,
        ReceivedAt = entity.GetDateTimeOffset("ReceivedAt") ?? default,
        EntryIndex = entity.GetInt32("EntryIndex"),
        CorrelationId = entity.GetString("CorrelationId") ?? "",
        Queue = entity.GetString("Queue") ?? "",
        Message = entity.GetString("Message"),
    };
}
