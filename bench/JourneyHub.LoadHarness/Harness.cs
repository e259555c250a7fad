using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using JourneyHub.Azure.Storage;

namespace JourneyHub.LoadHarness;

/// <summary>What a run proved, or why not; figures by name for docs and tests.</summary>
public sealed class HarnessOutcome
{
    public List<string> Failures { get; } = [];

    public Dictionary<string, double> Figures { get; } = new(StringComparer.Ordinal);

    public List<string> Proved { get; } = [];

    public bool Passed => Failures.Count == 0;

    public TimelineCount? Count { get; set; }
}

/// <summary>The scenarios; each starts its own Azurite and local host and stops them at the end.</summary>
public static class Harness
{
    public static Task<HarnessOutcome> RunAsync(HarnessOptions options, TextWriter output, CancellationToken cancellationToken) => options.Scenario switch
    {
        Scenario.Hostile => HostileInput.RunAsync(options, output, cancellationToken),
        Scenario.TimelineRead => TimelineReadBenchmark.RunAsync(options, output, cancellationToken),
        Scenario.Batches => BatchScenario.RunAsync(options, output, cancellationToken),
        Scenario.SegmentMap => SegmentMapBenchmark.RunAsync(options, output, cancellationToken),
        Scenario.QueueBacklog => QueueBacklogBenchmark.RunAsync(output, cancellationToken),
        _ => LoadAsync(options, output, cancellationToken),
    };

    private static async Task<HarnessOutcome> LoadAsync(HarnessOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var outcome = new HarnessOutcome();
        var scenario = options.Scenario;
        var runId = DateTime.UtcNow.ToString("MMddHHmmss", CultureInfo.InvariantCulture);
        await using var fake = scenario == Scenario.EnrichmentErrors ? await FakeHubSpot.StartAsync(cancellationToken) : null;
        CountingProxy? proxy = null;
        var extra = new Dictionary<string, string>(StringComparer.Ordinal);
        if (fake is not null)
        {
            extra["Sources__HubSpot__AccessToken"] = "harness-hubspot-token";
            extra["Sources__HubSpot__BaseUrl"] = fake.BaseAddress.ToString();
        }

        output.WriteLine($"scenario {Name(scenario)}: {options.Deliveries} signed deliveries, {options.Senders} senders{(options.DeliveriesPerSecond is { } rate ? $" at {rate} deliveries/s" : "")}, {options.DuplicateRate:P0} duplicates, {options.OutOfOrderRate:P0} out of order");
        await using var environment = await HubEnvironment.StartAsync(
            options,
            persistent: scenario == Scenario.AzuriteRestart,
            extra,
            scenario == Scenario.Transactions ? async azurite => (proxy = await CountingProxy.StartAsync(azurite, cancellationToken)).ConnectionString : null,
            cancellationToken);
        await using var proxyLifetime = proxy;
        var workload = Workload.Create(options, runId);
        var faulty = scenario is Scenario.KillHost or Scenario.AzuriteRestart;
        using var sender = new Sender(environment.BaseAddress, options.Senders, maxRetries: faulty ? 240 : 3);
        using var api = environment.CreateClient();
        proxy?.Reset();

        // Memory: sample the host's peak resident set while the run goes.
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                environment.SamplePeak();
                await Task.Delay(250, sampling.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }, CancellationToken.None);

