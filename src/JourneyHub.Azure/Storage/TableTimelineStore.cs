using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Timeline;

namespace JourneyHub.Azure.Storage;

/// <summary>
/// One partition per customer: touchpoint rows newest first, and the journey summary row (<see cref="PartitionRows.Summary"/>)
/// that sorts after them. New rows and the summary update are one entity-group transaction guarded by the summary's
/// ETag, so a row exists exactly when it was applied:
/// <list type="bullet">
/// <item>an insert conflict names its operation: that row was applied before, it is dropped and the rest retried;</item>
/// <item>a precondition failure (someone else wrote the summary) re-reads the summary and retries;</item>
/// <item>a merge tombstone on the summary is followed to the survivor, an erasure tombstone stops the write;</item>
/// <item>more rows than one transaction holds are split, each part carrying its own summary update.</item>
/// </list>
/// Within one process, appends for one customer take turns (<see cref="AppendTurns"/>): run at once they would fail each
/// other's summary ETag, and every loser would pay a summary read and a second transaction; in turn, each starts from
/// the summary its predecessor cached and commits at once. Between processes the ETag still decides.
/// </summary>
public sealed class TableTimelineStore(StorageClients clients, StorageBootstrap bootstrap, SummaryCache cache, ICustomerStore customers, TimeProvider clock) : ITimelineStore, IDisposable
{
    /// <summary>
    /// Locks striped by the customer id asked for: two customers share one only by chance (1 in this many), and then
    /// merely wait for each other (a 2,000-row retry holds its stripe for its 20 transactions); a lock per customer would
    /// need eviction for nothing. An append through a merged-away id and one through its survivor take different
    /// stripes: there the summary's ETag decides, as between processes. Turns are never nested, so they cannot deadlock.
    /// </summary>
    internal const int AppendTurns = 64;

    /// <summary>Azure's limit of operations per entity-group transaction.</summary>
    public const int MaxOperations = 100;

    // A string property holds at most 32K UTF-16 characters; keep well below it.
    private const int MaxJsonChars = 30_000;
    private const int MaxMergeHops = 10;
    private const int MaxConcurrencyRetries = 50;

    private readonly SemaphoreSlim[] appendTurns = [.. Enumerable.Range(0, AppendTurns).Select(_ => new SemaphoreSlim(1, 1))];

    private TableClient Table => clients.Tables.GetTableClient(StorageNames.TimelineTable);

    public async Task<AppendResult> AppendAsync(string customerId, IReadOnlyList<Touchpoint> touchpoints, AppendOptions options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(customerId);
        ArgumentNullException.ThrowIfNull(touchpoints);
        ArgumentNullException.ThrowIfNull(options);
        await bootstrap.EnsureAsync(cancellationToken);
        var turn = appendTurns[(int)((uint)StringComparer.Ordinal.GetHashCode(customerId) % AppendTurns)];
        await turn.WaitAsync(cancellationToken);
        try
        {
            return await AppendInTurnAsync(customerId, touchpoints, options, cancellationToken);
        }
        finally
        {
            turn.Release();
        }
    }

    public void Dispose()
    {
        foreach (var turn in appendTurns)
        {
            turn.Dispose();
        }
    }

