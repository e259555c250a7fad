using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using JourneyHub.Azure.Segments;
using JourneyHub.Azure.Storage;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Journey.Segments;
using JourneyHub.Core.Schema;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace JourneyHub.LoadHarness;

/// <summary>
/// The segment journey map (issue 13) for a large population: p50/p99 of <c>GET /api/journeys/map</c> through the local
/// host against the bare Table queries that request issues (one range query per shard, same filter), alternating in
/// the same run, at two population sizes (a tenth of the target, then the target) so the run also shows how the cost
/// moves with the number of customers. The population is written as the real aggregate write path
/// (<see cref="TableSegmentAggregates.ApplyAsync"/> with each generated customer's journey summary) would leave it, through
/// <see cref="TableSegmentAggregates.SeedAsync"/>: the same contribution and sums rows, computed in memory and upserted
/// in transactions of 100 rows, because ApplyAsync's read and transaction per customer manage 20-65 customers per
/// second here (an hour for 100,000). The map reads only those rows, so what is measured does not change. Not through
/// the webhooks either: ingestion has its own figures.
/// </summary>
public static class SegmentMapBenchmark
{
    private static readonly string[] Personas = ["Bargain hunter", "Loyal regular", "Careful researcher"];

    private static readonly (string Source, Channel Channel, string Action)[] Origins =
    [
        ("hubspot", Channel.Web, "form.submitted"), ("meta", Channel.Social, "ad.clicked"), ("instagram", Channel.Social, "comment.posted"),
        ("google", Channel.Review, "review.read"), ("custom:shop", Channel.Web, "account.created"), ("custom:pos", Channel.InStore, "store.visited"),
    ];