        var faultAt = workload.SendOrder.Count * 2 / 5;
        Task fault = Task.CompletedTask;
        var faultStarted = 0;
        var poisonIds = new List<(SourceKind Kind, string CorrelationId, HttpStatusCode? Status)>();
        var progressWatch = Stopwatch.StartNew();
        void OnProgress(int done)
        {
            if (done % Math.Max(1, workload.SendOrder.Count / 10) == 0)
            {
                output.WriteLine($"  {done} sent, {done / progressWatch.Elapsed.TotalSeconds:F0}/s, queue backlog {TryBacklog(environment)}");
            }

            if (done < faultAt || Interlocked.Exchange(ref faultStarted, 1) == 1)
            {
                return;
            }

            fault = scenario switch
            {
                Scenario.KillHost => Task.Run(async () =>
                {
                    output.WriteLine($"  fault: killing the local host after {done} deliveries, restarting in 2 s");
                    await environment.KillAndRestartHostAsync(TimeSpan.FromSeconds(2), cancellationToken);
                    output.WriteLine("  fault: local host back");
                }, cancellationToken),
                Scenario.AzuriteRestart => Task.Run(async () =>
                {
                    output.WriteLine($"  fault: stopping Azurite after {done} deliveries for 6 s (disk persistence, same ports)");
                    await environment.StopAndRestartAzuriteAsync(TimeSpan.FromSeconds(6), cancellationToken);
                    output.WriteLine("  fault: Azurite back");
                }, cancellationToken),
                Scenario.EnrichmentErrors => Task.Run(async () =>
                {
                    // The fake has failed since the start; it recovers at 40 % + 10 s.
                    await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
                    fake!.Failing = false;
                    output.WriteLine($"  fault: HubSpot API recovers after answering {fake.Failures.Status429} x 429 and {fake.Failures.Status500} x 500");
                }, cancellationToken),
                Scenario.Poison => Task.Run(async () =>
                {
                    foreach (var (kind, body) in Workload.PoisonPayloads())
                    {
                        var correlation = "poison-" + kind.ToString().ToLowerInvariant() + "-" + runId;
                        using var request = Workload.Signed(environment.BaseAddress, kind, body, correlation, correlation);
                        using var response = await sender.Client.SendAsync(request, cancellationToken);
                        lock (poisonIds)
                        {
                            poisonIds.Add((kind, correlation, response.StatusCode));
                        }
                    }

                    output.WriteLine("  fault: one poison payload per source sent");
                }, cancellationToken),
                _ => Task.CompletedTask,
            };
        }

        // The ack path's floor under the same load: one bare-PUT writer beside the senders while they send.
        using var probeStop = new CancellationTokenSource();
        var putProbe = scenario == Scenario.Load && options.RawBaseline
            ? BlobPutBaseline.ProbeAsync(environment, workload.SendOrder.Select(Workload.Body).ToList(), probeStop.Token)
            : Task.FromResult((P50: double.NaN, P99: double.NaN, Count: 0));
        var start = Stopwatch.StartNew();
        var notAccepted = 0;
        var sendTime = await sender.SendAllAsync(
            workload.SendOrder,
            options.Senders,
            e => Workload.Request(environment.BaseAddress, e),
            (e, status) =>
            {
                if (status is { } s && (int)s is >= 200 and < 300)
                {
                    Interlocked.Exchange(ref e.Accepted, 1);
                }
                else
                {
                    Interlocked.Increment(ref notAccepted);
                }
            },
            OnProgress,
            cancellationToken,
            options.DeliveriesPerSecond);
        await probeStop.CancelAsync();
        var putDuringLoad = await putProbe;
        await fault;
        var accepted = workload.SendOrder.Count - notAccepted;
        output.WriteLine($"  sent {workload.SendOrder.Count} deliveries in {sendTime.TotalSeconds:F1} s: {accepted} accepted, {notAccepted} not accepted after retries");

