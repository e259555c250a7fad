using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;

namespace JourneyHub.LoadHarness;

/// <summary>
/// Multi-event deliveries (default 100 events of one person each, every batching source mixed) through the counting
/// proxy: table requests per stored touchpoint, and stored touchpoints/s against raw batch upserts of the same rows
/// into the same Azurite through the same proxy, in the same run.
/// </summary>
public static class BatchScenario
{
    public static async Task<HarnessOutcome> RunAsync(HarnessOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var outcome = new HarnessOutcome();
        var runId = DateTime.UtcNow.ToString("MMddHHmmss", CultureInfo.InvariantCulture);
        var workload = Workload.CreateBatches(options.Deliveries, options.EventsPerDelivery, runId);
        output.WriteLine($"scenario batches: {workload.Batches.Count} signed deliveries of {options.EventsPerDelivery} events ({workload.Events.Count} events, {workload.People.Count} people, sources {string.Join(", ", Workload.BatchingSources)}), {options.Senders} senders");
        CountingProxy? proxy = null;
        await using var environment = await HubEnvironment.StartAsync(
            options,
            persistent: false,
            null,
            async azurite => (proxy = await CountingProxy.StartAsync(azurite, cancellationToken)).ConnectionString,
            cancellationToken);
        await using var proxyLifetime = proxy;
        using var sender = new Sender(environment.BaseAddress, options.Senders, maxRetries: 3);
        using var api = environment.CreateClient();
        proxy!.Reset();

        var start = Stopwatch.StartNew();
        var notAccepted = 0;
        var sendTime = await sender.SendAllAsync(
            workload.Batches,
            options.Senders,
            b => Workload.Request(environment.BaseAddress, b),
            (b, status) =>
            {
                if (status is { } s && (int)s is >= 200 and < 300)
                {
                    foreach (var e in b.Events)
                    {
                        Interlocked.Exchange(ref e.Accepted, 1);
                    }
                }
                else
                {
                    Interlocked.Increment(ref notAccepted);
                }
            },
            null,
            cancellationToken);
        var accepted = workload.Batches.Count - notAccepted;
        output.WriteLine($"  sent {workload.Batches.Count} deliveries in {sendTime.TotalSeconds:F1} s: {accepted} accepted");

        var deadline = DateTime.UtcNow + options.DrainTimeout;
        await Harness.WaitForEmptyQueueAsync(environment, deadline, cancellationToken);
        var processed = start.Elapsed;
        var count = await Harness.ReadBackAsync(api, workload, options.Senders, proxy, cancellationToken);
        while (count.Lost > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(1000, cancellationToken);
            await Harness.WaitForEmptyQueueAsync(environment, deadline, cancellationToken);
            processed = start.Elapsed;
            count = await Harness.ReadBackAsync(api, workload, options.Senders, proxy, cancellationToken);
        }

        outcome.Count = count;
        var counts = proxy.Counts.ToDictionary();
        var aggregatesLine = await AggregateCheck.CheckAsync(environment, count, outcome, cancellationToken);
        var figures = outcome.Figures;
        figures["deliveries"] = workload.Batches.Count;
        figures["stored"] = count.Stored;
        figures["lost"] = count.Lost;
        figures["duplicateRows"] = count.DuplicateRows;
        figures["summaryMismatches"] = count.SummaryMismatches;
        figures["storedPerSecond"] = count.Stored / processed.TotalSeconds;
        output.WriteLine($"  stored               {count.Stored} of {count.Expected} (rows seen through the API: {count.Rows}); lost {count.Lost}; duplicate rows {count.DuplicateRows}");
        output.WriteLine($"  summaries            {count.SummariesChecked} customers' GET /journey compared with a rebuild from their rows (JourneyState.Apply): {count.SummaryMismatches} differ");
        output.WriteLine(aggregatesLine);
        output.WriteLine($"  pipeline rate        {figures["storedPerSecond"]:F0} touchpoints/s stored (first send → all readable: {processed.TotalSeconds:F1} s)");
        Harness.ReportTransactions(counts, count.Stored, accepted, outcome, output);

        // The floor, through the same proxy: the same rows, 100 per entity-group transaction, as many at once as senders.
        var raw = await RawTableBaseline.RunAsync(new TableServiceClient(proxy.ConnectionString), options.Senders, cancellationToken);
        figures["rawRowsPerSecond"] = raw;
        figures["pipelineToRaw"] = figures["storedPerSecond"] / raw;
        output.WriteLine($"  raw Table baseline   {raw:F0} rows/s (batch upserts of the same rows, same Azurite, same proxy) → pipeline at {figures["pipelineToRaw"]:P1} of raw");
        foreach (var sample in count.Samples.Take(10))
        {
            output.WriteLine("    ! " + sample);
        }

        Harness.Require(outcome, notAccepted == 0, $"{notAccepted} deliveries were not accepted");
        Harness.Require(outcome, count.Lost == 0, $"{count.Lost} accepted events are not on any timeline");
        Harness.Require(outcome, count.DuplicateRows == 0, $"{count.DuplicateRows} events are on a timeline twice");
        Harness.Require(outcome, count.SummaryMismatches == 0, $"{count.SummaryMismatches} customers' summaries differ from a rebuild from their rows");
        return outcome;
    }
}
