using System.Net;
using System.Text.Json;

namespace JourneyHub.IntegrationTests.Infrastructure;

/// <summary>
/// The read API of a running local host as the end-to-end tests use it: look a customer up, wait until its timeline or
/// journey shows what the queue processor is still writing. The key (when the host enforces one) travels in the
/// <c>x-functions-key</c> header. A wait that runs out fails with the last answer and the host's console output.
/// </summary>
public sealed class HubReadApi(LocalHostProcess host, string? functionKey)
{
    /// <summary>How long background processing may take on a loaded CI machine before a test gives up.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    /// <summary>GET with the read key; the answer as it came.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string pathAndQuery)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(host.BaseAddress, pathAndQuery));
        if (functionKey is not null)
        {
            request.Headers.Add("x-functions-key", functionKey);
        }

        using var response = await host.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length > 0 && response.Content.Headers.ContentType?.MediaType?.EndsWith("json", StringComparison.Ordinal) == true
            ? JsonDocument.Parse(text).RootElement.Clone()
            : default;
        return (response.StatusCode, body);
    }

    /// <summary>The customer an identity (<c>type:value</c>) names now, or null while it names none.</summary>
    public async Task<string?> TryCustomerIdAsync(string identity)
    {
        var (status, body) = await GetAsync(CustomerPath(identity));
        return status == HttpStatusCode.OK ? body.GetProperty("customerId").GetString() : null;
    }

    /// <summary><c>GET /api/customers?identity=</c> once it answers 200.</summary>
    public async Task<JsonElement> CustomerAsync(string identity, TimeSpan? patience = null)
    {
        var (status, body) = await LocalHostProcess.EventuallyAsync(() => GetAsync(CustomerPath(identity)), r => r.Status == HttpStatusCode.OK, patience ?? Patience);
        Assert.True(status == HttpStatusCode.OK, $"{identity} not found ({(int)status} {body}); host output:\n{host.Output}");
        return body;
    }

    public async Task<string> CustomerIdAsync(string identity, TimeSpan? patience = null) =>
        (await CustomerAsync(identity, patience)).GetProperty("customerId").GetString()!;

    /// <summary>One timeline page of a customer; anything but 200 fails with the host's log (a found customer must keep answering).</summary>
    public async Task<JsonElement> TimelineOfAsync(string customerId, string query = "")
    {
        var (status, body) = await GetAsync($"/api/customers/{Uri.EscapeDataString(customerId)}/timeline{query}");
        Assert.True(status == HttpStatusCode.OK, $"timeline of {customerId}: {(int)status} {body}\nhost output:\n{host.Output}");
        return body;
    }

    /// <summary>The timeline of the customer an identity names, once <paramref name="condition"/> holds.</summary>
    public async Task<JsonElement> TimelineWhenAsync(string identity, Func<JsonElement, bool> condition, TimeSpan? patience = null)
    {
        var customerId = await CustomerIdAsync(identity, patience);
        var timeline = await LocalHostProcess.EventuallyAsync(() => TimelineOfAsync(customerId), condition, patience ?? Patience);
        Assert.True(condition(timeline), $"The timeline of {identity} never met the condition: {timeline}\nhost output:\n{host.Output}");
        return timeline;
    }

    /// <summary>The timeline of the customer an identity names, once it has at least <paramref name="atLeast"/> items.</summary>
    public Task<JsonElement> TimelineWithAsync(string identity, int atLeast, TimeSpan? patience = null) =>
        TimelineWhenAsync(identity, t => Items(t).Count >= atLeast, patience);

    /// <summary>
    /// The timeline once it has <paramref name="count"/> items, and still exactly that many a moment later: redeliveries
    /// are processed too, and must not add a row.
    /// </summary>
    public async Task<JsonElement> TimelineExactlyAsync(string identity, int count, TimeSpan? patience = null)
    {
        var customerId = (await TimelineWithAsync(identity, count, patience)).GetProperty("customerId").GetString()!;
        await Task.Delay(TimeSpan.FromSeconds(2));
        var timeline = await TimelineOfAsync(customerId);
        Assert.True(Items(timeline).Count == count, $"expected {count} items: {timeline}\nhost output:\n{host.Output}");
        return timeline;
    }

    /// <summary><c>GET /api/customers/{id}/journey</c> once <paramref name="condition"/> holds.</summary>
    public async Task<JsonElement> JourneyWhenAsync(string customerId, Func<JsonElement, bool> condition, TimeSpan? patience = null)
    {
        var journey = await LocalHostProcess.EventuallyAsync(
            async () => (await GetAsync($"/api/customers/{Uri.EscapeDataString(customerId)}/journey")).Body,
            j => j.ValueKind == JsonValueKind.Object && condition(j),
            patience ?? Patience);
        Assert.True(journey.ValueKind == JsonValueKind.Object && condition(journey), $"The journey of {customerId} never met the condition: {journey}\nhost output:\n{host.Output}");
        return journey;
    }

    /// <summary>The journey of the customer a timeline page belongs to, once <paramref name="condition"/> holds.</summary>
    public Task<JsonElement> JourneyWhenAsync(JsonElement timeline, Func<JsonElement, bool> condition, TimeSpan? patience = null) =>
        JourneyWhenAsync(timeline.GetProperty("customerId").GetString()!, condition, patience);

    public static List<JsonElement> Items(JsonElement timeline) => [.. timeline.GetProperty("items").EnumerateArray()];

    public static List<string> Actions(JsonElement timeline) => [.. Items(timeline).Select(i => i.GetProperty("action").GetString() ?? "")];

    private static string CustomerPath(string identity) => "/api/customers?identity=" + Uri.EscapeDataString(identity);
}