        // Drain: the queue empties, then the read API must show every accepted event.
        var drainDeadline = DateTime.UtcNow + options.DrainTimeout;
        await WaitForEmptyQueueAsync(environment, drainDeadline, cancellationToken);
        var processed = start.Elapsed;
        TimelineCount count;
        try
        {
            count = await ReadBackAsync(api, workload, options.Senders, proxy, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            output.WriteLine("  the read API failed: " + ex.Message + "\n" + environment.HostOutput);
            throw;
        }

        while (count.Lost > 0 && DateTime.UtcNow < drainDeadline)
        {
            await Task.Delay(2000, cancellationToken);
            await WaitForEmptyQueueAsync(environment, drainDeadline, cancellationToken);
            processed = start.Elapsed;
            count = await ReadBackAsync(api, workload, options.Senders, proxy, cancellationToken);
        }

        await sampling.CancelAsync();
        await sampler;
        outcome.Count = count;

        // The segment map and the funnel against the same aggregates built from the rows the API serves.
        var aggregatesLine = await AggregateCheck.CheckAsync(environment, count, outcome, cancellationToken);

        var latencies = sender.Latencies;
        var fiveHundreds = sender.StatusCounts.Where(s => s.Key >= 500).Sum(s => s.Value);
        var unique = workload.Events.Count(e => e.Accepted == 1);
        var figures = outcome.Figures;
        figures["deliveries"] = workload.SendOrder.Count;
        figures["accepted"] = accepted;
        figures["uniqueAccepted"] = unique;
        figures["stored"] = count.Stored;
        figures["duplicatesSent"] = workload.Duplicates;
        figures["duplicatesSuppressed"] = accepted - count.Stored - count.DuplicateRows;
        figures["duplicateRows"] = count.DuplicateRows;
        figures["lost"] = count.Lost;
        figures["summaryMismatches"] = count.SummaryMismatches;
        figures["outOfOrderSent"] = workload.OutOfOrder;
        figures["orderViolations"] = count.OrderViolations;
        figures["http5xx"] = fiveHundreds;
        figures["acceptedPerSecond"] = accepted / sendTime.TotalSeconds;
        figures["storedPerSecond"] = count.Stored / processed.TotalSeconds;
        figures["latencyP50Ms"] = Percentiles.Of(latencies, 50);
        figures["latencyP95Ms"] = Percentiles.Of(latencies, 95);
        figures["latencyP99Ms"] = Percentiles.Of(latencies, 99);
        figures["hostPeakWorkingSetMB"] = environment.PeakWorkingSetBytes / 1024.0 / 1024.0;

        output.WriteLine($"  accepted             {accepted} deliveries ({unique} unique events)");
        output.WriteLine($"  stored               {count.Stored} (rows seen through the API: {count.Rows}, in {workload.People.Count} timelines)");
        output.WriteLine($"  duplicates           {workload.Duplicates} sent, {figures["duplicatesSuppressed"]} suppressed, {count.DuplicateRows} duplicate rows");
        output.WriteLine($"  out of order         {workload.OutOfOrder} sent late, {count.OrderViolations} timelines out of order");
        output.WriteLine($"  lost                 {count.Lost}");
        output.WriteLine($"  summaries            {count.SummariesChecked} customers' GET /journey compared with a rebuild from their rows (JourneyState.Apply): {count.SummaryMismatches} differ");
        output.WriteLine(aggregatesLine);
        output.WriteLine($"  stored unacknowledged {count.Unexpected}");
        output.WriteLine($"  webhook replies      {string.Join(", ", sender.StatusCounts.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"))}; transport errors {sender.TransportErrors}; attempts {sender.Attempts}");
        output.WriteLine($"  accept rate          {figures["acceptedPerSecond"]:F0} deliveries/s");
        output.WriteLine($"  pipeline rate        {figures["storedPerSecond"]:F0} touchpoints/s stored (first send → all readable: {processed.TotalSeconds:F1} s)");
        output.WriteLine($"  reply latency        p50 {figures["latencyP50Ms"]:F1} ms, p95 {figures["latencyP95Ms"]:F1} ms, p99 {figures["latencyP99Ms"]:F1} ms");
        output.WriteLine($"  host peak memory     {figures["hostPeakWorkingSetMB"]:F0} MB (VmHWM)");
        foreach (var sample in count.Samples.Take(10))
        {
            output.WriteLine("    ! " + sample);
        }

        Require(outcome, count.Lost == 0, $"{count.Lost} accepted events are not on any timeline");
        Require(outcome, count.DuplicateRows == 0, $"{count.DuplicateRows} events are on a timeline twice");
        Require(outcome, count.OrderViolations == 0, $"{count.OrderViolations} timelines are not newest first");
        Require(outcome, count.SummaryMismatches == 0, $"{count.SummaryMismatches} customers' summaries differ from a rebuild from their rows");
        Require(outcome, environment.HostIsRunning, "the local host is not running at the end");
        if (!faulty)
        {
            Require(outcome, fiveHundreds == 0, $"{fiveHundreds} webhook replies were 5xx");
            Require(outcome, notAccepted == 0, $"{notAccepted} deliveries were not accepted");
        }
        else
        {
            Require(outcome, notAccepted == 0, $"{notAccepted} deliveries were never accepted, even after retries");
        }

        outcome.Proved.Add($"{unique} accepted events, each on exactly one timeline row, counted through the read API; {workload.Duplicates} duplicates suppressed; 0 lost");
        switch (scenario)
        {
            case Scenario.KillHost:
                outcome.Proved.Add($"local host killed mid-load and restarted ({environment.HostRestarts}x): work queued before the kill was processed after the restart; senders' retries were all accepted");
                break;
            case Scenario.AzuriteRestart:
                var unavailable = sender.StatusCounts.GetValueOrDefault(503);
                figures["status503"] = unavailable;
                Require(outcome, sender.StatusCounts.Where(s => s.Key >= 500 && s.Key != 503).Sum(s => s.Value) == 0, "a 5xx other than 503 while storage was down");
                outcome.Proved.Add($"storage down ~6 s: webhooks answered 503 ({unavailable}x), never 2xx without an archived copy; nothing acknowledged was lost");
                break;
            case Scenario.EnrichmentErrors:
                var (s429, s500) = fake!.Failures;
                figures["enrichment429"] = s429;
                figures["enrichment500"] = s500;
                figures["enrichmentServed"] = fake.Served;
                Require(outcome, s429 > 0 && s500 > 0, "the fake HubSpot API never failed");
                outcome.Proved.Add($"HubSpot API answered {s429} x 429 and {s500} x 500, then {fake.Served} x 200: no event lost, no duplicate; payloads retried and stored (enriched once the API recovered)");
                break;
            case Scenario.Poison:
                await CheckPoisonAsync(api, poisonIds, outcome, output, cancellationToken);
                break;
            case Scenario.Transactions:
                ReportTransactions(proxy!.Counts.ToDictionary(), count.Stored, accepted, outcome, output);
                break;
            default:
                break;
        }

        if (scenario == Scenario.Load && options.RawBaseline)
        {
            var raw = await RawTableBaseline.RunAsync(environment, options.Senders, cancellationToken);
            figures["rawRowsPerSecond"] = raw;
            figures["pipelineToRaw"] = figures["storedPerSecond"] / raw;
            output.WriteLine($"  raw Table baseline   {raw:F0} rows/s (batch upserts of the same rows, same Azurite) → pipeline at {figures["pipelineToRaw"]:P1} of raw");

            // The ack path's floor: one bare blob PUT per delivery body, as many at once as there were senders.
            var put = await BlobPutBaseline.RunAsync(environment, workload.SendOrder.Select(Workload.Body).ToList(), options.Senders, cancellationToken);
            figures["blobPutP50Ms"] = put.P50;
            figures["blobPutP99Ms"] = put.P99;
            figures["replyP99ToBlobPutP99"] = figures["latencyP99Ms"] / put.P99;
            output.WriteLine($"  bare blob PUT        p50 {put.P50:F1} ms, p99 {put.P99:F1} ms ({put.Count} PUTs of the same bodies, {options.Senders} at once, same Azurite, after the load)");
            output.WriteLine($"  webhook reply p99    {figures["latencyP99Ms"]:F1} ms = {figures["replyP99ToBlobPutP99"]:F2}x the bare blob PUT p99");
            figures["blobPutDuringLoadP50Ms"] = putDuringLoad.P50;
            figures["blobPutDuringLoadP99Ms"] = putDuringLoad.P99;
            figures["replyP99ToBlobPutDuringLoadP99"] = figures["latencyP99Ms"] / putDuringLoad.P99;
            output.WriteLine($"  bare blob PUT        p50 {putDuringLoad.P50:F1} ms, p99 {putDuringLoad.P99:F1} ms ({putDuringLoad.Count} PUTs by one more writer beside the {options.Senders} senders, during the load)");
            output.WriteLine($"  webhook reply        p50 {figures["latencyP50Ms"] / putDuringLoad.P50:F2}x, p99 {figures["replyP99ToBlobPutDuringLoadP99"]:F2}x the bare blob PUT during the load");
        }

        foreach (var line in outcome.Proved)
        {
            output.WriteLine("  proved: " + line);
        }

        return outcome;
    }

    private static string TryBacklog(HubEnvironment environment)
    {
        try
        {
            return environment.IngestQueue.GetProperties().Value.ApproximateMessagesCount.ToString(CultureInfo.InvariantCulture);
        }
        catch (RequestFailedException)
        {
            return "?";
        }
    }

    internal static async Task WaitForEmptyQueueAsync(HubEnvironment environment, DateTime deadline, CancellationToken cancellationToken)
    {
        var queue = environment.IngestQueue;
        var emptyPolls = 0;
        while (DateTime.UtcNow < deadline && emptyPolls < 2)
        {
            try
            {
                var count = (await queue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
                emptyPolls = count == 0 ? emptyPolls + 1 : 0;
            }
            catch (RequestFailedException)
            {
                emptyPolls = 0;
            }

            await Task.Delay(500, cancellationToken);
        }
    }

    private static async Task CheckPoisonAsync(HttpClient api, List<(SourceKind Kind, string CorrelationId, HttpStatusCode? Status)> poison, HarnessOutcome outcome, TextWriter output, CancellationToken cancellationToken)
    {
        Require(outcome, poison.Count == 6, $"only {poison.Count} poison payloads were sent");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/admin/dead-letters?limit=500", UriKind.Relative));
        request.Headers.Add("x-functions-key", HubEnvironment.AdminKey);
        using var response = await api.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
        var letters = json.RootElement.GetProperty("items").EnumerateArray()
            .Select(d => (Source: d.GetProperty("source").GetString() ?? "", Correlation: d.GetProperty("correlationId").GetString() ?? "", Reason: d.GetProperty("reason").GetString() ?? "", Blob: d.GetProperty("blobName").GetString() ?? ""))
            .ToList();
        var found = 0;
        foreach (var (kind, correlation, status) in poison)
        {
            var letter = letters.FirstOrDefault(l => l.Correlation == correlation);
            var accepted = status is { } s && (int)s is >= 200 and < 300;
            if (accepted && letter.Blob is { Length: > 0 })
            {
                found++;
                output.WriteLine($"    poison {kind,-10} → {(int)status!.Value}, dead letter ({letter.Source}): {Shorten(letter.Reason)}");
            }
            else
            {
                output.WriteLine($"    poison {kind,-10} → {(status is null ? "no reply" : ((int)status).ToString(CultureInfo.InvariantCulture))}, NO dead letter");
            }
        }

        outcome.Figures["poisonDeadLettered"] = found;
        Require(outcome, found == poison.Count, $"{poison.Count - found} poison payloads were not acknowledged and dead-lettered");
        outcome.Proved.Add($"{found} poison payloads (one per source) archived, acknowledged and listed by GET /api/admin/dead-letters with a reason; the load around them lost nothing");
    }

    /// <summary>Counts while the pipeline works; the read-back through the API is not counted.</summary>
    internal static async Task<TimelineCount> ReadBackAsync(HttpClient api, Workload workload, int concurrency, CountingProxy? proxy, CancellationToken cancellationToken)
    {
        if (proxy is not null)
        {
            proxy.Paused = true;
        }

        try
        {
            return await TimelineCounter.CountAsync(api, workload, concurrency, cancellationToken);
        }
        finally
        {
            if (proxy is not null)
            {
                proxy.Paused = false;
            }
        }
    }

    internal static void ReportTransactions(Dictionary<string, int> counts, int stored, int deliveries, HarnessOutcome outcome, TextWriter output)
    {
        int Sum(string prefix) => counts.Where(c => c.Key.StartsWith(prefix, StringComparison.Ordinal)).Sum(c => c.Value);
        var table = Sum("table ");
        var blob = Sum("blob ");
        var blobWrites = Sum("blob PUT") + Sum("blob POST") + Sum("blob DELETE");
        var queue = Sum("queue ");
        var all = table + blob + queue;
        double PerTouchpoint(int n) => (double)n / Math.Max(1, stored);
        double PerDelivery(int n) => (double)n / Math.Max(1, deliveries);
        var figures = outcome.Figures;
        figures["tableRequestsPerTouchpoint"] = PerTouchpoint(table);
        figures["blobRequestsPerTouchpoint"] = PerTouchpoint(blob);
        figures["queueRequestsPerTouchpoint"] = PerTouchpoint(queue);
        figures["storageRequestsPerDelivery"] = PerDelivery(all);
        var cost = StoragePrices.PerMillion(PerDelivery(table), PerDelivery(blobWrites), PerDelivery(blob - blobWrites), PerDelivery(queue));
        figures["storageCostPerMillionDeliveries"] = cost.Total;
        output.WriteLine($"  storage requests     table {table}, blob {blob}, queue {queue} for {stored} stored touchpoints from {deliveries} accepted deliveries (read-back through the API not counted)");
        output.WriteLine($"  per stored touchpoint table {PerTouchpoint(table):F2}, blob {PerTouchpoint(blob):F2}, queue {PerTouchpoint(queue):F2}");
        output.WriteLine($"  per delivery         all storage {PerDelivery(all):F2} (table {PerDelivery(table):F2}, blob {PerDelivery(blob):F2}, queue {PerDelivery(queue):F2})");
        output.WriteLine($"  cost per million deliveries (storage, {StoragePrices.Source}): table ${cost.Table:F3} + blob ${cost.Blob:F3} + queue ${cost.Queue:F3} = ${cost.Total:F2}");
        foreach (var (key, value) in counts.OrderByDescending(c => c.Value).Take(24))
        {
            output.WriteLine($"    {value,8}  {PerTouchpoint(value),6:F3}/tp  {PerDelivery(value),6:F3}/delivery  {key}");
        }
    }

    private static string Shorten(string text) => text.Length > 110 ? text[..110] + "…" : text;

    internal static void Require(HarnessOutcome outcome, bool condition, string failure)
    {
        if (!condition)
        {
            outcome.Failures.Add(failure);
        }
    }

    public static string Name(Scenario scenario) => scenario switch
    {
        Scenario.KillHost => "kill-host",
        Scenario.AzuriteRestart => "azurite-restart",
        Scenario.EnrichmentErrors => "enrichment-errors",
        Scenario.TimelineRead => "timeline-read",
        Scenario.SegmentMap => "segment-map",
        Scenario.QueueBacklog => "queue-backlog",
        _ => scenario.ToString().ToLowerInvariant(),
    };
}