    private async Task<AppendResult> AppendInTurnAsync(string customerId, IReadOnlyList<Touchpoint> touchpoints, AppendOptions options, CancellationToken cancellationToken)
    {
        var duplicates = new List<Touchpoint>();
        var pending = new List<Touchpoint>(touchpoints.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var touchpoint in touchpoints)
        {
            (seen.Add(DedupKey(touchpoint)) ? pending : duplicates).Add(touchpoint);
        }

        var target = customerId;
        string? followedFrom = null;
        var record = options.CustomerIsNew ? null : cache.Get(target) ?? await customers.GetAsync(target, cancellationToken);
        var inserted = new List<Touchpoint>();
        var erased = new List<Touchpoint>();
        var identities = options.Identities;
        JourneyState? before = null;
        var lookedUpExisting = false;
        var existing = new Dictionary<string, string?>(StringComparer.Ordinal);
        var conflicts = 0;
        for (int hops = 0, retries = 0; ;)
        {
            if (record?.MergedInto is { } survivor)
            {
                if (++hops > MaxMergeHops)
                {
                    throw new InvalidOperationException($"Customer {customerId} leads through more than {MaxMergeHops} merges.");
                }

                followedFrom ??= customerId;
                target = survivor;
                record = cache.Get(target) ?? await customers.GetAsync(target, cancellationToken);
                lookedUpExisting = false;
                continue;
            }

            if (record?.ErasedAt is not null)
            {
                erased.AddRange(pending);
                pending.Clear();
                break;
            }

            if (!lookedUpExisting && pending.Count > 1 && (options.RowsMayExist || conflicts > 1))
            {
                // A retried batch: find what an earlier attempt stored with one range query, not one conflict per row.
                lookedUpExisting = true;
                existing = await ExistingKeysAsync(target, pending, cancellationToken);
                duplicates.AddRange(pending.Where(t => existing.ContainsKey(DedupKey(t))));
                pending.RemoveAll(t => existing.ContainsKey(DedupKey(t)));
            }

            var current = record ?? new CustomerRecord { CustomerId = target, CreatedAt = clock.GetUtcNow() };
            var newIdentities = IdentityResolver.Union(current.Identities, identities);
            if (pending.Count == 0 && record is not null && ReferenceEquals(newIdentities, current.Identities))
            {
                break;
            }

            var chunk = TakeTransaction(pending);
            var updated = current with
            {
                Journey = chunk.Aggregate(current.Journey, (journey, t) => journey.Apply(t)),
                Identities = newIdentities,
            };
            var (actions, owners) = Actions(target, chunk, record, updated);
            try
            {
                var response = await Table.SubmitTransactionAsync(actions, cancellationToken);
                before ??= current.Journey;
                record = updated with { ETag = response.Value[^1].Headers.ETag?.ToString() };
                cache.Set(record);
                inserted.AddRange(chunk.Select(t => t with { CustomerId = target }));
                pending.RemoveRange(0, chunk.Count);
                identities = [];
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409 && ex.FailedTransactionActionIndex is int index && index < owners.Count)
            {
                // That row (or its marker) exists: it was applied together with the summary before.
                var applied = owners[index];
                duplicates.Add(applied);
                pending.Remove(applied);
                conflicts++;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 or 404 && ++retries < MaxConcurrencyRetries)
            {
                // The summary moved under us (another writer, a new tombstone, a concurrent first write): read it again.
                record = await customers.GetAsync(target, cancellationToken);
            }
        }

        return new AppendResult
        {
            CustomerId = target,
            Inserted = inserted,
            Duplicates = await AsStoredAsync(target, duplicates, existing, cancellationToken),
            Erased = erased,
            Before = before ?? record?.Journey ?? new JourneyState(),
            After = record?.Journey ?? new JourneyState(),
            FollowedFrom = followedFrom,
            HasPendingMerges = record?.HasPendingMerges ?? false,
        };
    }

    public async Task<TimelinePage> QueryAsync(string customerId, TimelineQuery query, CancellationToken cancellationToken)
    {
        var (items, next) = await PageAsync(customerId, query, ["RowKey", "Json", "NoOwnTime", "CopyOf"], FromEntity, cancellationToken);
        return new TimelinePage(items, next);
    }

    public async Task<StoredTimelinePage> ReadPageAsync(string customerId, TimelineQuery query, CancellationToken cancellationToken)
    {
        var (items, next) = await PageAsync(customerId, query, ["RowKey", "Json"], StoredFromEntity, cancellationToken);
        return new StoredTimelinePage(items, next);
    }

