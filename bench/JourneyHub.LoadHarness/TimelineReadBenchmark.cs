using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using JourneyHub.Azure.Storage;
using JourneyHub.Core.Timeline;

namespace JourneyHub.LoadHarness;

/// <summary>
/// p50/p99 of a 50-item timeline page of one customer with many touchpoints, through the local host,
/// against the bare Table query for the same page (same filter, select and page size) in the same run.
/// </summary>
public static class TimelineReadBenchmark
{
    public static async Task<HarnessOutcome> RunAsync(HarnessOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var outcome = new HarnessOutcome();
        await using var environment = await HubEnvironment.StartAsync(options, persistent: false, null, null, cancellationToken);
        using var sender = new Sender(environment.BaseAddress, options.Senders, maxRetries: 3);
        using var api = environment.CreateClient();
        var contact = 880_000_000_000L + (DateTime.UtcNow.Ticks % 1_000_000);
        var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var batches = Enumerable.Range(0, options.TimelineSize).Chunk(100).ToList();
        output.WriteLine($"scenario timeline-read: {options.TimelineSize} touchpoints for one HubSpot contact in {batches.Count} deliveries");
        var failures = 0;
        await sender.SendAllAsync(
            batches,
            Math.Min(options.Senders, 8),
            chunk => Workload.Signed(environment.BaseAddress, SourceKind.HubSpot, JsonSerializer.SerializeToUtf8Bytes(chunk.Select(i => new Dictionary<string, object?>
            {
                ["eventId"] = 9_000_000_000L + i,
                ["subscriptionId"] = 2390417,
                ["portalId"] = 44791823,
                ["appId"] = 3914022,
                ["occurredAt"] = start.AddMinutes(i).ToUnixTimeMilliseconds(),
                ["subscriptionType"] = "contact.propertyChange",
                ["attemptNumber"] = 0,
                ["objectId"] = contact,
                ["propertyName"] = "hs_analytics_num_page_views",
                ["propertyValue"] = i.ToString(CultureInfo.InvariantCulture),
                ["changeSource"] = "CRM_UI",
            })), "tl" + chunk[0].ToString(CultureInfo.InvariantCulture)),
            (_, status) =>
            {
                if (status is not { } s || (int)s >= 300)
                {
                    Interlocked.Increment(ref failures);
                }
            },
            null,
            cancellationToken);

        var deadline = DateTime.UtcNow + options.DrainTimeout;
        string? customerId = null;
        var rows = 0;
        while (DateTime.UtcNow < deadline)
        {
            customerId ??= await TimelineCounter.FindCustomerAsync(api, "hubspot:" + contact.ToString(CultureInfo.InvariantCulture), cancellationToken);
            if (customerId is not null && (rows = (await TimelineCounter.TimelineAsync(api, customerId, cancellationToken)).Count) >= options.TimelineSize)
            {
                break;
            }

            await Task.Delay(1000, cancellationToken);
        }

        output.WriteLine($"  customer {customerId} has {rows} touchpoints ({failures} deliveries not accepted)");
        if (customerId is null || rows < options.TimelineSize)
        {
            outcome.Failures.Add($"only {rows} of {options.TimelineSize} touchpoints arrived");
            return outcome;
        }

        // Cursors at random depths, as a client paging through would hold them.
        var cursors = new List<string?> { null };
        string? cursor = null;
        do
        {
            using var page = JsonDocument.Parse(await api.GetStringAsync(new Uri(PageUrl(customerId, cursor), UriKind.Relative), cancellationToken));
            cursor = page.RootElement.GetProperty("nextCursor").GetString();
            if (cursor is not null)
            {
                cursors.Add(cursor);
            }
        }
        while (cursor is not null);

        var table = environment.Tables.GetTableClient(StorageNames.TimelineTable);
        var random = new Random(options.Seed);
        var apiTimes = new List<double>();
        var bareTimes = new List<double>();
        var bothTimes = new List<double>();

        // Warm the paths, then alternate them so they share the machine's conditions.
        for (var i = 0; i < 20; i++)
        {
            await ApiPageAsync(api, customerId, cursors[random.Next(cursors.Count)], cancellationToken);
            await BarePageAsync(table, customerId, cursors[random.Next(cursors.Count)], cancellationToken);
            await BarePageAndSummaryAsync(table, customerId, cursors[random.Next(cursors.Count)], cancellationToken);
        }

        for (var i = 0; i < options.TimelineReads; i++)
        {
            var at = cursors[random.Next(cursors.Count)];
            var watch = Stopwatch.StartNew();
            var apiCount = await ApiPageAsync(api, customerId, at, cancellationToken);
            apiTimes.Add(watch.Elapsed.TotalMilliseconds);
            watch.Restart();
            var bareCount = await BarePageAsync(table, customerId, at, cancellationToken);
            bareTimes.Add(watch.Elapsed.TotalMilliseconds);
            watch.Restart();
            await BarePageAndSummaryAsync(table, customerId, at, cancellationToken);
            bothTimes.Add(watch.Elapsed.TotalMilliseconds);
            if (apiCount != Math.Min(50, bareCount))
            {
                outcome.Failures.Add($"API page had {apiCount} items, the bare query {bareCount}");
                break;
            }
        }

        var f = outcome.Figures;
        f["apiP50Ms"] = Percentiles.Of(apiTimes, 50);
        f["apiP99Ms"] = Percentiles.Of(apiTimes, 99);
        f["bareP50Ms"] = Percentiles.Of(bareTimes, 50);
        f["bareP99Ms"] = Percentiles.Of(bareTimes, 99);
        f["p50Ratio"] = f["apiP50Ms"] / f["bareP50Ms"];
        f["p99Ratio"] = f["apiP99Ms"] / f["bareP99Ms"];
        f["bothP50Ms"] = Percentiles.Of(bothTimes, 50);
        f["bothP99Ms"] = Percentiles.Of(bothTimes, 99);
        output.WriteLine($"  {options.TimelineReads} reads of a 50-item page at random depths ({cursors.Count} pages)");
        output.WriteLine($"  API  GET /timeline?limit=50   p50 {f["apiP50Ms"]:F2} ms, p99 {f["apiP99Ms"]:F2} ms");
        output.WriteLine($"  bare Table query, same page   p50 {f["bareP50Ms"]:F2} ms, p99 {f["bareP99Ms"]:F2} ms");
        output.WriteLine($"  ratio                         p50 {f["p50Ratio"]:F2}x, p99 {f["p99Ratio"]:F2}x (goal ≤ 1.25x)");
        output.WriteLine($"  bare page + summary row at once p50 {f["bothP50Ms"]:F2} ms, p99 {f["bothP99Ms"]:F2} ms (API / this: p50 {f["apiP50Ms"] / f["bothP50Ms"]:F2}x, p99 {f["apiP99Ms"] / f["bothP99Ms"]:F2}x)");
        output.WriteLine($"  host peak memory              {environment.PeakWorkingSetBytes / 1024.0 / 1024.0:F0} MB");
        return outcome;
    }