/// <summary>The floor for the pipeline: the same timeline rows upserted straight into the same Azurite in batches.</summary>
public static class RawTableBaseline
{
    public static Task<double> RunAsync(HubEnvironment environment, int concurrency, CancellationToken cancellationToken) =>
        RunAsync(environment.Tables, concurrency, cancellationToken);

    /// <param name="tables">The same Azurite, directly or through the counting proxy the pipeline used.</param>
    public static async Task<double> RunAsync(TableServiceClient tables, int concurrency, CancellationToken cancellationToken)
    {
        var source = tables.GetTableClient(StorageNames.TimelineTable);
        var rows = new List<TableEntity>();
        await foreach (var entity in source.QueryAsync<TableEntity>(cancellationToken: cancellationToken))
        {
            entity.ETag = default;
            rows.Add(entity);
        }

        var target = tables.GetTableClient("RawBaseline" + Guid.NewGuid().ToString("N")[..8]);
        await target.CreateIfNotExistsAsync(cancellationToken);
        var batches = rows.GroupBy(r => r.PartitionKey).SelectMany(g => g.Chunk(100)).ToList();
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (batch, ct) =>
            await target.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), ct));
        var elapsed = watch.Elapsed;
        await target.DeleteAsync(cancellationToken);
        return rows.Count / elapsed.TotalSeconds;
    }
}