    public static async Task<HarnessOutcome> RunAsync(HarnessOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var outcome = new HarnessOutcome();
        var started = Stopwatch.StartNew();
        await using var environment = await HubEnvironment.StartAsync(options, persistent: false, null, null, cancellationToken);
        using var api = environment.CreateClient();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [StorageClients.ConnectionName] = environment.StorageConnectionString }).Build();
        using var aggregates = new TableSegmentAggregates(new StorageClients(configuration), TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new StorageCacheOptions()), NullLogger<TableSegmentAggregates>.Instance);
        var table = environment.Tables.GetTableClient(TableSegmentAggregates.TableName);

        // Whole days, the last one yesterday, so the window is the same figures on every read.
        var end = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero);
        var window = (From: end.AddDays(-90), To: end);
        var segments = new[] { Segment.All, Segment.Persona(Personas[0]), Segment.FirstSource("hubspot"), Segment.Converted(true), Segment.Cohort(end.AddDays(-60)) };
        output.WriteLine($"scenario segment-map: up to {options.Customers:N0} customers over the year to {end:yyyy-MM-dd}, map window {window.From:yyyy-MM-dd} – {window.To:yyyy-MM-dd}, segments {string.Join(", ", segments.Select(s => s.Key))}");

        // A map read costs more as the table grows (on Azurite several times more for 10x the customers), so the second
        // size is measured only if the run's budget is not spent by then.
        var written = 0;
        var sizes = new[] { Math.Max(1, options.Customers / 10), options.Customers };
        foreach (var size in sizes)
        {
            if (started.Elapsed > options.RunTimeout / 2 && written > 0)
            {
                output.WriteLine($"  stopped at {written:N0} of {options.Customers:N0} customers: half the run's time budget ({options.RunTimeout.TotalMinutes:F0} min) was spent");
                break;
            }

            // Sums rows are replaced, not added to, so each size seeds its whole population again (the first customers' rows
            // come out the same).
            var watch = Stopwatch.StartNew();
            await aggregates.SeedAsync(Enumerable.Range(0, size).Select(i => (CustomerId(i), Person(i, new Random(options.Seed + i), end))), parallelTransactions: 8, cancellationToken);
            output.WriteLine($"  customers {size:N0} (seeded through TableSegmentAggregates.SeedAsync in {watch.Elapsed.TotalSeconds:F0} s, {size / Math.Max(0.001, watch.Elapsed.TotalSeconds):F0}/s)");
            written = size;

            var label = written.ToString(CultureInfo.InvariantCulture);
            if (!await MeasureAsync(api, table, window, segments, options.SegmentMapReads, label, outcome, output, cancellationToken))
            {
                break;
            }
        }

        outcome.Figures["customers"] = written;
        var (small, large) = (sizes[0].ToString(CultureInfo.InvariantCulture), written.ToString(CultureInfo.InvariantCulture));
        if (written > sizes[0] && outcome.Figures.ContainsKey($"apiP99Ms@{large}"))
        {
            outcome.Figures["apiP99Growth"] = outcome.Figures[$"apiP99Ms@{large}"] / outcome.Figures[$"apiP99Ms@{small}"];
            outcome.Figures["bareP99Growth"] = outcome.Figures[$"bareP99Ms@{large}"] / outcome.Figures[$"bareP99Ms@{small}"];
            output.WriteLine($"  {written / (double)sizes[0]:F1}x the customers: API p99 {outcome.Figures["apiP99Growth"]:F2}x, bare queries p99 {outcome.Figures["bareP99Growth"]:F2}x, " +
                $"sums rows read {outcome.Figures[$"rows@{large}"] / outcome.Figures[$"rows@{small}"]:F2}x, empty-segment queries p50 {outcome.Figures[$"emptyP50Ms@{large}"] / outcome.Figures[$"emptyP50Ms@{small}"]:F2}x");
        }

        output.WriteLine($"  host peak memory {environment.PeakWorkingSetBytes / 1024.0 / 1024.0:F0} MB");
        return outcome;
    }

    private static async Task<bool> MeasureAsync(
        HttpClient api,
        TableClient table,
        (DateTimeOffset From, DateTimeOffset To) window,
        Segment[] segments,
        int reads,
        string label,
        HarnessOutcome outcome,
        TextWriter output,
        CancellationToken cancellationToken)
    {
        var apiTimes = new List<double>();
        var bareTimes = new List<double>();
        var rowsRead = 0L;

        // Warm both paths, then alternate them over the segments so they share the machine's conditions.
        for (var i = 0; i < 10; i++)
        {
            await ApiMapAsync(api, window, segments[i % segments.Length], cancellationToken);
            await BareQueriesAsync(table, window, segments[i % segments.Length], cancellationToken);
        }

        for (var i = 0; i < reads; i++)
        {
            var segment = segments[i % segments.Length];
            var watch = Stopwatch.StartNew();
            var reached = await ApiMapAsync(api, window, segment, cancellationToken);
            apiTimes.Add(watch.Elapsed.TotalMilliseconds);
            watch.Restart();
            var rows = await BareQueriesAsync(table, window, segment, cancellationToken);
            bareTimes.Add(watch.Elapsed.TotalMilliseconds);
            rowsRead += rows;
            if (segment == Segment.All && (reached == 0) != (rows == 0))
            {
                outcome.Failures.Add($"the map of everyone counts {reached} customers reached awareness while the queries read {rows} sums rows");
                return false;
            }
        }

        // The same shard queries for a segment no customer is in: no row comes back, so their time is what the store spends
        // finding the range, which on Azure Table does not depend on how many other rows the partitions hold.
        var emptyTimes = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            var watch = Stopwatch.StartNew();
            var none = await BareQueriesAsync(table, window, Segment.Persona("nobody"), cancellationToken);
            emptyTimes.Add(watch.Elapsed.TotalMilliseconds);
            if (none != 0)
            {
                outcome.Failures.Add($"{none} sums rows for a persona nobody has");
                return false;
            }
        }

        var f = outcome.Figures;
        f[$"emptyP50Ms@{label}"] = Percentiles.Of(emptyTimes, 50);
        f[$"apiP50Ms@{label}"] = Percentiles.Of(apiTimes, 50);
        f[$"apiP99Ms@{label}"] = Percentiles.Of(apiTimes, 99);
        f[$"bareP50Ms@{label}"] = Percentiles.Of(bareTimes, 50);
        f[$"bareP99Ms@{label}"] = Percentiles.Of(bareTimes, 99);
        f[$"p99Ratio@{label}"] = f[$"apiP99Ms@{label}"] / f[$"bareP99Ms@{label}"];
        f[$"rows@{label}"] = rowsRead / (double)reads;
        output.WriteLine($"    {reads} maps, 90-day window, {f[$"rows@{label}"]:F0} sums rows per map on average ({TableSegmentAggregates.Shards} range queries)");
        output.WriteLine($"    API  GET /journeys/map     p50 {f[$"apiP50Ms@{label}"]:F1} ms, p99 {f[$"apiP99Ms@{label}"]:F1} ms");
        output.WriteLine($"    bare {TableSegmentAggregates.Shards} shard queries       p50 {f[$"bareP50Ms@{label}"]:F1} ms, p99 {f[$"bareP99Ms@{label}"]:F1} ms");
        output.WriteLine($"    bare, a segment of nobody  p50 {f[$"emptyP50Ms@{label}"]:F1} ms (0 rows: the cost of finding the ranges)");
        output.WriteLine($"    ratio                      p50 {f[$"apiP50Ms@{label}"] / f[$"bareP50Ms@{label}"]:F2}x, p99 {f[$"p99Ratio@{label}"]:F2}x (goal ≤ 1.5x)");
        return true;
    }

    /// <summary>The map through the local host; returns the customers that reached awareness in the window (for the sanity check).</summary>
    private static async Task<long> ApiMapAsync(HttpClient api, (DateTimeOffset From, DateTimeOffset To) window, Segment segment, CancellationToken cancellationToken)
    {
        var url = $"/api/journeys/map?from={window.From:yyyy-MM-dd}&to={window.To:yyyy-MM-dd}&segment={Uri.EscapeDataString(segment.Key)}&code={HubEnvironment.FunctionKey}";
        using var response = await api.GetAsync(new Uri(url, UriKind.Relative), cancellationToken);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
        return json.RootElement.GetProperty("stages")[0].GetProperty("reached").GetInt64();
    }

    /// <summary>
    /// What <see cref="TableSegmentAggregates"/> asks the service for one map: per shard, the sums rows of the segment in
    /// the window's days, all shards at once. Every row is read (the SDK parses its properties), nothing is added up.
    /// </summary>
    private static async Task<int> BareQueriesAsync(TableClient table, (DateTimeOffset From, DateTimeOffset To) window, Segment segment, CancellationToken cancellationToken)
    {
        var query = new SegmentMapQuery(window.From, window.To, segment);
        var (low, high) = ("d|" + query.FromDay + "|", "d|" + query.ToDay + "|");
        var counts = await Task.WhenAll(Enumerable.Range(0, TableSegmentAggregates.Shards).Select(async shard =>
        {
            var partition = "s" + shard.ToString("00", CultureInfo.InvariantCulture);
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {low} and RowKey lt {high} and Segment eq {segment.Key}");
            var rows = 0;
            await foreach (var _ in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken))
            {
                rows++;
            }

            return rows;
        }));
        return counts.Sum();
    }

    private static string CustomerId(int index) => "cus_bench" + index.ToString("D8", CultureInfo.InvariantCulture);

    /// <summary>
    /// One generated customer's journey summary: a first touch somewhere in the year (persona, source and channel from
    /// small lists), stage-less visits, and with falling odds consideration, a purchase, a review, an NPS answer and
    /// visits after it, so its contribution touches the days and segments a real one does. Public: the seeding test
    /// proves SeedAsync exact on this very population.
    /// </summary>
    public static JourneyState Person(int index, Random random, DateTimeOffset end)
    {
        var (source, channel, action) = Origins[random.Next(Origins.Length)];
        var at = end.AddDays(-random.Next(1, 366)).AddMinutes(random.Next(0, 1440));
        var touchpoints = new List<Touchpoint>
        {
            Touch(index, 0, source, at, channel, JourneyStage.Awareness, action) with
            {
                Attributes = new Dictionary<string, string> { [JourneyState.PersonaAttribute] = Personas[index % Personas.Length] },
            },
        };

        DateTimeOffset Later(int maxDays) => at = at.AddDays(random.Next(1, maxDays)).AddMinutes(random.Next(0, 600));
        for (var v = random.Next(0, 3); v > 0; v--)
        {
            touchpoints.Add(Touch(index, touchpoints.Count, "custom:shop", Later(10), Channel.Web, null, "page.viewed"));
        }

        if (random.NextDouble() < 0.6)
        {
            touchpoints.Add(Touch(index, touchpoints.Count, "custom:shop", Later(20), Channel.Web, JourneyStage.Consideration, "pricing.viewed"));
            if (random.NextDouble() < 0.5)
            {
                touchpoints.Add(Touch(index, touchpoints.Count, "custom:shop", Later(30), Channel.Web, JourneyStage.Decision, "purchase.completed") with
                {
                    Attributes = new Dictionary<string, string> { ["amount"] = random.Next(20, 400).ToString(CultureInfo.InvariantCulture), ["currency"] = "EUR" },
                });
                var score = Math.Round((random.NextDouble() * 2) - 1, 2);
                touchpoints.Add(Touch(index, touchpoints.Count, "trustpilot", Later(40), Channel.Review, JourneyStage.Retention, "review.posted") with
                {
                    Kind = TouchpointKind.Indirect,
                    Sentiment = new Sentiment(score, score < -0.2 ? SentimentLabel.Negative : score > 0.2 ? SentimentLabel.Positive : SentimentLabel.Neutral),
                });
                touchpoints.Add(Touch(index, touchpoints.Count, "custom:survey", Later(30), Channel.Survey, null, "survey.answered") with
                {
                    Survey = new SurveyAnswer(SurveyType.Nps, random.Next(0, 11), null),
                });
                for (var v = random.Next(0, 4); v > 0; v--)
                {
                    touchpoints.Add(Touch(index, touchpoints.Count, "custom:pos", Later(20), Channel.InStore, null, "store.visited"));
                }
            }
        }

        return touchpoints.Where(t => t.OccurredAt < end).Aggregate(new JourneyState(), (state, t) => state.Apply(t));
    }

    private static Touchpoint Touch(int person, int n, string source, DateTimeOffset at, Channel channel, JourneyStage? stage, string action)
    {
        var eventId = string.Create(CultureInfo.InvariantCulture, $"bench-{person}-{n}");
        return new Touchpoint
        {
            TouchpointId = TouchpointIds.For(source, eventId),
            Source = source,
            SourceEventId = eventId,
            OccurredAt = at,
            ReceivedAt = at,
            Channel = channel,
            Kind = TouchpointKind.Direct,
            Stage = stage,
            Action = action,
            Summary = action,
        };
    }
}
