using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using JourneyHub.Azure.Storage;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Journey.Segments;
using JourneyHub.Core.Schema;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;

namespace JourneyHub.Azure.Segments;

/// <summary>
/// Segment journey map aggregates in the <c>SegmentMap</c> table, spread over <see cref="Shards"/> partitions by a hash
/// of the customer id. Each shard partition holds
/// <list type="bullet">
/// <item>one row per customer, RowKey <c>c|&lt;customerId&gt;</c>: its current <see cref="SegmentContribution"/>;</item>
/// <item>sums rows, RowKey <c>d|&lt;yyyyMMdd&gt;|&lt;segment&gt;</c>: the counters of every customer of the shard in that
/// segment, for that day.</item>
/// </list>
/// A change is one entity-group transaction in the customer's shard: the contribution row is replaced and each sums
/// row it touches moves by (new − old), all under ETags. So the sums are exact, a repeated call changes nothing, and
/// order does not matter. A map request reads only sums rows: one range query per shard, whatever the number of
/// customers. Rows are JSON split over properties of at most <see cref="ChunkChars"/> characters (a string property
/// holds 64 KiB).
/// <para>
/// The rows this process last wrote or read are kept in memory with their ETags (<c>Storage:Cache:SegmentRows</c>), so
/// the common change (a customer whose contribution row and sums rows were touched recently) is the transaction alone,
/// without the point read and the range query before it. The table stays authoritative: a stale row fails its ETag (or,
/// deleted meanwhile, its existence) check, is forgotten, and the change is read and made again.
/// </para>
/// </summary>
public sealed partial class TableSegmentAggregates(
    StorageClients clients,
    TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<StorageCacheOptions> cacheOptions,
    ILogger<TableSegmentAggregates> logger) : ISegmentAggregates, IDisposable
{
    public const string TableName = "SegmentMap";
    public const int Shards = 16;
    internal const int ChunkChars = 30_000;
    private const int MaxTransactionActions = 100;
    private const int MaxConcurrencyRetries = 30;
    private const string ContributionPrefix = "c|";
    private const string SumsPrefix = "d|";
    private const string VersionColumn = "Version";

    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(10);

    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly MemoryCache rows = new(new MemoryCacheOptions { SizeLimit = Math.Max(1, cacheOptions.Value.SegmentRows) });

    // Customers of one shard share its sums rows, so concurrent changes in one process would mostly fail each other's
    // ETags and go round again (measured: 1.4 transactions per change at 16 senders). One change per shard at a time in
    // a process leaves the ETags to catch only other processes; the 16 shards still proceed in parallel.
    private readonly SemaphoreSlim[] shardGates = Enumerable.Range(0, Shards).Select(_ => new SemaphoreSlim(1, 1)).ToArray();
    private volatile bool ready;

    private TableClient Table => clients.Tables.GetTableClient(TableName);

    public async Task ApplyAsync(string customerId, JourneyState? before, JourneyState? after, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(customerId);
        var next = SegmentContribution.Of(customerId, after);
        if (before is not null && SegmentContribution.Of(customerId, before).Canonical() == next.Canonical())
        {
            return;
        }

        // A summary only grows (touchpoints applied, customers combined), so its touchpoint count orders its versions:
        // a slower call with an older summary never overwrites a newer one. Removal is final (erased or merged away
        // ids never come back), so it leaves an empty contribution that outranks every summary.
        var version = after?.TouchpointCount ?? long.MaxValue;
        await EnsureAsync(cancellationToken);
        var shardGate = shardGates[Shard(customerId)];
        await shardGate.WaitAsync(cancellationToken);
        try
        {
            await ApplyInShardAsync(customerId, next, version, cancellationToken);
        }
        finally
        {
            shardGate.Release();
        }
    }

    private async Task ApplyInShardAsync(string customerId, SegmentContribution next, long version, CancellationToken cancellationToken)
    {
        var partition = Partition(customerId);
        var contributionKey = ContributionPrefix + customerId;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var stored = Cached(partition, contributionKey);
                if (stored is null)
                {
                    var found = await Table.GetEntityIfExistsAsync<TableEntity>(partition, contributionKey, cancellationToken: cancellationToken);
                    stored = found.HasValue ? found.Value : null;
                    Remember(stored);
                }

                var storedVersion = stored?.GetInt64(VersionColumn) ?? 0;
                if (storedVersion > version)
                {
                    return;
                }

                var old = stored is null ? SegmentContribution.Empty : SegmentContribution.Parse(ReadChunks(stored));
                if (stored is not null && storedVersion == version && old.Canonical() == next.Canonical())
                {
                    return;
                }

                var changes = Changes(old, next);
                if (changes.Count + 1 > MaxTransactionActions)
                {
                    // Too many rows for one transaction (segments and days both moved, e.g. a merge): take the old part
                    // out first, then put the new one in. Each step is exact on its own.
                    await CommitAsync(partition, customerId, stored, SegmentContribution.Empty, storedVersion, Changes(old, SegmentContribution.Empty), cancellationToken);
                    continue;
                }

                await CommitAsync(partition, customerId, stored, next, version, changes, cancellationToken);
                return;
            }
            catch (Exception ex) when (IsConcurrencyConflict(ex) && attempt < MaxConcurrencyRetries)
            {
                // Another customer of this shard moved a sums row (or this customer's row) in between, or a cached row was
                // stale (the rows of the failed transaction are forgotten): read again.
                LogConflict(customerId, attempt + 1);
            }
        }
    }

    /// <summary>
    /// Writes the rows a population's <see cref="ApplyAsync"/> calls (before <c>null</c>, one after another in this
    /// order, onto an empty table) would leave, without their per-customer read and transaction: the contributions are
    /// built by <see cref="SegmentContribution.Of"/>, the sums rows are folded in memory with the same
    /// <see cref="SumsRow.Apply"/> (so even the capped example lists come out in the same order), and everything is
    /// upserted in entity-group transactions of up to 100 rows of one shard, several at once. For seeding large
    /// populations (benchmarks, demo data): sequential <see cref="ApplyAsync"/> manages tens of customers per second.
    /// Rows already in the table under the same keys are replaced, so seeding a population again, grown, is exact too.
    /// </summary>
    public async Task SeedAsync(IEnumerable<(string CustomerId, JourneyState Summary)> population, int parallelTransactions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(population);
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelTransactions, 1);
        await EnsureAsync(cancellationToken);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var contributions = new Dictionary<string, List<TableEntity>>(StringComparer.Ordinal);
        var sums = new Dictionary<string, Dictionary<(string Day, string Segment), SumsRow>>(StringComparer.Ordinal);
        foreach (var (customerId, summary) in population)
        {
            ArgumentException.ThrowIfNullOrEmpty(customerId);
            ArgumentNullException.ThrowIfNull(summary);

            // A second call for one customer would move its sums by (new - old), not add twice: not what a fold does.
            if (!seen.Add(customerId))
            {
                throw new ArgumentException($"Customer {customerId} appears twice in the population.", nameof(population));
            }

            var partition = Partition(customerId);
            var contribution = SegmentContribution.Of(customerId, summary);
            var entity = ContributionEntity(partition, ContributionPrefix + customerId, contribution);
            entity[VersionColumn] = (long)summary.TouchpointCount;
            if (!contributions.TryGetValue(partition, out var shardContributions))
            {
                contributions[partition] = shardContributions = [];
                sums[partition] = [];
            }

            shardContributions.Add(entity);
            var shardSums = sums[partition];
            foreach (var (key, change) in Changes(SegmentContribution.Empty, contribution))
            {
                var row = shardSums.TryGetValue(key, out var existing) ? existing : new SumsRow(new Dictionary<string, long>(StringComparer.Ordinal), new Dictionary<string, List<string>>(StringComparer.Ordinal));
                shardSums[key] = row.Apply(change);
            }
        }

        // ApplyAsync never stores an empty sums row (it adds none and deletes one that empties).
        var batches = contributions
            .SelectMany(shard => shard.Value
                .Concat(sums[shard.Key].Where(r => !r.Value.IsEmpty).Select(r => r.Value.ToEntity(shard.Key, SumsRowKey(r.Key.Day, r.Key.Segment), r.Key.Day, r.Key.Segment)))
                .Chunk(MaxTransactionActions))
            .ToList();
        await Parallel.ForEachAsync(
            batches,
            new ParallelOptions { MaxDegreeOfParallelism = parallelTransactions, CancellationToken = cancellationToken },
            async (batch, token) => await Table.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), token));
    }

    public async Task<SegmentMapReport> MapAsync(SegmentMapQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var rows = await ReadSumsAsync(query, cancellationToken);
        var counters = new Dictionary<string, long>(StringComparer.Ordinal);
        var examples = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            foreach (var (metric, value) in row.Counters)
            {
                counters[metric] = counters.GetValueOrDefault(metric) + value;
            }

            foreach (var (metric, list) in row.Examples)
            {
                if (!examples.TryGetValue(metric, out var all))
                {
                    examples[metric] = all = [];
                }

                all.AddRange(list);
            }
        }

        var ordered = examples.ToDictionary(e => e.Key, e => (IReadOnlyList<string>)e.Value.Order(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        return SegmentMapCalculator.Compute(query, counters, ordered, clock.GetUtcNow());
    }

    public async Task<SegmentCustomers> CustomersAsync(SegmentMapQuery query, string metric, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentException.ThrowIfNullOrEmpty(metric);
        await EnsureAsync(cancellationToken);
        var (fromDay, toDay) = (query.FromDay, query.ToDay);
        var found = new List<SegmentCustomer>();
        await Task.WhenAll(Enumerable.Range(0, Shards).Select(async shard =>
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ShardKey(shard)} and RowKey ge {ContributionPrefix} and RowKey lt {"c}"}");
            if (query.Segment.Kind != SegmentKind.All)
            {
                // The column name comes from a fixed list; only the value is user input, quoted by CreateQueryFilter.
                filter += " and " + SegmentColumn(query.Segment.Kind) + " eq " + TableClient.CreateQueryFilter($"{query.Segment.Value}");
            }

            await foreach (var entity in Table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken))
            {
                var contribution = SegmentContribution.Parse(ReadChunks(entity));
                var count = contribution.Days
                    .Where(d => string.CompareOrdinal(d.Key, fromDay) >= 0 && string.CompareOrdinal(d.Key, toDay) < 0)
                    .Sum(d => d.Value.GetValueOrDefault(metric));
                if (count > 0)
                {
                    lock (found)
                    {
                        found.Add(new SegmentCustomer(entity.RowKey[ContributionPrefix.Length..], count));
                    }
                }
            }
        }));

        var ordered = found.OrderByDescending(c => c.Count).ThenBy(c => c.CustomerId, StringComparer.Ordinal).ToList();
        return new SegmentCustomers(query.Segment.Key, metric, ordered.Take(limit).ToList(), ordered.Count > limit);
    }

    public void Dispose()
    {
        gate.Dispose();
        rows.Dispose();
        foreach (var shardGate in shardGates)
        {
            shardGate.Dispose();
        }
    }

    /// <summary>The shard of a customer: FNV-1a of its id, stable across processes and versions.</summary>
    public static int Shard(string customerId)
    {
        ArgumentNullException.ThrowIfNull(customerId);
        var hash = 2166136261u;
        foreach (var c in customerId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % Shards);
    }

    private static string Partition(string customerId) => ShardKey(Shard(customerId));

    private static string ShardKey(int shard) => "s" + shard.ToString("00", System.Globalization.CultureInfo.InvariantCulture);

    private static string SumsRowKey(string day, string segment) => SumsPrefix + day + "|" + TableKey.Escape(segment);

    private async Task<List<SumsRow>> ReadSumsAsync(SegmentMapQuery query, CancellationToken cancellationToken)
    {
        await EnsureAsync(cancellationToken);
        var (low, high) = (SumsPrefix + query.FromDay + "|", SumsPrefix + query.ToDay + "|");
        var segment = query.Segment.Key;
        var perShard = await Task.WhenAll(Enumerable.Range(0, Shards).Select(async shard =>
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ShardKey(shard)} and RowKey ge {low} and RowKey lt {high} and Segment eq {segment}");
            var rows = new List<SumsRow>();
            await foreach (var entity in Table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken))
            {
                rows.Add(SumsRow.From(entity));
            }

            return rows;
        }));
        return perShard.SelectMany(r => r).ToList();
    }

    /// <summary>Per sums row (day, segment): how its counters move and which examples leave or join.</summary>
    private static Dictionary<(string Day, string Segment), RowChange> Changes(SegmentContribution old, SegmentContribution next)
    {
        var changes = new Dictionary<(string, string), RowChange>();
        RowChange Change(string day, string segment)
        {
            if (!changes.TryGetValue((day, segment), out var change))
            {
                changes[(day, segment)] = change = new RowChange();
            }

            return change;
        }

        foreach (var (contribution, sign) in new[] { (old, -1L), (next, 1L) })
        {
            foreach (var segment in contribution.Segments)
            {
                foreach (var (day, counters) in contribution.Days)
                {
                    var change = Change(day, segment);
                    foreach (var (metric, value) in counters)
                    {
                        change.Delta[metric] = change.Delta.GetValueOrDefault(metric) + (sign * value);
                    }
                }

                foreach (var (day, byMetric) in contribution.Examples)
                {
                    var change = Change(day, segment);
                    foreach (var (metric, list) in byMetric)
                    {
                        foreach (var example in list)
                        {
                            (sign < 0 ? change.ExamplesOut : change.ExamplesIn).Add((metric, example));
                        }
                    }
                }
            }
        }

        foreach (var (key, change) in changes.ToList())
        {
            foreach (var zero in change.Delta.Where(d => d.Value == 0).Select(d => d.Key).ToList())
            {
                change.Delta.Remove(zero);
            }

            var same = change.ExamplesIn.Intersect(change.ExamplesOut).ToList();
            change.ExamplesIn.ExceptWith(same);
            change.ExamplesOut.ExceptWith(same);
            if (change.Delta.Count == 0 && change.ExamplesIn.Count == 0 && change.ExamplesOut.Count == 0)
            {
                changes.Remove(key);
            }
        }

        return changes;
    }

    private async Task CommitAsync(string partition, string customerId, TableEntity? stored, SegmentContribution next, long version, Dictionary<(string Day, string Segment), RowChange> changes, CancellationToken cancellationToken)
    {
        var current = await ReadRowsAsync(partition, changes.Keys.ToList(), cancellationToken);
        var actions = new List<TableTransactionAction>(changes.Count + 1);
        foreach (var ((day, segment), change) in changes)
        {
            var rowKey = SumsRowKey(day, segment);
            var row = current.TryGetValue(rowKey, out var existing) ? existing.Row : new SumsRow(new Dictionary<string, long>(StringComparer.Ordinal), new Dictionary<string, List<string>>(StringComparer.Ordinal));
            var updated = row.Apply(change);
            if (existing.Entity is null)
            {
                if (!updated.IsEmpty)
                {
                    actions.Add(new TableTransactionAction(TableTransactionActionType.Add, updated.ToEntity(partition, rowKey, day, segment)));
                }
            }
            else if (updated.IsEmpty)
            {
                actions.Add(new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, rowKey), existing.Entity.ETag));
            }
            else
            {
                actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateReplace, updated.ToEntity(partition, rowKey, day, segment), existing.Entity.ETag));
            }
        }

        var entity = ContributionEntity(partition, ContributionPrefix + customerId, next);
        entity[VersionColumn] = version;
        actions.Add(stored is null
            ? new TableTransactionAction(TableTransactionActionType.Add, entity)
            : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, stored.ETag));
        Response<IReadOnlyList<Response>> response;
        try
        {
            response = await Table.SubmitTransactionAsync(actions, cancellationToken);
        }
        catch (RequestFailedException)
        {
            // Whichever row failed its check, the others may be as stale: the retry reads them all from the table.
            foreach (var action in actions)
            {
                rows.Remove(CacheKey(action.Entity.PartitionKey, action.Entity.RowKey));
            }

            throw;
        }

        // Every row written is now known with its new ETag; deleted rows are known to be absent only to the table.
        for (var i = 0; i < actions.Count; i++)
        {
            var written = actions[i].Entity;
            if (actions[i].ActionType == TableTransactionActionType.Delete || response.Value[i].Headers.ETag is not { } etag)
            {
                rows.Remove(CacheKey(written.PartitionKey, written.RowKey));
                continue;
            }

            // The entity objects were built for this transaction only, so the cache may keep them as they are.
            var kept = (TableEntity)written;
            kept.ETag = etag;
            Remember(kept);
        }
    }

    private TableEntity? Cached(string partition, string rowKey) =>
        rows.TryGetValue(CacheKey(partition, rowKey), out TableEntity? entity) ? entity : null;

    private void Remember(TableEntity? entity)
    {
        if (entity is not null)
        {
            rows.Set(CacheKey(entity.PartitionKey, entity.RowKey), entity, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = Idle });
        }
    }

    private static string CacheKey(string partition, string rowKey) => partition + "/" + rowKey;

    /// <summary>
    /// The sums rows of these (day, segment) pairs in one query: a RowKey range from the first to the last day, narrowed
    /// by day and segment columns, so the common case (one or two days) is a short range scan.
    /// </summary>
    private async Task<Dictionary<string, (TableEntity? Entity, SumsRow Row)>> ReadRowsAsync(string partition, List<(string Day, string Segment)> keys, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, (TableEntity?, SumsRow)>(StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            return found;
        }

        var cached = keys.Select(k => Cached(partition, SumsRowKey(k.Day, k.Segment))).ToList();
        if (cached.All(entity => entity is not null))
        {
            // Every row known from this process's last write or read: the transaction's ETags will tell if one moved.
            foreach (var entity in cached)
            {
                found[entity!.RowKey] = (entity, SumsRow.From(entity));
            }

            return found;
        }

        var days = keys.Select(k => k.Day).Distinct().Order(StringComparer.Ordinal).ToList();
        var segments = keys.Select(k => k.Segment).Distinct().Order(StringComparer.Ordinal).ToList();
        var filter = new StringBuilder(TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {SumsPrefix + days[0] + "|"} and RowKey lt {SumsPrefix + days[^1] + "}"}"));
        filter.Append(" and (").AppendJoin(" or ", days.Select(d => TableClient.CreateQueryFilter($"Day eq {d}"))).Append(')');
        filter.Append(" and (").AppendJoin(" or ", segments.Select(s => TableClient.CreateQueryFilter($"Segment eq {s}"))).Append(')');
        var wanted = keys.Select(k => SumsRowKey(k.Day, k.Segment)).ToHashSet(StringComparer.Ordinal);
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter.ToString(), maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            if (wanted.Contains(entity.RowKey))
            {
                found[entity.RowKey] = (entity, SumsRow.From(entity));
                Remember(entity);
            }
        }

        return found;
    }

    private static TableEntity ContributionEntity(string partition, string rowKey, SegmentContribution contribution)
    {
        var entity = new TableEntity(partition, rowKey);
        foreach (var key in contribution.Segments)
        {
            if (Segment.TryParse(key, out _) is { Kind: not SegmentKind.All } segment)
            {
                entity[SegmentColumn(segment.Kind)] = segment.Value;
            }
        }

        WriteChunks(entity, contribution.Canonical());
        return entity;
    }

    private static string SegmentColumn(SegmentKind kind) => kind switch
    {
        SegmentKind.Persona => "Persona",
        SegmentKind.Source => "FirstSource",
        SegmentKind.Channel => "FirstChannel",
        SegmentKind.Cohort => "Cohort",
        SegmentKind.Converted => "Converted",
        _ => "All",
    };

    internal static void WriteChunks(TableEntity entity, string json)
    {
        var count = 0;
        for (var start = 0; start < json.Length; start += ChunkChars, count++)
        {
            entity["Json" + count.ToString(System.Globalization.CultureInfo.InvariantCulture)] = json.Substring(start, Math.Min(ChunkChars, json.Length - start));
        }

        entity["Chunks"] = count;
    }

    internal static string ReadChunks(TableEntity entity)
    {
        var count = entity.GetInt32("Chunks") ?? 0;
        var text = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            text.Append(entity.GetString("Json" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return text.Length == 0 ? "{}" : text.ToString();
    }

    /// <summary>Someone else wrote, created or (a concurrent finish of the same merge or erasure) deleted a row meanwhile.</summary>
    private static bool IsConcurrencyConflict(Exception ex) =>
        ex is TableTransactionFailedException { Status: 404 or 409 or 412 } || ex is RequestFailedException { Status: 404 or 409 or 412 };

    private async ValueTask EnsureAsync(CancellationToken cancellationToken)
    {
        if (ready)
        {
            return;
        }

        await gate.WaitAsync(cancellationToken);
        try
        {
            if (!ready)
            {
                await Table.CreateIfNotExistsAsync(cancellationToken);
                ready = true;
            }
        }
        finally
        {
            gate.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Segment aggregates of {CustomerId}: concurrent change in its shard, retry {Attempt}")]
    private partial void LogConflict(string customerId, int attempt);

    private sealed class RowChange
    {
        public Dictionary<string, long> Delta { get; } = new(StringComparer.Ordinal);

        public HashSet<(string Metric, string Example)> ExamplesIn { get; } = [];

        public HashSet<(string Metric, string Example)> ExamplesOut { get; } = [];
    }

    /// <summary>The counters of one (day, segment) and a few pain point examples per metric.</summary>
    private sealed record SumsRow(Dictionary<string, long> Counters, Dictionary<string, List<string>> Examples)
    {
        /// <summary>Examples kept per pain metric in one row: enough to show a few per map, bounded so a row stays small.</summary>
        private const int MaxExamplesPerRow = 5;

        public bool IsEmpty => Counters.Count == 0;

        public static SumsRow From(TableEntity entity)
        {
            var stored = JsonSerializer.Deserialize<StoredSums>(ReadChunks(entity), JourneyJson.Options) ?? new StoredSums();
            return new SumsRow(new Dictionary<string, long>(stored.C, StringComparer.Ordinal), new Dictionary<string, List<string>>(stored.X, StringComparer.Ordinal));
        }

        public SumsRow Apply(RowChange change)
        {
            var counters = new Dictionary<string, long>(Counters, StringComparer.Ordinal);
            foreach (var (metric, delta) in change.Delta)
            {
                var value = counters.GetValueOrDefault(metric) + delta;
                if (value == 0)
                {
                    counters.Remove(metric);
                }
                else
                {
                    counters[metric] = value;
                }
            }

            var examples = Examples.ToDictionary(e => e.Key, e => new List<string>(e.Value), StringComparer.Ordinal);
            foreach (var (metric, example) in change.ExamplesOut)
            {
                if (examples.TryGetValue(metric, out var list))
                {
                    list.Remove(example);
                }
            }

            foreach (var (metric, example) in change.ExamplesIn.OrderBy(e => e.Example, StringComparer.Ordinal))
            {
                if (!examples.TryGetValue(metric, out var list))
                {
                    examples[metric] = list = [];
                }

                if (list.Count < MaxExamplesPerRow && !list.Contains(example))
                {
                    list.Add(example);
                }
            }

            foreach (var metric in examples.Where(e => e.Value.Count == 0 || !counters.ContainsKey(e.Key)).Select(e => e.Key).ToList())
            {
                examples.Remove(metric);
            }

            return new SumsRow(counters, examples);
        }

        public TableEntity ToEntity(string partition, string rowKey, string day, string segment)
        {
            var entity = new TableEntity(partition, rowKey) { ["Day"] = day, ["Segment"] = segment };
            var json = JsonSerializer.Serialize(
                new StoredSums
                {
                    C = new SortedDictionary<string, long>(Counters, StringComparer.Ordinal),
                    X = new SortedDictionary<string, List<string>>(Examples, StringComparer.Ordinal),
                },
                JourneyJson.Options);
            WriteChunks(entity, json);
            return entity;
        }
    }

    private sealed class StoredSums
    {
        public SortedDictionary<string, long> C { get; init; } = new(StringComparer.Ordinal);

        public SortedDictionary<string, List<string>> X { get; init; } = new(StringComparer.Ordinal);
    }
}
