using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;

namespace JourneyHub.LoadHarness;

/// <summary>What the read API shows for the workload's people: every row of every timeline, paged.</summary>
public sealed record TimelineCount(
    int Expected,
    int Stored,
    int Rows,
    int DuplicateRows,
    int Lost,
    int Unexpected,
    int OrderViolations,
    int PeopleMissing,
    IReadOnlyList<string> Samples)
{
    /// <summary>Customers whose summary (GET /journey) was compared with one rebuilt from their rows.</summary>
    public int SummariesChecked { get; init; }

    /// <summary>Customers whose served summary differs from the rebuild.</summary>
    public int SummaryMismatches { get; init; }

    /// <summary>Every customer found, with its rows as the API serves them (newest first): what the aggregates are rebuilt from.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<Touchpoint>> Timelines { get; init; } = new Dictionary<string, IReadOnlyList<Touchpoint>>();
}

/// <summary>Counts stored events THROUGH THE API: identity lookup, then timeline paging per customer.</summary>
public static class TimelineCounter
{
    public static async Task<TimelineCount> CountAsync(HttpClient client, Workload workload, int concurrency, CancellationToken cancellationToken, bool checkSummaries = true)
    {
        var expectedByPerson = workload.Events
            .Where(e => Volatile.Read(ref e.Accepted) == 1)
            .GroupBy(e => e.Person.Index)
            .ToDictionary(g => g.Key, g => g.Count());
        var stored = 0;
        var rows = 0;
        var duplicateRows = 0;
        var lost = 0;
        var unexpected = 0;
        var order = 0;
        var missing = 0;
        var summariesChecked = 0;
        var summaryMismatches = 0;
        var samples = new ConcurrentQueue<string>();
        var seenCustomers = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        var timelines = new ConcurrentDictionary<string, IReadOnlyList<Touchpoint>>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(workload.People, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (person, ct) =>
        {
            var expected = expectedByPerson.GetValueOrDefault(person.Index);
            var customerId = await FindCustomerAsync(client, person.Identity, ct);
            if (customerId is null)
            {
                if (expected > 0)
                {
                    Interlocked.Increment(ref missing);
                    Interlocked.Add(ref lost, expected);
                    Note(samples, $"no customer for {person.Identity} ({expected} events expected)");
                }

                return;
            }

            if (!seenCustomers.TryAdd(customerId, 0))
            {
                // Two people resolved to one customer: their rows are counted under the first one only.
                Note(samples, $"{person.Identity} shares customer {customerId}");
            }

            var touchpoints = await TouchpointsAsync(client, customerId, ct);
            timelines.TryAdd(customerId, touchpoints);
            var items = touchpoints.Select(t => (t.TouchpointId, t.OccurredAt)).ToList();
            if (checkSummaries)
            {
                Interlocked.Increment(ref summariesChecked);
                if (await SummaryDifferenceAsync(client, customerId, touchpoints, ct) is { } difference)
                {
                    Interlocked.Increment(ref summaryMismatches);
                    Note(samples, $"{customerId}: summary differs from the rebuild from its {touchpoints.Count} rows: {difference}");
                }
            }

            var ids = items.Select(i => i.TouchpointId).ToList();
            var distinct = ids.Distinct(StringComparer.Ordinal).Count();
            Interlocked.Add(ref rows, ids.Count);
            Interlocked.Add(ref duplicateRows, ids.Count - distinct);
            Interlocked.Add(ref stored, Math.Min(distinct, expected));
            if (distinct < expected)
            {
                Interlocked.Add(ref lost, expected - distinct);
                Note(samples, $"{person.Identity}: {distinct} of {expected} stored");
            }
            else if (distinct > expected)
            {
                // Stored although no delivery of it was acknowledged (a reply lost in a fault): allowed, reported.
                Interlocked.Add(ref unexpected, distinct - expected);
            }

            for (var i = 1; i < items.Count; i++)
            {
                if (items[i].OccurredAt > items[i - 1].OccurredAt)
                {
                    Interlocked.Increment(ref order);
                    Note(samples, $"{customerId}: not newest first at item {i}");
                    break;
                }
            }
        });

        return new TimelineCount(expectedByPerson.Values.Sum(), stored, rows, duplicateRows, lost, unexpected, order, missing, [.. samples])
        {
            SummariesChecked = summariesChecked,
            SummaryMismatches = summaryMismatches,
            Timelines = timelines,
        };
    }

