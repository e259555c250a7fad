using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Schema;

namespace JourneyHub.Azure.Customers;

/// <summary>
/// StageReached: PartitionKey = journey stage (where the customer was, <see cref="FunnelCalculator.StageEntries"/>),
/// RowKey = "&lt;first-reached UTC ticks, 19 digits&gt;_&lt;customerId&gt;", so a window is one RowKey range per stage. Each row also carries the customer's first time in every stage (for conversion and time
/// between stages without a join). A pointer row per customer (PartitionKey = "c_&lt;customerId&gt;") says which rows
/// exist, so a first time that moves (a late purchase moves the placement boundary, either way) or a stage the customer
/// is no longer placed in deletes exactly the stale row. SurveyAnswers: PartitionKey = survey type,
/// RowKey = "&lt;ticks&gt;_&lt;touchpointId&gt;".
/// </summary>
public sealed class TableJourneyAnalytics(CustomerStorage storage) : IJourneyAnalytics
{
    private const string PointerRow = "stages";

    private TableClient Stages => storage.Table(CustomerStorage.StageReachedTable);

    private TableClient Surveys => storage.Table(CustomerStorage.SurveyAnswersTable);

    public async Task SyncStagesAsync(string customerId, JourneyState? before, JourneyState after, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(after);
        if (FunnelCalculator.SameStageEntries(before, after))
        {
            return;
        }

        await storage.EnsureAsync(cancellationToken);
        var pointer = await Stages.GetEntityIfExistsAsync<TableEntity>(PointerPartition(customerId), PointerRow, cancellationToken: cancellationToken);
        var current = pointer.HasValue ? ReadPointer(pointer.Value!) : [];
        var desired = FunnelCalculator.StageEntries(after);
        if (current.Count == desired.Count && desired.All(d => current.TryGetValue(d.Key, out var c) && c == d.Value))
        {
            return;
        }

        // New rows first, then stale ones out, then the pointer: a crash in between is repaired by the next sync.
        var firstTimes = JsonSerializer.Serialize(desired.ToDictionary(d => JourneyJson.WireName(d.Key), d => d.Value.First), JourneyJson.Options);
        foreach (var (stage, (first, source)) in desired)
        {
            await Stages.UpsertEntityAsync(
                new TableEntity(JourneyJson.WireName(stage), RowKey(first, customerId))
                {
                    ["CustomerId"] = customerId,
                    ["FirstAt"] = first,
                    ["Source"] = source,
                    ["FirstTimes"] = firstTimes,
                },
                TableUpdateMode.Replace,
                cancellationToken);
        }

        foreach (var (stage, (first, _)) in current)
        {
            if (!desired.TryGetValue(stage, out var now) || now.First != first)
            {
                await DeleteIfExistsAsync(Stages, JourneyJson.WireName(stage), RowKey(first, customerId), cancellationToken);
            }
        }

        var entity = new TableEntity(PointerPartition(customerId), PointerRow);
        foreach (var (stage, (first, source)) in desired)
        {
            // Ticks as text: the pointer must reproduce the row key exactly, whatever precision the service keeps for dates.
            entity[JourneyJson.WireName(stage)] = TableRows.Ticks(first);
            entity[JourneyJson.WireName(stage) + "Source"] = source;
        }

        await Stages.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
    }

    public async Task RecordSurveysAsync(string customerId, IReadOnlyList<Touchpoint> touchpoints, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(touchpoints);
        var answers = touchpoints.Where(t => t.Survey is not null).ToList();
        if (answers.Count == 0)
        {
            return;
        }

        await storage.EnsureAsync(cancellationToken);
        foreach (var touchpoint in answers)
        {
            await Surveys.UpsertEntityAsync(
                new TableEntity(JourneyJson.WireName(touchpoint.Survey!.Type), RowKey(touchpoint.OccurredAt, touchpoint.TouchpointId))
                {
                    ["Score"] = touchpoint.Survey.Score,
                    ["Source"] = touchpoint.Source,
                    ["At"] = touchpoint.OccurredAt,
                    ["CustomerId"] = customerId,
                },
                TableUpdateMode.Replace,
                cancellationToken);
        }
    }

    public async Task RemoveStagesAsync(string customerId, CancellationToken cancellationToken)
    {
        await storage.EnsureAsync(cancellationToken);
        var pointer = await Stages.GetEntityIfExistsAsync<TableEntity>(PointerPartition(customerId), PointerRow, cancellationToken: cancellationToken);
        if (!pointer.HasValue)
        {
            return;
        }

        foreach (var (stage, (first, _)) in ReadPointer(pointer.Value!))
        {
            await DeleteIfExistsAsync(Stages, JourneyJson.WireName(stage), RowKey(first, customerId), cancellationToken);
        }

        await DeleteIfExistsAsync(Stages, PointerPartition(customerId), PointerRow, cancellationToken);
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

    public async Task<FunnelReport> FunnelAsync(FunnelQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await storage.EnsureAsync(cancellationToken);
        var (low, high) = (TableRows.Ticks(query.From), TableRows.Ticks(query.To));
        var reached = new Dictionary<JourneyStage, IReadOnlyList<StageReachedRow>>();
        foreach (var stage in FunnelCalculator.Order)
        {
            var filter = Range(JourneyJson.WireName(stage), low, high, query.Source);
            var rows = new List<StageReachedRow>();
            await foreach (var e in Stages.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["CustomerId", "FirstAt", "Source", "FirstTimes"], cancellationToken: cancellationToken))
            {
                var wire = JsonSerializer.Deserialize<Dictionary<string, DateTimeOffset>>(e.GetString("FirstTimes") ?? "{}", JourneyJson.Options) ?? [];
                var times = FunnelCalculator.Order.Where(s => wire.ContainsKey(JourneyJson.WireName(s))).ToDictionary(s => s, s => wire[JourneyJson.WireName(s)]);
                var first = times.TryGetValue(stage, out var exact) ? exact : e.GetDateTimeOffset("FirstAt") ?? default;
                rows.Add(new StageReachedRow(e.GetString("CustomerId") ?? "", stage, first, e.GetString("Source"), times));
            }

            reached[stage] = rows;
        }

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

    private static string PointerPartition(string customerId) => "c_" + customerId;

    private static string RowKey(DateTimeOffset at, string id) => TableRows.Ticks(at) + "_" + id;

}
