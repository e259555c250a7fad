using System.Text.Json;
using Azure.Data.Tables;
using JourneyHub.Azure.Segments;
using JourneyHub.Azure.Storage;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Schema;

namespace JourneyHub.Azure.Customers;

/// <summary>
/// The funnel, read from the rows <see cref="TableSegmentAggregates"/> writes into the <c>SegmentMap</c> table's shard
/// partitions with each customer's change (<see cref="FunnelRows"/>): per shard, one RowKey range of stage rows and one of
/// answer rows for the window.
/// </summary>
public sealed class TableJourneyAnalytics(StorageClients clients) : IJourneyAnalytics
{
    private volatile bool ready;

    private TableClient Table => clients.Tables.GetTableClient(TableSegmentAggregates.TableName);

    public async Task<FunnelReport> FunnelAsync(FunnelQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (!ready)
        {
            // Created by the first change; until then a funnel is empty, not an error.
            await Table.CreateIfNotExistsAsync(cancellationToken);
            ready = true;
        }

        var answersRead = Task.WhenAll(Enumerable.Range(0, TableSegmentAggregates.Shards).Select(async shard =>
        {
            var rows = new List<SurveyRow>();
            var filter = FunnelRows.Window(TableSegmentAggregates.ShardKey(shard), FunnelRows.AnswerPrefix, query.From, query.To, query.Source);
            await foreach (var e in Table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["Type", "Score", "At", "Source"], cancellationToken: cancellationToken))
            {
                if (TryParseSurvey(e.GetString("Type"), out var type))
                {
                    rows.Add(new SurveyRow(type, e.GetDouble("Score") ?? 0, e.GetDateTimeOffset("At") ?? default, e.GetString("Source") ?? ""));
                }
            }

            return rows;
        }));
        var shards = await Task.WhenAll(Enumerable.Range(0, TableSegmentAggregates.Shards).Select(async shard =>
        {
            var rows = new List<StageReachedRow>();
            var filter = FunnelRows.Window(TableSegmentAggregates.ShardKey(shard), FunnelRows.StagePrefix, query.From, query.To, query.Source);
            await foreach (var e in Table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["Stage", "CustomerId", "FirstAt", "Source", "FirstTimes"], cancellationToken: cancellationToken))
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

        var answers = await answersRead;

        // In time order, whatever order the shards answered in.
        var surveys = answers.SelectMany(rows => rows).OrderBy(r => r.At).ToList();
        return FunnelCalculator.Compute(query, reached, surveys);
    }

    private static bool TryParseStage(string? wire, out JourneyStage stage)
    {
        stage = FunnelCalculator.Order.FirstOrDefault(s => JourneyJson.WireName(s) == wire);
        return wire is not null && JourneyJson.WireName(stage) == wire;
    }

    private static bool TryParseSurvey(string? wire, out SurveyType type)
    {
        type = Enum.GetValues<SurveyType>().FirstOrDefault(t => JourneyJson.WireName(t) == wire);
        return wire is not null && JourneyJson.WireName(type) == wire;
    }
}
