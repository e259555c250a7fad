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
/// A customer's aggregates — its part of the segment journey map, its funnel stage rows and its survey answers — in the
/// <c>SegmentMap</c> table, spread over <see cref="Shards"/> partitions by a hash of the customer id. Each shard partition
/// holds
/// <list type="bullet">
/// <item>one row per customer, RowKey <c>c|&lt;customerId&gt;</c>: its current <see cref="SegmentContribution"/>, the
/// names of its stage rows, and the touchpoint count of the summary it was made from;</item>
/// <item>sums rows, RowKey <c>d|&lt;yyyyMMdd&gt;|&lt;segment&gt;</c>: the counters of every customer of the shard in that
/// segment, for that day;</item>
/// <item>the funnel's stage rows (<c>r|…</c>) and answer rows (<c>a|…</c>) of the shard's customers (<see cref="FunnelRows"/>).</item>
/// </list>
/// A change is one entity-group transaction in the customer's shard: the contribution row is replaced, each sums row it
/// touches moves by (new − old), the stage rows follow the new first times and the new survey answers are written, all
/// under the ETags of the rows read (or as inserts). So the sums are exact, a repeated call changes nothing, and order
/// does not matter. A map request reads only sums rows, a funnel request only stage and answer rows: one range query
/// per shard and kind, whatever the number of customers. Rows are JSON split over properties of at most
/// <see cref="ChunkChars"/> characters (a string property holds 64 KiB).
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
    ILogger<TableSegmentAggregates> logger) : ICustomerAggregates, ISegmentAggregates, IDisposable
{
    public const string TableName = StorageNames.SegmentMapTable;

    /// <summary>
    /// Every stored touchpoint moves its customer's counters, so the shard count decides how many changes can share a
    /// transaction: a process commits one transaction per shard at a time, and a 16-message queue batch spread over 16
    /// shards rarely put two changes in one (0.89 transactions per stored touchpoint for the map alone in the mixed
    /// single-event run), over 4 shards often (0.46 for map, funnel and answers together), over 2 more often (0.27–0.31,
    /// at the same pipeline rate as 4 in back-to-back runs), over 1 nearly always (0.19 for the map, but every change of
    /// the process then waits for one partition: the pipeline stored 55 touchpoints/s against 90). The price of fewer
    /// partitions is their throughput on Azure Table (about 2,000 entities/s each; a transaction carries a contribution
    /// row and the sums rows its changes share, so a busy shard commits more changes per entity, not fewer) and, scaled
    /// out, more ETag conflicts between instances. The count is part of every row's key: changing it means rebuilding
    /// the aggregates from the timelines.
    /// </summary>
    public const int Shards = 2;
    internal const int ChunkChars = 30_000;
    private const int MaxTransactionActions = 100;

    /// <summary>An entity-group transaction carries at most 4 MiB; this leaves room for the multipart framing.</summary>
    private const int MaxTransactionBytes = 3_500_000;
    private const int MaxConcurrencyRetries = 30;
    private const int MaxGroupRetries = 3;
    private const string ContributionPrefix = "c|";
    private const string SumsPrefix = "d|";
    private const string VersionColumn = "Version";

    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(10);
    private static readonly Dictionary<JourneyStage, (DateTimeOffset First, string? Source)> NoStages = new();

    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly MemoryCache rows = new(new MemoryCacheOptions { SizeLimit = Math.Max(1, cacheOptions.Value.SegmentRows) });

    // Customers of one shard share its sums rows, so concurrent changes in one process would mostly fail each other's
    // ETags and go round again (measured: 1.4 transactions per change at 16 senders). So one transaction per shard is in
    // flight at a time in a process, and it carries every change of that shard that arrived meanwhile (group commit):
    // the ETags are left to catch only other processes, and concurrent changes share one request.
    private readonly ShardQueue[] shardQueues = Enumerable.Range(0, Shards).Select(_ => new ShardQueue()).ToArray();
    private volatile bool ready;

    private TableClient Table => clients.Tables.GetTableClient(TableName);

    public async Task ApplyAsync(string customerId, JourneyState? before, JourneyState after, IReadOnlyList<Touchpoint> stored, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(customerId);
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(stored);
        var answers = stored.Where(t => t.Survey is not null).DistinctBy(t => t.TouchpointId).ToList();
        var next = SegmentContribution.Of(customerId, after);
        var stages = FunnelCalculator.StageEntries(after);
        if (answers.Count == 0 && before is not null && SegmentContribution.Of(customerId, before).Canonical() == next.Canonical() && FunnelRows.Same(FunnelCalculator.StageEntries(before), stages))
        {
            return;
        }

        // A summary only grows (touchpoints applied, customers combined), so its touchpoint count orders its versions:
        // a slower call with an older summary never overwrites a newer one. A summary that had no touchpoint before this
        // change belongs to a customer whose first change this is: its contribution row is expected absent, so the point
        // read is skipped (the transaction's insert checks it).
        await SubmitAsync(new PendingChange(customerId, next, stages, after.TouchpointCount, expectAbsent: before is { TouchpointCount: 0 }, answers), cancellationToken);
    }

    public async Task RemoveAsync(string customerId, IReadOnlyList<Touchpoint> touchpoints, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(customerId);
        ArgumentNullException.ThrowIfNull(touchpoints);

        // Removal is final (erased or merged away ids never come back): an empty part and no stage rows, under a version
        // that outranks every summary.
        await SubmitAsync(new PendingChange(customerId, SegmentContribution.Empty, NoStages, long.MaxValue, expectAbsent: false, []), cancellationToken);

        // From here on no change of the customer writes an answer (each answer is written under the contribution row's
        // ETag, and that row now outranks every summary), so deleting the answers one by one cannot race a write of them.
        var partition = Partition(customerId);
        foreach (var rowKey in touchpoints.Where(t => t.Survey is not null).Select(t => FunnelRows.AnswerRowKey(customerId, t)).Distinct(StringComparer.Ordinal))
        {
            // A row already gone (a repeated erasure or merge) answers 404, which DeleteEntityAsync does not throw for.
            await Table.DeleteEntityAsync(partition, rowKey, ETag.All, cancellationToken);
        }
    }

    private async Task SubmitAsync(PendingChange change, CancellationToken cancellationToken)
    {
        var customerId = change.CustomerId;
        await EnsureAsync(cancellationToken);
        var shard = shardQueues[Shard(customerId)];
        shard.Enqueue(change);
        try
        {
            await shard.Gate.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            shard.Remove(change);
            throw;
        }

        try
        {
            // Whoever held the gate before may have committed this change with its own group.
            if (!change.Done.Task.IsCompleted)
            {
                await CommitPendingAsync(Partition(customerId), shard, change, cancellationToken);
            }
        }
        finally
        {
            shard.Gate.Release();
        }

        await change.Done.Task;
    }

    /// <summary>
    /// Commits every change waiting for this shard: as many as fit in one entity-group transaction (each customer's
    /// contribution, stage and answer rows plus the sums rows of all of them, combined), the rest in the next one, and so on until the
    /// caller's own change is done. Each change is completed only once its transaction has committed.
    /// </summary>
    private async Task CommitPendingAsync(string partition, ShardQueue shard, PendingChange own, CancellationToken cancellationToken)
    {
        while (!own.Done.Task.IsCompleted)
        {
            var group = shard.TakeAll();
            try
            {
                await CommitGroupAsync(partition, shard, group, cancellationToken);
            }
            catch (Exception)
            {
                // This caller was cancelled or timed out (storage failures complete the group's changes themselves):
                // the others' changes wait for the next holder of the gate.
                shard.PutBack(group.Where(c => c != own && !c.Done.Task.IsCompleted));
                throw;
            }
        }
    }

    private async Task CommitGroupAsync(string partition, ShardQueue shard, List<PendingChange> group, CancellationToken cancellationToken)
    {
        // A customer with several changes waiting: its newest one is the state to store (a change replaces the
        // contribution and the stage rows, it does not add to them), and every waiting change of that customer is done
        // when it is. Survey answers do add up: the answers of all its waiting changes are written, unless the newest
        // change removes the customer (removal is final).
        var latest = group
            .GroupBy(c => c.CustomerId, StringComparer.Ordinal)
            .Select(g => g.Aggregate((newest, later) => later.Version >= newest.Version ? later : newest))
            .ToList();
        var byCustomer = group.ToLookup(c => c.CustomerId, StringComparer.Ordinal);
        var answers = latest.ToDictionary(
            c => c.CustomerId,
            c => c.Version == long.MaxValue ? [] : byCustomer[c.CustomerId].SelectMany(w => w.Answers).DistinctBy(t => t.TouchpointId).ToList(),
            StringComparer.Ordinal);
        void Complete(PendingChange change, Exception? failure = null)
        {
            foreach (var waiting in byCustomer[change.CustomerId])
            {
                if (failure is null)
                {
                    waiting.Done.TrySetResult();
                }
                else
                {
                    waiting.Done.TrySetException(failure);
                }
            }
        }

        var expectAbsent = latest.ToDictionary(c => c.CustomerId, c => byCustomer[c.CustomerId].All(w => w.ExpectAbsent), StringComparer.Ordinal);
        for (var attempt = 0; ; attempt++)
        {
            // A retry leaves out what an earlier attempt completed (stored nothing new, or made alone).
            latest.RemoveAll(c => c.Done.Task.IsCompleted);
            try
            {
                var plans = await PlanAsync(partition, latest, expectAbsent, answers, cancellationToken);
                foreach (var done in latest.Where(c => !plans.Any(p => p.Change.CustomerId == c.CustomerId)))
                {
                    Complete(done);
                }

                // Too many rows for one transaction alone (segments and days both moved, e.g. a merge, or a batch's many
                // survey answers): the change is made on its own, in several exact steps.
                foreach (var large in plans.Where(p => p.Changes.Count + p.OwnActions > MaxTransactionActions))
                {
                    await ApplyInShardAsync(large.Change, answers[large.Change.CustomerId], cancellationToken);
                    Complete(large.Change);
                }

                var (taken, left) = Fit(plans.Where(p => p.Changes.Count + p.OwnActions <= MaxTransactionActions));
                if (taken.Count > 0)
                {
                    await CommitAsync(partition, taken, cancellationToken);
                    foreach (var plan in taken)
                    {
                        Complete(plan.Change);
                    }
                }

                // What did not fit waits for the next transaction, ahead of later arrivals.
                shard.PutBack(left.SelectMany(p => byCustomer[p.Change.CustomerId]));
                return;
            }
            catch (Exception ex) when (IsConcurrencyConflict(ex) && attempt < MaxGroupRetries)
            {
                // Another process moved a row of this shard, a cached row was stale (the rows of the failed transaction
                // are forgotten) or a row expected absent exists: read again and retry the group.
                foreach (var customerId in expectAbsent.Keys)
                {
                    expectAbsent[customerId] = false;
                }

                LogGroupConflict(partition, latest.Count, attempt + 1);
            }
            catch (Exception ex) when (IsConcurrencyConflict(ex))
            {
                // Under steady contention from other processes a smaller transaction has better odds: one by one.
                LogGroupFallback(partition, latest.Count);
                foreach (var change in latest.Where(c => !c.Done.Task.IsCompleted))
                {
                    try
                    {
                        await ApplyInShardAsync(change, answers[change.CustomerId], cancellationToken);
                        Complete(change);
                    }
                    catch (Exception single) when (single is not OperationCanceledException)
                    {
                        Complete(change, single);
                    }
                }

                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Storage failing: every waiting caller fails, and its delivery is retried (the change is idempotent).
                foreach (var change in latest)
                {
                    Complete(change, ex);
                }

                return;
            }
        }
    }

    /// <summary>
    /// Per change of the group, what is stored now and what moves: sums rows, stage rows, answers. A change that would
    /// store nothing new in the contribution and stage rows (an older summary than the stored one, or the same) keeps
    /// them as they are, and is left out unless it brings answers; those are written under the contribution row's ETag
    /// all the same, so nothing is written for a removed customer.
    /// </summary>
    private async Task<List<ChangePlan>> PlanAsync(string partition, List<PendingChange> group, Dictionary<string, bool> expectAbsent, Dictionary<string, List<Touchpoint>> answers, CancellationToken cancellationToken)
    {
        var stored = await Task.WhenAll(group.Select(change => StoredAsync(partition, change.CustomerId, expectAbsent[change.CustomerId], cancellationToken)));
        var plans = new List<ChangePlan>(group.Count);
        for (var i = 0; i < group.Count; i++)
        {
            if (Plan(partition, group[i], stored[i], answers[group[i].CustomerId]) is { } plan)
            {
                plans.Add(plan);
            }
        }

        return plans;
    }

    private async Task<TableEntity?> StoredAsync(string partition, string customerId, bool expectAbsent, CancellationToken cancellationToken)
    {
        var rowKey = ContributionPrefix + customerId;
        if (Cached(partition, rowKey) is { } cached)
        {
            return cached;
        }

        if (expectAbsent)
        {
            return null;
        }

        var found = await Table.GetEntityIfExistsAsync<TableEntity>(partition, rowKey, cancellationToken: cancellationToken);
        var entity = found.HasValue ? found.Value : null;
        Remember(entity);
        return entity;
    }

    private static ChangePlan? Plan(string partition, PendingChange change, TableEntity? stored, List<Touchpoint> answers)
    {
        var storedVersion = stored?.GetInt64(VersionColumn) ?? 0;
        if (stored is not null && storedVersion == long.MaxValue)
        {
            // Removed: final, answers included.
            return null;
        }

        var old = stored is null ? SegmentContribution.Empty : SegmentContribution.Parse(ReadChunks(stored));
        var oldStages = stored is null ? NoStages : FunnelRows.Stages(stored);
        var upToDate = stored is not null
            && (storedVersion > change.Version || (storedVersion == change.Version && old.Canonical() == change.Next.Canonical() && FunnelRows.Same(oldStages, change.Stages)));
        if (upToDate)
        {
            return answers.Count == 0 ? null : new ChangePlan(change, stored, new(), [], answers, KeepsStored: true);
        }

        return new ChangePlan(change, stored, Changes(old, change.Next), FunnelRows.Changes(partition, change.CustomerId, oldStages, change.Stages), answers, KeepsStored: false);
    }

    /// <summary>The plans, in arrival order, whose rows (their own plus the union of sums rows) fit in one transaction.</summary>
    private static (List<ChangePlan> Taken, List<ChangePlan> Left) Fit(IEnumerable<ChangePlan> plans)
    {
        var (taken, rest) = (new List<ChangePlan>(), new List<ChangePlan>());
        var sumsRows = new HashSet<(string, string)>();
        var own = 0;
        foreach (var plan in plans)
        {
            var added = plan.Changes.Keys.Count(k => !sumsRows.Contains(k));
            if (rest.Count > 0 || own + plan.OwnActions + sumsRows.Count + added > MaxTransactionActions)
            {
                rest.Add(plan);
                continue;
            }

            taken.Add(plan);
            own += plan.OwnActions;
            sumsRows.UnionWith(plan.Changes.Keys);
        }

        return (taken, rest);
    }

    /// <summary>
    /// One customer's change on its own, in as many exact steps as its rows need: when the sums rows, the contribution and
    /// the stage rows do not fit in one transaction, the old part is taken out first and the new one put in next; answers
    /// that do not fit beside them follow in transactions of their own, each under the contribution row's ETag.
    /// </summary>
    private async Task ApplyInShardAsync(PendingChange change, List<Touchpoint> answers, CancellationToken cancellationToken)
    {
        var partition = Partition(change.CustomerId);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var stored = await StoredAsync(partition, change.CustomerId, expectAbsent: false, cancellationToken);
                if (Plan(partition, change, stored, answers) is not { } plan)
                {
                    return;
                }

                if (plan.Changes.Count + 1 + plan.StageRows.Count > MaxTransactionActions)
                {
                    // Segments and days both moved (e.g. a merge): take the old part out first, then put the new one in.
                    // Each step is exact on its own; the stage rows stay as they are until the second.
                    var storedVersion = stored?.GetInt64(VersionColumn) ?? 0;
                    var old = stored is null ? SegmentContribution.Empty : SegmentContribution.Parse(ReadChunks(stored));
                    if (old.IsEmpty)
                    {
                        // Nothing to take out first: the new part alone is more than a transaction holds.
                        throw new InvalidOperationException($"The aggregates of customer {change.CustomerId} need {plan.Changes.Count + 1 + plan.StageRows.Count} rows, more than one transaction holds.");
                    }

                    var removal = new PendingChange(change.CustomerId, SegmentContribution.Empty, stored is null ? NoStages : FunnelRows.Stages(stored), storedVersion, expectAbsent: false, []);
                    await CommitAsync(partition, [new ChangePlan(removal, stored, Changes(old, SegmentContribution.Empty), [], [], KeepsStored: false)], cancellationToken);
                    continue;
                }

                var room = MaxTransactionActions - plan.Changes.Count - 1 - plan.StageRows.Count;
                await CommitAsync(partition, [plan with { Answers = [.. answers.Take(room)] }], cancellationToken);
                foreach (var chunk in answers.Skip(room).Chunk(MaxTransactionActions - 1))
                {
                    // The contribution row just written (cached with its new ETag) guards each further part.
                    var current = await StoredAsync(partition, change.CustomerId, expectAbsent: false, cancellationToken);
                    if (current is null || current.GetInt64(VersionColumn) == long.MaxValue)
                    {
                        return;
                    }

                    await CommitAsync(partition, [new ChangePlan(change, current, new(), [], [.. chunk], KeepsStored: true)], cancellationToken);
                }

                return;
            }
            catch (Exception ex) when (IsConcurrencyConflict(ex) && attempt < MaxConcurrencyRetries)
            {
                // Another customer of this shard moved a sums row (or this customer's row) in between, or a cached row was
                // stale (the rows of the failed transaction are forgotten): read again. Answers already written are
                // written again, the same rows.
                LogConflict(change.CustomerId, attempt + 1);
            }
        }
    }

    /// <summary>
    /// Writes the rows a population's <see cref="ApplyAsync"/> calls (before <c>null</c>, no touchpoints, one after
    /// another in this order, onto an empty table) would leave, without their per-customer read and transaction: the
    /// contributions are built by <see cref="SegmentContribution.Of"/> and the stage rows by
    /// <see cref="FunnelCalculator.StageEntries"/> (survey answers come from touchpoints, not summaries), the sums rows are folded in memory with the same
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
            var stages = FunnelCalculator.StageEntries(summary);
            var entity = ContributionEntity(partition, ContributionPrefix + customerId, contribution);
            FunnelRows.Name(entity, stages);
            entity[VersionColumn] = (long)summary.TouchpointCount;
            if (!contributions.TryGetValue(partition, out var shardContributions))
            {
                contributions[partition] = shardContributions = [];
                sums[partition] = [];
            }

            shardContributions.Add(entity);
            shardContributions.AddRange(FunnelRows.Rows(partition, customerId, stages));
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
        foreach (var shard in shardQueues)
        {
            shard.Dispose();
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

    /// <summary>The shard partition of a customer: its contribution row, its share of the sums rows, its stage and answer rows.</summary>
    internal static string Partition(string customerId) => ShardKey(Shard(customerId));

    internal static string ShardKey(int shard) => "s" + shard.ToString("00", System.Globalization.CultureInfo.InvariantCulture);

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

    /// <summary>
    /// One entity-group transaction for these changes of one shard: each sums row they touch moves by the changes in
    /// turn (read once, written once), each customer's contribution row is replaced (or, for a change that only brings
    /// answers, merged unchanged as the guard of its ETag), its stage rows follow and its answers are written; all under
    /// ETags (or as inserts). Rows over the 4 MiB a transaction carries: the changes are split in two, each part exact.
    /// </summary>
    private async Task CommitAsync(string partition, IReadOnlyList<ChangePlan> plans, CancellationToken cancellationToken)
    {
        var keys = plans.SelectMany(p => p.Changes.Keys).Distinct().ToList();
        var current = await ReadRowsAsync(partition, keys, cancellationToken);
        var actions = new List<TableTransactionAction>(keys.Count + plans.Sum(p => p.OwnActions));
        foreach (var (day, segment) in keys)
        {
            var rowKey = SumsRowKey(day, segment);
            var (existing, updated) = current.TryGetValue(rowKey, out var found)
                ? found
                : (null, new SumsRow(new Dictionary<string, long>(StringComparer.Ordinal), new Dictionary<string, List<string>>(StringComparer.Ordinal)));
            foreach (var plan in plans)
            {
                if (plan.Changes.TryGetValue((day, segment), out var change))
                {
                    updated = updated.Apply(change);
                }
            }

            if (existing is null)
            {
                if (!updated.IsEmpty)
                {
                    actions.Add(new TableTransactionAction(TableTransactionActionType.Add, updated.ToEntity(partition, rowKey, day, segment)));
                }
            }
            else if (updated.IsEmpty)
            {
                actions.Add(new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, rowKey), existing.ETag));
            }
            else
            {
                actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateReplace, updated.ToEntity(partition, rowKey, day, segment), existing.ETag));
            }
        }

        var guards = new Dictionary<int, TableEntity>();
        foreach (var plan in plans)
        {
            var rowKey = ContributionPrefix + plan.Change.CustomerId;
            if (plan.KeepsStored)
            {
                // Same version, same content: only the ETag moves, so an answer is never written beside a removal.
                guards[actions.Count] = plan.Stored!;
                actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity(partition, rowKey) { [VersionColumn] = plan.Stored!.GetInt64(VersionColumn) }, plan.Stored.ETag));
            }
            else
            {
                var entity = ContributionEntity(partition, rowKey, plan.Change.Next);
                FunnelRows.Name(entity, plan.Change.Stages);
                entity[VersionColumn] = plan.Change.Version;
                actions.Add(plan.Stored is null
                    ? new TableTransactionAction(TableTransactionActionType.Add, entity)
                    : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, plan.Stored.ETag));
            }

            actions.AddRange(plan.StageRows);

            actions.AddRange(plan.Answers.Select(a => new TableTransactionAction(TableTransactionActionType.UpsertReplace, FunnelRows.Answer(partition, plan.Change.CustomerId, a))));
        }

        if (plans.Count > 1 && actions.Sum(a => EstimatedBytes(a.Entity)) > MaxTransactionBytes)
        {
            await CommitAsync(partition, plans.Take(plans.Count / 2).ToList(), cancellationToken);
            await CommitAsync(partition, plans.Skip(plans.Count / 2).ToList(), cancellationToken);
            return;
        }

        Response<IReadOnlyList<Response>> response;
        try
        {
            response = await Table.SubmitTransactionAsync(actions, cancellationToken);
        }
        catch (RequestFailedException)
        {
            // Whichever row failed its check, the others may be as stale: the retry reads them all (and their days) again.
            foreach (var action in actions)
            {
                rows.Remove(CacheKey(action.Entity.PartitionKey, action.Entity.RowKey));
            }

            foreach (var day in keys.Select(k => k.Day).Distinct())
            {
                rows.Remove(DayKey(partition, day));
            }

            throw;
        }

        // Every contribution and sums row written is now known with its new ETag (stage and answer rows are never read
        // back); a deleted row is not cached, so its known day says it is absent.
        for (var i = 0; i < actions.Count; i++)
        {
            var written = actions[i].Entity;
            if (actions[i].ActionType == TableTransactionActionType.Delete || response.Value[i].Headers.ETag is not { } etag)
            {
                rows.Remove(CacheKey(written.PartitionKey, written.RowKey));
                continue;
            }

            if (guards.TryGetValue(i, out var guarded))
            {
                // The merge wrote no property: the stored row, as read, under its new ETag.
                guarded.ETag = etag;
                Remember(guarded);
            }
            else if (written.RowKey.StartsWith(ContributionPrefix, StringComparison.Ordinal) || written.RowKey.StartsWith(SumsPrefix, StringComparison.Ordinal))
            {
                // The entity objects were built for this transaction only, so the cache may keep them as they are.
                var kept = (TableEntity)written;
                kept.ETag = etag;
                Remember(kept);
            }
        }
    }

    /// <summary>An upper bound of an entity's size in a transaction: two bytes per character (JSON escapes), a little per property.</summary>
    private static long EstimatedBytes(ITableEntity entity) =>
        entity is TableEntity properties
            ? 200 + properties.Sum(p => (2L * p.Key.Length) + 40 + (p.Value is string text ? 2L * text.Length : 32))
            : 1024;

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
    /// The sums rows of these (day, segment) pairs. Rows this process knows (cached with their ETags) are not read again;
    /// for the other days, every sums row of the day in this shard is read in one query (a RowKey range per day, all
    /// segments), and the day is then known in full: a row of it that is not cached does not exist, until a transaction
    /// says otherwise (an insert of a row that another process created fails with 409, and the day is read again). So a
    /// new customer's first change on a day the shard has seen needs no query, whatever its segments.
    /// </summary>
    private async Task<Dictionary<string, (TableEntity? Entity, SumsRow Row)>> ReadRowsAsync(string partition, List<(string Day, string Segment)> keys, CancellationToken cancellationToken)
    {
        var read = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        var unknownDays = keys
            .Where(k => Cached(partition, SumsRowKey(k.Day, k.Segment)) is null && !DayKnown(partition, k.Day))
            .Select(k => k.Day)
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
        if (unknownDays.Count > 0)
        {
            var filter = new StringBuilder(TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {SumsPrefix + unknownDays[0] + "|"} and RowKey lt {SumsPrefix + unknownDays[^1] + "}"}"));
            filter.Append(" and (").AppendJoin(" or ", unknownDays.Select(d => TableClient.CreateQueryFilter($"Day eq {d}"))).Append(')');
            await foreach (var entity in Table.QueryAsync<TableEntity>(filter.ToString(), maxPerPage: 1000, cancellationToken: cancellationToken))
            {
                read[entity.RowKey] = entity;
                Remember(entity);
            }

            foreach (var day in unknownDays)
            {
                rows.Set(DayKey(partition, day), true, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = Idle });
            }
        }

        // Every row known from this read or this process's last write or read: the transaction's ETags (and inserts) will
        // tell if one moved.
        var found = new Dictionary<string, (TableEntity?, SumsRow)>(StringComparer.Ordinal);
        foreach (var (day, segment) in keys)
        {
            var rowKey = SumsRowKey(day, segment);
            if ((read.TryGetValue(rowKey, out var fresh) ? fresh : Cached(partition, rowKey)) is { } entity)
            {
                found[rowKey] = (entity, SumsRow.From(entity));
            }
        }

        return found;
    }

    private bool DayKnown(string partition, string day) => rows.TryGetValue(DayKey(partition, day), out _);

    private static string DayKey(string partition, string day) => CacheKey(partition, "known|" + day);

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

    [LoggerMessage(Level = LogLevel.Debug, Message = "Segment aggregates, shard {Partition}: concurrent change during a group of {Changes} customers, retry {Attempt}")]
    private partial void LogGroupConflict(string partition, int changes, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Segment aggregates, shard {Partition}: a group of {Changes} customers kept conflicting; committing them one by one")]
    private partial void LogGroupFallback(string partition, int changes);

    /// <summary>A caller's change waiting for its shard's next transaction; done once a transaction holding it (or a newer change of the customer) has committed.</summary>
    private sealed class PendingChange(
        string customerId,
        SegmentContribution next,
        IReadOnlyDictionary<JourneyStage, (DateTimeOffset First, string? Source)> stages,
        long version,
        bool expectAbsent,
        IReadOnlyList<Touchpoint> answers)
    {
        public string CustomerId { get; } = customerId;

        public SegmentContribution Next { get; } = next;

        /// <summary>First time and source per journey stage: the stage rows to store.</summary>
        public IReadOnlyDictionary<JourneyStage, (DateTimeOffset First, string? Source)> Stages { get; } = stages;

        public long Version { get; } = version;

        public bool ExpectAbsent { get; } = expectAbsent;

        /// <summary>Survey answers among the touchpoints this change stored.</summary>
        public IReadOnlyList<Touchpoint> Answers { get; } = answers;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>
    /// What one change writes: the sums rows' moves, its contribution row (replaced, or kept as it is and merged only to
    /// guard the answers with its ETag), its stage rows and its answers.
    /// </summary>
    private sealed record ChangePlan(
        PendingChange Change,
        TableEntity? Stored,
        Dictionary<(string Day, string Segment), RowChange> Changes,
        List<TableTransactionAction> StageRows,
        List<Touchpoint> Answers,
        bool KeepsStored)
    {
        /// <summary>Actions of this change alone (the sums rows are shared with the other changes of the transaction).</summary>
        public int OwnActions => 1 + StageRows.Count + Answers.Count;
    }

    /// <summary>The changes waiting for one shard, and the gate that lets one transaction of the shard at a time through.</summary>
    private sealed class ShardQueue : IDisposable
    {
        private readonly List<PendingChange> pending = [];

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public void Enqueue(PendingChange change)
        {
            lock (pending)
            {
                pending.Add(change);
            }
        }

        public void Remove(PendingChange change)
        {
            lock (pending)
            {
                pending.Remove(change);
            }
        }

        public List<PendingChange> TakeAll()
        {
            lock (pending)
            {
                var all = pending.ToList();
                pending.Clear();
                return all;
            }
        }

        public void PutBack(IEnumerable<PendingChange> changes)
        {
            var list = changes.ToList();
            lock (pending)
            {
                pending.InsertRange(0, list);
            }
        }

        public void Dispose() => Gate.Dispose();
    }

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
