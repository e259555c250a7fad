using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using JourneyHub.Azure.Customers;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Schema;

namespace JourneyHub.Azure.Segments;

/// <summary>
/// The funnel's rows in the <c>SegmentMap</c> table, in the customer's shard partition beside its contribution row, so
/// that they are written in the same entity-group transaction (<see cref="TableSegmentAggregates"/>). Row keys sort apart
/// from the contribution (<c>c|</c>) and sums (<c>d|</c>) rows, and a window is one RowKey range per shard:
/// <list type="bullet">
/// <item>stage rows, <c>r|&lt;first-reached UTC ticks, 19 digits&gt;_&lt;stage&gt;_&lt;customerId&gt;</c>: one per customer
/// and journey stage it was in, at its first time there (<see cref="FunnelCalculator.StageEntries"/>); each carries the
/// customer's first time in every stage (conversion and time between stages without a join);</item>
/// <item>answer rows, <c>a|&lt;answered UTC ticks&gt;_&lt;touchpointId&gt;_&lt;customerId&gt;</c>: one per survey answer on the
/// customer's timeline, keyed by its touchpoint so a redelivery or retry writes the same row again, and by the customer
/// so that a merge within one shard (the survivor takes the merged customer's answers, then the merged customer's rows
/// go) never deletes the survivor's copy.</item>
/// </list>
/// The customer's contribution row names its stage rows (first time and source per stage, columns
/// <c>Stage_&lt;stage&gt;</c> and <c>StageSource_&lt;stage&gt;</c>): rows and names change in one transaction, so they never disagree.
/// </summary>
internal static class FunnelRows
{
    public const string StagePrefix = "r|";
    public const string AnswerPrefix = "a|";
    private const string StageColumn = "Stage_";
    private const string StageSourceColumn = "StageSource_";

    /// <summary>The stage rows the contribution row names.</summary>
    public static Dictionary<JourneyStage, (DateTimeOffset First, string? Source)> Stages(TableEntity contribution)
    {
        var map = new Dictionary<JourneyStage, (DateTimeOffset, string?)>();
        foreach (var stage in FunnelCalculator.Order)
        {
            // Ticks as text: the names must reproduce the row keys exactly, whatever precision the service keeps for dates.
            if (long.TryParse(contribution.GetString(StageColumn + JourneyJson.WireName(stage)), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
            {
                map[stage] = (new DateTimeOffset(ticks, TimeSpan.Zero), contribution.GetString(StageSourceColumn + JourneyJson.WireName(stage)));
            }
        }

        return map;
    }

    public static void Name(TableEntity contribution, IReadOnlyDictionary<JourneyStage, (DateTimeOffset First, string? Source)> stages)
    {
        foreach (var (stage, (first, source)) in stages)
        {
            contribution[StageColumn + JourneyJson.WireName(stage)] = TableRows.Ticks(first);
            contribution[StageSourceColumn + JourneyJson.WireName(stage)] = source;
        }
    }

    public static bool Same(IReadOnlyDictionary<JourneyStage, (DateTimeOffset First, string? Source)> a, IReadOnlyDictionary<JourneyStage, (DateTimeOffset First, string? Source)> b) =>
        a.Count == b.Count && b.All(s => a.TryGetValue(s.Key, out var other) && other == s.Value);

    /// <summary>
    /// The stage rows that are new or changed, and the stale ones deleted. Every row carries all first times: when one of
    /// them moves, every row is rewritten; otherwise only the rows whose own first time or source changed. A deleted row
    /// is named by the contribution row, so it exists (a delete of a missing row would fail the transaction).
    /// </summary>
    public static List<TableTransactionAction> Changes(
        string partition,
        string customerId,
        IReadOnlyDictionary<JourneyStage, (DateTimeOffset First, string? Source)> current,
        IReadOnlyDictionary<JourneyStage, (DateTimeOffset First, string? Source)> desired)
    {
        var actions = new List<TableTransactionAction>();
        var firstTimesMoved = current.Count != desired.Count || desired.Any(d => !current.TryGetValue(d.Key, out var c) || c.First != d.Value.First);
        var firstTimes = FirstTimes(desired);
        foreach (var (stage, (first, source)) in desired)
        {
            if (!firstTimesMoved && current.TryGetValue(stage, out var was) && was == (first, source))
            {
                continue;
            }

            actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, Row(partition, customerId, stage, first, source, firstTimes)));
        }

        foreach (var (stage, (first, _)) in current)
        {
            if (!desired.TryGetValue(stage, out var now) || now.First != first)
            {
                actions.Add(new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, StageRowKey(first, stage, customerId)), ETag.All));
            }
        }

        return actions;
    }

    /// <summary>The stage rows of these first times, as stored.</summary>
    public static IEnumerable<TableEntity> Rows(string partition, string customerId, IReadOnlyDictionary<JourneyStage, (DateTimeOffset First, string? Source)> stages)
    {
        var firstTimes = FirstTimes(stages);
        return stages.Select(s => Row(partition, customerId, s.Key, s.Value.First, s.Value.Source, firstTimes));
    }

    private static string FirstTimes(IReadOnlyDictionary<JourneyStage, (DateTimeOffset First, string? Source)> stages) =>
        JsonSerializer.Serialize(stages.ToDictionary(d => JourneyJson.WireName(d.Key), d => d.Value.First), JourneyJson.Options);

    private static TableEntity Row(string partition, string customerId, JourneyStage stage, DateTimeOffset first, string? source, string firstTimes) =>
        new(partition, StageRowKey(first, stage, customerId))
        {
            ["Stage"] = JourneyJson.WireName(stage),
            ["CustomerId"] = customerId,
            ["FirstAt"] = first,
            ["Source"] = source,
            ["FirstTimes"] = firstTimes,
        };

    public static TableEntity Answer(string partition, string customerId, Touchpoint touchpoint) =>
        new(partition, AnswerRowKey(customerId, touchpoint))
        {
            ["Type"] = JourneyJson.WireName(touchpoint.Survey!.Type),
            ["Score"] = touchpoint.Survey.Score,
            ["Source"] = touchpoint.Source,
            ["At"] = touchpoint.OccurredAt,
            ["CustomerId"] = customerId,
        };

    public static string AnswerRowKey(string customerId, Touchpoint touchpoint) =>
        AnswerPrefix + TableRows.Ticks(touchpoint.OccurredAt) + "_" + touchpoint.TouchpointId + "_" + customerId;

    /// <summary>
    /// Rows of one kind in [from, to) of one shard: '_' follows the 19 digits, so "prefix + ticks(to)" sorts after every
    /// key of an earlier instant.
    /// </summary>
    public static string Window(string partition, string prefix, DateTimeOffset from, DateTimeOffset to, string? source)
    {
        var (low, high) = (prefix + TableRows.Ticks(from), prefix + TableRows.Ticks(to));
        return source is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {low} and RowKey lt {high}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {low} and RowKey lt {high} and Source eq {source}");
    }

    private static string StageRowKey(DateTimeOffset first, JourneyStage stage, string customerId) =>
        StagePrefix + TableRows.Ticks(first) + "_" + JourneyJson.WireName(stage) + "_" + customerId;
}
