using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using JourneyHub.Azure.Segments;
using JourneyHub.Azure.Storage;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Schema;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JourneyHub.Azure.Customers;

/// <summary>
/// StageReached: one row per customer and journey stage it was in, at its first time there
/// (<see cref="FunnelCalculator.StageEntries"/>), and a pointer row per customer saying which rows exist. All of a
/// customer's rows live in one of <see cref="TableSegmentAggregates.Shards"/> partitions (<c>s00</c>…<c>s03</c>, the
/// segment map's hash of the customer id), so a change of its first times (a new stage, or a late purchase moving the
/// placement boundary either way) is one entity-group transaction: the new rows, the stale ones deleted, the pointer
/// replaced under its ETag. Rows and pointer can never disagree, and a sync carrying an older summary (a touchpoint
/// count below the pointer's) changes nothing. Stage rows: RowKey = "&lt;first-reached UTC ticks, 19
/// digits&gt;_&lt;stage&gt;_&lt;customerId&gt;", so a window is one RowKey range per shard for every stage; each row also
/// carries the customer's first time in every stage (conversion and time between stages without a join). Pointer rows:
/// RowKey = "p_&lt;customerId&gt;" (sorts after every digit, outside any window). SurveyAnswers: PartitionKey = survey
/// type, RowKey = "&lt;ticks&gt;_&lt;touchpointId&gt;".
/// <para>
/// Pointers this process last wrote or read are kept in memory with their ETags, so the common sync (a known customer
/// reaches a stage) is the transaction alone; a customer's first sync (a summary without touchpoints before it) expects
/// no pointer and inserts it. A stale or wrong guess fails the transaction (412 or 409), and the pointer is read again.
/// </para>
/// </summary>
public sealed partial class TableJourneyAnalytics(CustomerStorage storage, IOptions<StorageCacheOptions> cacheOptions, ILogger<TableJourneyAnalytics> logger) : IJourneyAnalytics, IDisposable
{
    private const string PointerPrefix = "p_";
    private const string VersionColumn = "Version";
    private const int MaxConcurrencyRetries = 10;
    private const int MaxTransactionActions = 100;

    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(10);

    // One pointer per customer, so as many as there are cached summaries.
    private readonly MemoryCache pointers = new(new MemoryCacheOptions { SizeLimit = Math.Max(1, cacheOptions.Value.SummaryEntries) });

    private TableClient Stages => storage.Table(CustomerStorage.StageReachedTable);

    private TableClient Surveys => storage.Table(CustomerStorage.SurveyAnswersTable);

    public async Task SyncStagesAsync(string customerId, JourneyState? before, JourneyState after, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(customerId);
        ArgumentNullException.ThrowIfNull(after);
        if (FunnelCalculator.SameStageEntries(before, after))
        {
            return;
        }

        // A summary only grows, so its touchpoint count orders the syncs of one customer (as in the segment map).
        await storage.EnsureAsync(cancellationToken);
        await ReplaceStagesAsync(customerId, FunnelCalculator.StageEntries(after), after.TouchpointCount, expectAbsent: before is { TouchpointCount: 0 }, cancellationToken);
    }

    /// <summary>
    /// Removal is final (erased and merged-away ids never come back): the rows go, and the pointer stays empty with a
    /// version above every summary's, so a sync racing the removal with an older summary cannot bring rows back.
    /// </summary>
    public async Task RemoveStagesAsync(string customerId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(customerId);
        await storage.EnsureAsync(cancellationToken);
        await ReplaceStagesAsync(customerId, [], long.MaxValue, expectAbsent: false, cancellationToken);
    }

