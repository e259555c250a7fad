using System.Globalization;
using Azure;
using Azure.Data.Tables;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Privacy;
using JourneyHub.Core.Schema;

namespace JourneyHub.Azure.Storage;

/// <summary>
/// What could not be processed, with its reason and the archived payload it came from; one partition, few rows. Whose a
/// dead letter is, when known, is stored as the keyed hashes of the identities (<see cref="IdentityKeys"/>, the suppression
/// list's function) in one property, so an erasure finds the person's dead letters by a scan of this small partition
/// without the table holding their identities in plain text.
/// </summary>
public sealed class TableDeadLetterStore(StorageClients clients, StorageBootstrap bootstrap, IdentityKeys keys) : IDeadLetterStore, IDeadLetterErasure
{
    private const string Partition = "deadletter";
    private const string IdentityHashesProperty = "IdentityHashes";

    /// <summary>
    /// 450 hashes of 64 characters and a separator fit one string property (32 K characters) with room to spare; a failure
    /// naming more people (a whole page of them) records the first 450, and the rest cannot be found by identity.
    /// </summary>
    public const int MaxIdentityHashes = 450;

    private TableClient Table => clients.Tables.GetTableClient(StorageNames.DeadLettersTable);

    public async Task AddAsync(DeadLetter deadLetter, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        await Table.UpsertEntityAsync(
            new TableEntity(Partition, deadLetter.Id)
            {
                ["Source"] = deadLetter.Source,
                ["BlobName"] = deadLetter.BlobName,
                ["Reason"] = deadLetter.Reason,
                ["FailedAt"] = deadLetter.FailedAt,
                ["ReceivedAt"] = deadLetter.ReceivedAt,
                ["EntryIndex"] = deadLetter.EntryIndex,
                ["CorrelationId"] = deadLetter.CorrelationId,
                ["Queue"] = deadLetter.Queue,
                ["Message"] = deadLetter.Message,
                [IdentityHashesProperty] = deadLetter.Identities.Count == 0
                    ? null
                    : string.Join(' ', deadLetter.Identities.Select(keys.Hash).Distinct(StringComparer.Ordinal).Take(MaxIdentityHashes)),
            },
            TableUpdateMode.Replace,
            cancellationToken);
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
            await Table.DeleteEntityAsync(Partition, entity.RowKey, ETag.All, cancellationToken);
        }
    }

    public async Task RemoveAsync(string id, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        await Table.DeleteEntityAsync(Partition, id, ETag.All, cancellationToken);
    }

    public async Task<IReadOnlyList<DeadLetter>> FindAsync(IReadOnlyCollection<Identity> identities, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identities);
        await bootstrap.EnsureAsync(cancellationToken);
        var wanted = identities.Select(keys.Hash).ToHashSet(StringComparer.Ordinal);
        var found = new List<DeadLetter>();
        if (wanted.Count == 0)
        {
            return found;
        }

        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and {IdentityHashesProperty} gt {""}");
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            if (HashesOf(entity).Overlaps(wanted))
            {
                found.Add(FromEntity(entity));
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
            var hashes = HashesOf(entity);
            var names = hashes.Overlaps(erasedKeys);
            var numbered = entity.GetInt32("EntryIndex") is not null;
            if (names && numbered)
            {
                // The entry was the erased person's: it left the payload, and its dead letter goes with it.
                await Table.DeleteEntityAsync(Partition, entity.RowKey, ETag.All, cancellationToken);
                deleted++;
                continue;
            }

            if (!names && !(renumbered && numbered))
            {
                continue;
            }

            hashes.ExceptWith(erasedKeys);
            entity[IdentityHashesProperty] = hashes.Count == 0 ? null : string.Join(' ', hashes.Order(StringComparer.Ordinal));
            if (renumbered && numbered)
            {
                entity.Remove("EntryIndex");
                entity["Reason"] = entity.GetString("Reason") + string.Format(
                    CultureInfo.InvariantCulture,
                    " [Entry number cleared: the payload was replaced by a redacted copy at {0:O}; a replay numbers what still fails.]",
                    mark.RedactedAt);
            }

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

    private static HashSet<string> HashesOf(TableEntity entity) =>
        (entity.GetString(IdentityHashesProperty) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);

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