    private static string PageUrl(string customerId, string? cursor) =>
        $"/api/customers/{customerId}/timeline?limit=50&code={HubEnvironment.FunctionKey}" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));

    private static async Task<int> ApiPageAsync(HttpClient api, string customerId, string? cursor, CancellationToken cancellationToken)
    {
        using var response = await api.GetAsync(new Uri(PageUrl(customerId, cursor), UriKind.Relative), cancellationToken);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
        return json.RootElement.GetProperty("items").GetArrayLength();
    }

    /// <summary>
    /// Both storage reads a page needs, issued at once as CustomerReader does: the customer's summary row (tombstones,
    /// journey for the stages) and the page. What the API cannot go below, shown beside the goal's ratio.
    /// </summary>
    private static async Task BarePageAndSummaryAsync(TableClient table, string customerId, string? cursor, CancellationToken cancellationToken)
    {
        var summary = table.GetEntityIfExistsAsync<TableEntity>(customerId, PartitionRows.Summary, cancellationToken: cancellationToken);
        await BarePageAsync(table, customerId, cursor, cancellationToken);
        _ = (await summary).HasValue;
    }

    /// <summary>What TableTimelineStore asks the service for one page: 51 rows (one to know a next page exists), RowKey and Json only.</summary>
    private static async Task<int> BarePageAsync(TableClient table, string customerId, string? cursor, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {customerId}");
        if (cursor is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"RowKey gt {Cursor.Decode(cursor)}");
        }

        var count = 0;
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, maxPerPage: 51, select: ["RowKey", "Json"], cancellationToken: cancellationToken))
        {
            _ = entity.GetString("Json");
            if (++count > 50)
            {
                break;
            }
        }

        return count;
    }
}