    private async Task ReplaceStagesAsync(string customerId, Dictionary<JourneyStage, (DateTimeOffset First, string? Source)> desired, long version, bool expectAbsent, CancellationToken cancellationToken)
    {
        var partition = TableSegmentAggregates.Partition(customerId);
        var pointerKey = PointerPrefix + customerId;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var pointer = pointers.TryGetValue(customerId, out TableEntity? cached) ? cached : null;
                if (pointer is null && !expectAbsent)
                {
                    var found = await Stages.GetEntityIfExistsAsync<TableEntity>(partition, pointerKey, cancellationToken: cancellationToken);
                    pointer = found.HasValue ? found.Value : null;
                    Remember(customerId, pointer);
                }

                Dictionary<JourneyStage, (DateTimeOffset First, string? Source)> current = pointer is null ? [] : ReadPointer(pointer);
                var storedVersion = pointer?.GetInt64(VersionColumn) ?? 0;
                if (pointer is not null && (storedVersion > version || (storedVersion == version && Same(current, desired))))
                {
                    return;
                }

                await CommitAsync(partition, customerId, pointer, current, desired, version, cancellationToken);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412 && attempt < MaxConcurrencyRetries)
            {
                // Another sync of this customer (another process, or a cached pointer gone stale) came in between, or a
                // pointer expected absent exists: read it again.
                pointers.Remove(customerId);
                expectAbsent = false;
                LogConflict(customerId, attempt + 1);
            }
        }
    }

    /// <summary>One transaction in the customer's partition: rows that are new or changed, stale rows out, the pointer.</summary>
    private async Task CommitAsync(
        string partition,
        string customerId,
        TableEntity? pointer,
        Dictionary<JourneyStage, (DateTimeOffset First, string? Source)> current,
        Dictionary<JourneyStage, (DateTimeOffset First, string? Source)> desired,
        long version,
        CancellationToken cancellationToken)
    {
        var actions = new List<TableTransactionAction>();

        // Every row carries all first times: when one of them moves, every row is rewritten; otherwise only the rows
        // whose own first time or source changed.
        var firstTimesMoved = current.Count != desired.Count || desired.Any(d => !current.TryGetValue(d.Key, out var c) || c.First != d.Value.First);
        var firstTimes = JsonSerializer.Serialize(desired.ToDictionary(d => JourneyJson.WireName(d.Key), d => d.Value.First), JourneyJson.Options);
        foreach (var (stage, (first, source)) in desired)
        {
            if (!firstTimesMoved && current.TryGetValue(stage, out var was) && was == (first, source))
            {
                continue;
            }

            actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(partition, StageRowKey(first, stage, customerId))
            {
                ["Stage"] = JourneyJson.WireName(stage),
                ["CustomerId"] = customerId,
                ["FirstAt"] = first,
                ["Source"] = source,
                ["FirstTimes"] = firstTimes,
            }));
        }

        foreach (var (stage, (first, _)) in current)
        {
            if (!desired.TryGetValue(stage, out var now) || now.First != first)
            {
                // The pointer names exactly the rows that exist (they are only ever written together), so the row is there.
                actions.Add(new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, StageRowKey(first, stage, customerId)), ETag.All));
            }
        }

        var entity = new TableEntity(partition, PointerPrefix + customerId) { [VersionColumn] = version };
        foreach (var (stage, (first, source)) in desired)
        {
            // Ticks as text: the pointer must reproduce the row key exactly, whatever precision the service keeps for dates.
            entity[JourneyJson.WireName(stage)] = TableRows.Ticks(first);
            entity[JourneyJson.WireName(stage) + "Source"] = source;
        }

        actions.Add(pointer is null
            ? new TableTransactionAction(TableTransactionActionType.Add, entity)
            : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, pointer.ETag));
        Response<IReadOnlyList<Response>> response;
        try
        {
            response = await Stages.SubmitTransactionAsync(actions, cancellationToken);
        }
        catch (RequestFailedException)
        {
            pointers.Remove(customerId);
            throw;
        }

        if (response.Value[^1].Headers.ETag is { } etag)
        {
            entity.ETag = etag;
            Remember(customerId, entity);
        }
        else
        {
            pointers.Remove(customerId);
        }
    }

    private static bool Same(Dictionary<JourneyStage, (DateTimeOffset First, string? Source)> current, Dictionary<JourneyStage, (DateTimeOffset First, string? Source)> desired) =>
        current.Count == desired.Count && desired.All(d => current.TryGetValue(d.Key, out var c) && c == d.Value);

    private void Remember(string customerId, TableEntity? pointer)
    {
        if (pointer is not null)
        {
            pointers.Set(customerId, pointer, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = Idle });
        }
    }

    public async Task RecordSurveysAsync(string customerId, IReadOnlyList<Touchpoint> touchpoints, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(touchpoints);
        var answers = touchpoints.Where(t => t.Survey is not null).ToList();
        if (answers.Count == 0)
        {
            return;
        }

        // One transaction per survey type (a partition) and hundred answers: a batch delivery's answers are one request.
        await storage.EnsureAsync(cancellationToken);
        foreach (var partition in answers.GroupBy(t => JourneyJson.WireName(t.Survey!.Type)))
        {
            foreach (var chunk in partition.DistinctBy(t => t.TouchpointId).Chunk(MaxTransactionActions))
            {
                await Surveys.SubmitTransactionAsync(
                    chunk.Select(touchpoint => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(partition.Key, RowKey(touchpoint.OccurredAt, touchpoint.TouchpointId))
                    {
                        ["Score"] = touchpoint.Survey!.Score,
                        ["Source"] = touchpoint.Source,
                        ["At"] = touchpoint.OccurredAt,
                        ["CustomerId"] = customerId,
                    })),
                    cancellationToken);
            }
        }
    }

    public async Task RemoveSurveysAsync(IReadOnlyList<Touchpoint> touchpoints, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(touchpoints);
        await storage.EnsureAsync(cancellationToken);
        foreach (var touchpoint in touchpoints.Where(t => t.Survey is not null))
        {
            await DeleteIfExistsAsync(Surveys, JourneyJson.WireName(touchpoint.Survey!.Type), RowKey(touchpoint.OccurredAt, touchpoint.TouchpointId), cancellationToken);
        }
    }

    public void Dispose() => pointers.Dispose();

    public async Task<FunnelReport> FunnelAsync(FunnelQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await storage.EnsureAsync(cancellationToken);
        var (low, high) = (TableRows.Ticks(query.From), TableRows.Ticks(query.To));
        var shards = await Task.WhenAll(Enumerable.Range(0, TableSegmentAggregates.Shards).Select(async shard =>
        {
            var rows = new List<StageReachedRow>();
            var filter = Range(TableSegmentAggregates.ShardKey(shard), low, high, query.Source);
            await foreach (var e in Stages.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["Stage", "CustomerId", "FirstAt", "Source", "FirstTimes"], cancellationToken: cancellationToken))
            {
                if (!TryParseStage(e.GetString("Stage"), out var stage))
                {
                    continue;
                }

                var wire = JsonSerializer.Deserialize<Dictionary<string, DateTimeOffset>>(e.GetString("FirstTimes") ?? "{}", JourneyJson.Options) ?? [];
                var times = FunnelCalculator.Order.Where(s => wire.ContainsKey(JourneyJson.WireName(s))).ToDictionary(s => s, s => wire[JourneyJson.WireName(s)]);
                var first = times.TryGetValue(stage, out var exact) ? exact : e.GetDateTimeOffset("FirstAt") ?? default;
                rows.Add(new StageReachedRow(e.GetString("CustomerId") ?? "", stage, first, e.GetString("Source"), times));
            }

            return rows;
        }));

        // Ordered as one range per stage would return them, whatever order the shards answered in.
        var byStage = shards.SelectMany(rows => rows).ToLookup(r => r.Stage);
        var reached = FunnelCalculator.Order.ToDictionary(
            stage => stage,
            stage => (IReadOnlyList<StageReachedRow>)byStage[stage].OrderBy(r => r.FirstAt).ThenBy(r => r.CustomerId, StringComparer.Ordinal).ToList());

        var surveys = new List<SurveyRow>();
        foreach (var type in new[] { SurveyType.Nps, SurveyType.Csat })
        {
            await foreach (var e in Surveys.QueryAsync<TableEntity>(Range(JourneyJson.WireName(type), low, high, query.Source), maxPerPage: 1000, select: ["Score", "At", "Source"], cancellationToken: cancellationToken))
            {
                surveys.Add(new SurveyRow(type, e.GetDouble("Score") ?? 0, e.GetDateTimeOffset("At") ?? default, e.GetString("Source") ?? ""));
            }
        }

        return FunnelCalculator.Compute(query, reached, surveys);
    }

    /// <summary>RowKeys in [from, to): '_' follows the 19 digits, so "ticks(to)" sorts after every key of an earlier instant.</summary>
    private static string Range(string partition, string low, string high, string? source) =>
        source is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {low} and RowKey lt {high}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {low} and RowKey lt {high} and Source eq {source}");

    private static Dictionary<JourneyStage, (DateTimeOffset First, string? Source)> ReadPointer(TableEntity pointer)
    {
        var map = new Dictionary<JourneyStage, (DateTimeOffset, string?)>();
        foreach (var stage in FunnelCalculator.Order)
        {
            if (long.TryParse(pointer.GetString(JourneyJson.WireName(stage)), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
            {
                map[stage] = (new DateTimeOffset(ticks, TimeSpan.Zero), pointer.GetString(JourneyJson.WireName(stage) + "Source"));
            }
        }

        return map;
    }

    private static async Task DeleteIfExistsAsync(TableClient table, string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        try
        {
            await table.DeleteEntityAsync(partitionKey, rowKey, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Already gone: deleting is idempotent.
        }
    }

    private static string StageRowKey(DateTimeOffset first, JourneyStage stage, string customerId) => TableRows.Ticks(first) + "_" + JourneyJson.WireName(stage) + "_" + customerId;

    private static bool TryParseStage(string? wire, out JourneyStage stage)
    {
        stage = FunnelCalculator.Order.FirstOrDefault(s => JourneyJson.WireName(s) == wire);
        return wire is not null && JourneyJson.WireName(stage) == wire;
    }

    private static string RowKey(DateTimeOffset at, string id) => TableRows.Ticks(at) + "_" + id;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Funnel stages of {CustomerId}: concurrent change, retry {Attempt}")]
    private partial void LogConflict(string customerId, int attempt);
}
