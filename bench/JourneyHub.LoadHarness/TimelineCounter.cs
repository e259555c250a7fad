using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;

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
    IReadOnlyList<string> Samples);

/// <summary>Counts stored events THROUGH THE API: identity lookup, then timeline paging per customer.</summary>
public static class TimelineCounter
{
    public static async Task<TimelineCount> CountAsync(HttpClient client, Workload workload, int concurrency, CancellationToken cancellationToken)
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
        var samples = new ConcurrentQueue<string>();
        var seenCustomers = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
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

            var items = await TimelineAsync(client, customerId, ct);
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

        return new TimelineCount(expectedByPerson.Values.Sum(), stored, rows, duplicateRows, lost, unexpected, order, missing, [.. samples]);
    }

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