    /// <summary>
    /// The customer's summary as served (GET /api/customers/{id}/journey) against one rebuilt here from the rows the
    /// timeline serves, oldest first, with the same Core logic (<see cref="JourneyState.Apply"/>, <see cref="JourneySummary.From"/>).
    /// Null when equal; else the first differing field. The churn risk is left out: it depends on the clock of the moment.
    /// </summary>
    public static async Task<string?> SummaryDifferenceAsync(HttpClient client, string customerId, IReadOnlyList<Touchpoint> newestFirst, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(new Uri($"/api/customers/{customerId}/journey?code={HubEnvironment.FunctionKey}", UriKind.Relative), cancellationToken);
        response.EnsureSuccessStatusCode();
        var served = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!.AsObject();

        var state = new JourneyState();
        for (var i = newestFirst.Count - 1; i >= 0; i--)
        {
            state = state.Apply(newestFirst[i]);
        }

        var rebuilt = JsonSerializer.SerializeToNode(
            JourneySummary.From(new CustomerRecord { CustomerId = customerId, CreatedAt = DateTimeOffset.UtcNow, Journey = state }, DateTimeOffset.UtcNow),
            JourneyJson.Options)!.AsObject();
        foreach (var volatileField in new[] { "churnRisk", "mergedFrom" })
        {
            served.Remove(volatileField);
            rebuilt.Remove(volatileField);
        }

        foreach (var (name, value) in rebuilt)
        {
            if (!JsonNode.DeepEquals(value, served[name]))
            {
                return $"{name}: served {Clip(served[name]?.ToJsonString())}, rebuilt {Clip(value?.ToJsonString())}";
            }
        }

        return served.Select(p => p.Key).FirstOrDefault(k => !rebuilt.ContainsKey(k)) is { } extra ? $"served has '{extra}', the rebuild does not" : null;
    }

    /// <summary>Every touchpoint on a customer's timeline, newest first, as the API serves them.</summary>
    public static async Task<List<Touchpoint>> TouchpointsAsync(HttpClient client, string customerId, CancellationToken cancellationToken)
    {
        var items = new List<Touchpoint>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var url = $"/api/customers/{customerId}/timeline?limit=200&code={HubEnvironment.FunctionKey}" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            using var response = await client.GetAsync(new Uri(url, UriKind.Relative), cancellationToken);
            response.EnsureSuccessStatusCode();
            using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
            foreach (var item in json.RootElement.GetProperty("items").EnumerateArray())
            {
                items.Add(item.Deserialize<Touchpoint>(JourneyJson.Options)!);
            }

            cursor = json.RootElement.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null && ++pages < 10_000);

        return items;
    }

    private static string Clip(string? text) => text is null ? "null" : text.Length > 160 ? text[..160] + "…" : text;

    public static async Task<string?> FindCustomerAsync(HttpClient client, string identity, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(new Uri($"/api/customers?identity={Uri.EscapeDataString(identity)}&code={HubEnvironment.FunctionKey}", UriKind.Relative), cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
        return json.RootElement.GetProperty("customerId").GetString();
    }

    public static async Task<List<(string TouchpointId, DateTimeOffset OccurredAt)>> TimelineAsync(HttpClient client, string customerId, CancellationToken cancellationToken)
    {
        var items = new List<(string, DateTimeOffset)>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var url = $"/api/customers/{customerId}/timeline?limit=200&code={HubEnvironment.FunctionKey}" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            using var response = await client.GetAsync(new Uri(url, UriKind.Relative), cancellationToken);
            response.EnsureSuccessStatusCode();
            using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
            foreach (var item in json.RootElement.GetProperty("items").EnumerateArray())
            {
                items.Add((item.GetProperty("touchpointId").GetString()!, item.GetProperty("occurredAt").GetDateTimeOffset()));
            }

            cursor = json.RootElement.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null && ++pages < 10_000);

        return items;
    }

    private static void Note(ConcurrentQueue<string> samples, string text)
    {
        if (samples.Count < 20)
        {
            samples.Enqueue(text);
        }
    }
}