    /// <summary>
    /// One page of rows, newest first. Asks for <c>limit + 1</c> rows so that knowing whether a next page exists costs no
    /// second request; the cursor is the row key of the page's last row.
    /// </summary>
    private async Task<(List<T> Items, string? NextCursor)> PageAsync<T>(string customerId, TimelineQuery query, IEnumerable<string> select, Func<TableEntity, T> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await bootstrap.EnsureAsync(cancellationToken);
        var limit = Math.Clamp(query.Limit, 1, TimelineQuery.MaxLimit);
        var filter = BuildFilter(customerId, query);
        var items = new List<T>(limit);
        string? lastRowKey = null;
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(1000, limit + 1), select: select, cancellationToken: cancellationToken))
        {
            if (items.Count == limit)
            {
                return (items, Cursor.Encode(lastRowKey!));
            }

            items.Add(read(entity));
            lastRowKey = entity.RowKey;
        }

        return (items, null);
    }

    /// <summary>One range query over the rows' keys, reading only their <c>RawRef</c> column.</summary>
    public async Task<IReadOnlySet<string>?> StoredRawRefsAsync(string customerId, IReadOnlyList<Touchpoint> touchpoints, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(touchpoints);
        if (touchpoints.Count == 0)
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }

        await bootstrap.EnsureAsync(cancellationToken);
        var wanted = touchpoints.Select(t => TimelineKeys.RowKey(t.OccurredAt, t.TouchpointId)).ToHashSet(StringComparer.Ordinal);
        var (low, high) = (wanted.Min(StringComparer.Ordinal)!, wanted.Max(StringComparer.Ordinal)!);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {customerId} and RowKey ge {low} and RowKey le {high}");
        var rawRefs = new HashSet<string>(StringComparer.Ordinal);
        var found = 0;
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["RowKey", "RawRef"], cancellationToken: cancellationToken))
        {
            if (wanted.Contains(entity.RowKey))
            {
                found++;
                if (entity.GetString("RawRef") is { Length: > 0 } rawRef)
                {
                    rawRefs.Add(rawRef);
                }
            }
        }

        return found == wanted.Count ? rawRefs : null;
    }

    public async Task<int> DeleteCustomerAsync(string customerId, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        var keys = new List<string>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {customerId} and RowKey ne {PartitionRows.Summary}");
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            keys.Add(entity.RowKey);
        }

        foreach (var chunk in keys.Chunk(MaxOperations))
        {
            var pending = chunk.ToList();
            while (pending.Count > 0)
            {
                try
                {
                    await Table.SubmitTransactionAsync(pending.Select(rk => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(customerId, rk), ETag.All)), cancellationToken);
                    pending.Clear();
                }
                catch (TableTransactionFailedException ex) when (ex.Status == 404 && ex.FailedTransactionActionIndex is int index && index < pending.Count)
                {
                    // Deleted meanwhile (a concurrent finish of the same merge or erasure): nothing left to do for that row.
                    pending.RemoveAt(index);
                }
            }
        }

        return keys.Count(k => !PartitionRows.IsMarker(k));
    }

    internal static string BuildFilter(string customerId, TimelineQuery query)
    {
        // The upper bound keeps the summary row and the markers (row keys starting with '~') out of every page.
        var parts = new List<string> { TableClient.CreateQueryFilter($"PartitionKey eq {customerId} and RowKey lt {PartitionRows.TouchpointRowsEnd}") };
        if (query.Cursor is not null)
        {
            parts.Add(TableClient.CreateQueryFilter($"RowKey gt {Cursor.Decode(query.Cursor)}"));
        }

        if (query.To is { } to)
        {
            parts.Add(TableClient.CreateQueryFilter($"RowKey ge {TimelineKeys.LowerBoundFor(to)}"));
        }

        if (query.From is { } from)
        {
            // Row keys are "<inverted ticks>_<id>"; '`' sorts right after '_', so this keeps everything at `from` itself.
            parts.Add(TableClient.CreateQueryFilter($"RowKey lt {TimelineKeys.LowerBoundFor(from) + "`"}"));
        }

        if (query.Stage is { } stage)
        {
            parts.Add(TableClient.CreateQueryFilter($"Stage eq {JourneyJson.WireName(stage)}"));
        }

        if (query.Channel is { } channel)
        {
            parts.Add(TableClient.CreateQueryFilter($"Channel eq {JourneyJson.WireName(channel)}"));
        }

        if (query.Source is { } source)
        {
            parts.Add(TableClient.CreateQueryFilter($"Source eq {source}"));
        }

        return string.Join(" and ", parts);
    }

    internal static TableEntity ToEntity(string customerId, Touchpoint touchpoint)
    {
        var json = JsonSerializer.Serialize(touchpoint, JourneyJson.Options);
        if (json.Length > MaxJsonChars)
        {
            // Azure rejects oversized properties (Azurite does not): keep the fact, drop the bulky extras.
            var trimmed = touchpoint with
            {
                Attributes = new Dictionary<string, string> { ["truncated"] = "true" },
                Summary = touchpoint.Summary.Length > 500 ? touchpoint.Summary[..500] : touchpoint.Summary,
            };
            json = JsonSerializer.Serialize(trimmed, JourneyJson.Options);
        }

        return new TableEntity(customerId, TimelineKeys.RowKey(touchpoint.OccurredAt, touchpoint.TouchpointId))
        {
            ["Json"] = json,
            ["TouchpointId"] = touchpoint.TouchpointId,
            ["OccurredAt"] = touchpoint.OccurredAt,
            ["Source"] = touchpoint.Source,
            ["Channel"] = JourneyJson.WireName(touchpoint.Channel),
            ["Stage"] = touchpoint.Stage is { } s ? JourneyJson.WireName(s) : null,
            ["Action"] = touchpoint.Action,
            ["RawRef"] = touchpoint.RawRef,
            ["NoOwnTime"] = touchpoint.OccurredAtIsReceiptTime ? true : null,
            ["CopyOf"] = touchpoint.CopyOf,
        };
    }

    internal static StoredTouchpoint StoredFromEntity(TableEntity entity)
    {
        var (occurredAt, touchpointId) = TimelineKeys.Parse(entity.RowKey);
        return new StoredTouchpoint(touchpointId, occurredAt, entity.GetString("Json")
            ?? throw new InvalidDataException($"Timeline row {entity.PartitionKey}/{entity.RowKey} holds no touchpoint."));
    }

    internal static Touchpoint FromEntity(TableEntity entity)
    {
        var touchpoint = JsonSerializer.Deserialize<Touchpoint>(entity.GetString("Json"), JourneyJson.Options)
            ?? throw new InvalidDataException($"Timeline row {entity.PartitionKey}/{entity.RowKey} holds no touchpoint.");
        var noOwnTime = entity.GetBoolean("NoOwnTime") == true;
        var copyOf = entity.GetString("CopyOf");
        return noOwnTime || copyOf is not null ? touchpoint with { OccurredAtIsReceiptTime = noOwnTime, CopyOf = copyOf } : touchpoint;
    }

    /// <summary>
    /// What makes a redelivery the same row: the time-ordered row key, or a marker row (<see cref="MarkerKey"/>).
    /// </summary>
    private static string DedupKey(Touchpoint touchpoint) => MarkerKey(touchpoint) ?? TimelineKeys.RowKey(touchpoint.OccurredAt, touchpoint.TouchpointId);

    /// <summary>
    /// The marker row inserted beside a touchpoint row, when the row key alone does not say "already applied": a copy of
    /// an object event is keyed by that event (two customers' copies of one deal event, merged, must stay one row); an
    /// event without a time of its own (whose receipt time differs on every delivery) by its touchpoint id.
    /// </summary>
    private static string? MarkerKey(Touchpoint touchpoint) =>
        touchpoint.CopyOf is { } objectEvent ? PartitionRows.CopyMarker(objectEvent)
        : touchpoint.OccurredAtIsReceiptTime ? PartitionRows.ReceiptTimeMarker(touchpoint.TouchpointId)
        : null;

    /// <summary>As many rows as fit one transaction beside the summary update (a row with a marker takes two operations).</summary>
    private static List<Touchpoint> TakeTransaction(List<Touchpoint> pending)
    {
        var chunk = new List<Touchpoint>(Math.Min(pending.Count, MaxOperations - 1));
        var operations = 1;
        foreach (var touchpoint in pending)
        {
            var cost = MarkerKey(touchpoint) is null ? 1 : 2;
            if (operations + cost > MaxOperations)
            {
                break;
            }

            chunk.Add(touchpoint);
            operations += cost;
        }

        return chunk;
    }

    /// <summary>The transaction's actions, the summary last; <c>owners[i]</c> is the touchpoint of action i.</summary>
    private static (List<TableTransactionAction> Actions, List<Touchpoint> Owners) Actions(string customerId, List<Touchpoint> chunk, CustomerRecord? stored, CustomerRecord updated)
    {
        var actions = new List<TableTransactionAction>(chunk.Count * 2 + 1);
        var owners = new List<Touchpoint>(chunk.Count * 2);
        foreach (var touchpoint in chunk)
        {
            actions.Add(new TableTransactionAction(TableTransactionActionType.Add, ToEntity(customerId, touchpoint with { CustomerId = customerId })));
            owners.Add(touchpoint);
            if (MarkerKey(touchpoint) is { } marker)
            {
                actions.Add(new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(customerId, marker)
                {
                    ["RowKeyOfRow"] = TimelineKeys.RowKey(touchpoint.OccurredAt, touchpoint.TouchpointId),
                }));
                owners.Add(touchpoint);
            }
        }

        actions.Add(stored?.ETag is { } etag
            ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, SummaryEntity.From(updated), new ETag(etag))
            : new TableTransactionAction(TableTransactionActionType.Add, SummaryEntity.From(updated)));
        return (actions, owners);
    }

    /// <summary>
    /// A duplicate found through its marker may be stored under another row key: an event without a time of its own
    /// received again at another time, or another copy of the same object event (a merge brings two customers' copies
    /// together; a replay may come under another association key). What is reported, and published again on a retry, is
    /// the stored row, so downstream never hears of a touchpoint id or time the timeline does not hold.
    /// </summary>
    /// <param name="found">Keys the range lookup found, with the row key each marker points to: those markers are not read again.</param>
    private async Task<List<Touchpoint>> AsStoredAsync(string customerId, List<Touchpoint> duplicates, IReadOnlyDictionary<string, string?> found, CancellationToken cancellationToken)
    {
        var reported = new List<Touchpoint>(duplicates.Count);
        foreach (var touchpoint in duplicates)
        {
            var stored = MarkerKey(touchpoint) is { } marker ? await StoredUnderAsync(customerId, marker, found.GetValueOrDefault(marker), touchpoint, cancellationToken) : null;
            reported.Add(stored ?? touchpoint with { CustomerId = customerId });
        }

        return reported;
    }

    /// <summary>The row a marker points to, when that is another row than the touchpoint's own.</summary>
    private async Task<Touchpoint?> StoredUnderAsync(string customerId, string marker, string? knownRowKey, Touchpoint touchpoint, CancellationToken cancellationToken)
    {
        var rowKey = knownRowKey;
        if (rowKey is null)
        {
            var found = await Table.GetEntityIfExistsAsync<TableEntity>(customerId, marker, select: ["RowKeyOfRow"], cancellationToken: cancellationToken);
            rowKey = found.HasValue ? found.Value!.GetString("RowKeyOfRow") : null;
        }

        if (rowKey is null || rowKey == TimelineKeys.RowKey(touchpoint.OccurredAt, touchpoint.TouchpointId))
        {
            return null;
        }

        var row = await Table.GetEntityIfExistsAsync<TableEntity>(customerId, rowKey, select: ["Json", "NoOwnTime", "CopyOf"], cancellationToken: cancellationToken);
        return row.HasValue ? FromEntity(row.Value!) with { CustomerId = customerId } : null;
    }

    /// <summary>Which of the pending rows' dedup keys exist; for a marker, with the row key it points to.</summary>
    private async Task<Dictionary<string, string?>> ExistingKeysAsync(string customerId, List<Touchpoint> pending, CancellationToken cancellationToken)
    {
        var existing = new Dictionary<string, string?>(StringComparer.Ordinal);

        // Touchpoint rows and each kind of marker live in their own key ranges of the partition: one query per range.
        foreach (var group in pending.Select(DedupKey).GroupBy(k => PartitionRows.IsMarker(k) ? k[..(k.IndexOf('_', StringComparison.Ordinal) + 1)] : ""))
        {
            var wanted = group.ToHashSet(StringComparer.Ordinal);
            var (low, high) = (wanted.Min(StringComparer.Ordinal)!, wanted.Max(StringComparer.Ordinal)!);
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {customerId} and RowKey ge {low} and RowKey le {high}");
            await foreach (var entity in Table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["RowKey", "RowKeyOfRow"], cancellationToken: cancellationToken))
            {
                if (wanted.Contains(entity.RowKey))
                {
                    existing[entity.RowKey] = entity.GetString("RowKeyOfRow");
                }
            }
        }

        return existing;
    }

}
