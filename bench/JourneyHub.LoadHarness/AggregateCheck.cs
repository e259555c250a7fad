using System.Text.Json;
using System.Text.Json.Nodes;
using JourneyHub.Azure.Customers;
using JourneyHub.Azure.Segments;
using JourneyHub.Azure.Storage;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Journey.Segments;
using JourneyHub.Core.Schema;
using JourneyHub.LocalHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace JourneyHub.LoadHarness;

/// <summary>
/// The aggregates as the pipeline left them (segment map and funnel, read from the run's storage) against the same
/// aggregates built here, in an Azurite of their own, from the rows the read API serves: the segment map seeded from
/// each customer's rebuilt summary (<see cref="TableSegmentAggregates.SeedAsync"/>, stage rows included), then each
/// customer's survey answers recorded from its rows. Pain examples are left out (which five a sums row keeps depends on the order of changes).
/// </summary>
public static class AggregateCheck
{
    public static IReadOnlyList<string> Segments { get; } = ["all", "converted:true", "converted:false"];

    /// <summary>
    /// The check as every scenario runs it on the rows its read-back found (<paramref name="count"/>): the figure
    /// <c>aggregateMismatches</c> (0 or 1), a failure of <paramref name="outcome"/> when they differ, and the report line to
    /// write among the scenario's others.
    /// </summary>
    public static async Task<string> CheckAsync(HubEnvironment environment, TimelineCount count, HarnessOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(count);
        ArgumentNullException.ThrowIfNull(outcome);

        // Read from storage directly, past any counting proxy: the check's own requests are not the pipeline's.
        var difference = await DifferenceAsync(environment.StorageConnectionString, count.Timelines, cancellationToken);
        outcome.Figures["aggregateMismatches"] = difference is null ? 0 : 1;
        Harness.Require(outcome, difference is null, $"the aggregates differ from those built from the rows: {difference}");
        return $"  aggregates           segment map ({string.Join(", ", Segments)}) and funnel of {count.Timelines.Count} customers compared with the same built from their rows: {difference ?? "equal"}";
    }

    /// <summary>Null when every map and the funnel are equal; else the first difference.</summary>
    private static async Task<string?> DifferenceAsync(string runStorage, IReadOnlyDictionary<string, IReadOnlyList<Touchpoint>> timelines, CancellationToken cancellationToken)
    {
        // One "now" for both maps: the churn-risk KPI counts customers whose risk began by then, and the two reads are seconds apart.
        var clock = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var reference = await AzuriteProcess.StartAsync(cancellationToken: cancellationToken);
        var (run, rebuilt) = (Clients(runStorage), Clients(reference.ConnectionString));
        using var runMap = Map(run, clock);
        using var rebuiltMap = Map(rebuilt, clock);
        var summaries = timelines.ToDictionary(t => t.Key, t => t.Value.Reverse().Aggregate(new JourneyState(), (state, touchpoint) => state.Apply(touchpoint)), StringComparer.Ordinal);
        await rebuiltMap.SeedAsync(summaries.Select(s => (s.Key, s.Value)), parallelTransactions: 4, cancellationToken);

        // The window of the workload's touchpoints (at most the 400 days a map or funnel may span).
        var times = timelines.Values.SelectMany(t => t).Select(t => t.OccurredAt).ToList();
        var from = new DateTimeOffset(times.Min().UtcDateTime.Date, TimeSpan.Zero);
        var to = new DateTimeOffset(times.Max().UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        to = to - from > TimeSpan.FromDays(SegmentMapQuery.MaxDays) ? from.AddDays(SegmentMapQuery.MaxDays) : to;
        var everyone = await rebuiltMap.MapAsync(new SegmentMapQuery(from, to, Segment.All), cancellationToken);
        if (everyone.Kpis.Customers != summaries.Count)
        {
            // Two empty maps would be equal too: the window must hold every customer.
            return $"the window holds {everyone.Kpis.Customers} of {summaries.Count} customers";
        }

        foreach (var key in Segments)
        {
            var query = new SegmentMapQuery(from, to, Segment.TryParse(key, out _)!);
            var (expected, actual) = (Json(await rebuiltMap.MapAsync(query, cancellationToken)), Json(await runMap.MapAsync(query, cancellationToken)));
            if (!JsonNode.DeepEquals(expected, actual))
            {
                return $"segment map '{key}': stored {Clip(actual.ToJsonString())}, rebuilt {Clip(expected.ToJsonString())}";
            }
        }

        // The seeded contribution rows already hold these summaries, so each call writes only the customer's answers.
        await Task.WhenAll(timelines.Where(t => t.Value.Any(x => x.Survey is not null)).Select(t => rebuiltMap.ApplyAsync(t.Key, null, summaries[t.Key], t.Value, cancellationToken)));
        var (runFunnel, rebuiltFunnel) = (new TableJourneyAnalytics(run), new TableJourneyAnalytics(rebuilt));

        var funnel = new FunnelQuery(from, to, null);
        var (expectedFunnel, actualFunnel) = (Json(await rebuiltFunnel.FunnelAsync(funnel, cancellationToken)), Json(await runFunnel.FunnelAsync(funnel, cancellationToken)));
        return JsonNode.DeepEquals(expectedFunnel, actualFunnel) ? null : $"funnel: stored {Clip(actualFunnel.ToJsonString())}, rebuilt {Clip(expectedFunnel.ToJsonString())}";
    }

    private static StorageClients Clients(string connectionString) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [StorageClients.ConnectionName] = connectionString }).Build());

    private static TableSegmentAggregates Map(StorageClients clients, TimeProvider clock) =>
        new(clients, clock, Microsoft.Extensions.Options.Options.Create(new StorageCacheOptions()), NullLogger<TableSegmentAggregates>.Instance);

    /// <summary>The report as JSON, without pain examples.</summary>
    private static JsonNode Json<T>(T report)
    {
        var node = JsonSerializer.SerializeToNode(report, JourneyJson.Options)!;
        Strip(node);
        return node;
    }

    private static void Strip(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject item:
                item.Remove("examples");
                foreach (var (_, child) in item)
                {
                    Strip(child);
                }

                break;
            case JsonArray list:
                foreach (var child in list)
                {
                    Strip(child);
                }

                break;
        }
    }

    private static string Clip(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
