using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using JourneyHub.IntegrationTests.Infrastructure;

namespace JourneyHub.UiTests.Infrastructure;

/// <summary>Seeds a test customer through the real, signed webhook routes and waits until the hub has processed it.</summary>
public sealed class UiSeeding(UiHostFixture fixture)
{
    private HttpClient Client => fixture.Host.Client;

    /// <summary>A Standard Webhooks delivery to /api/webhooks/custom/{source}, as any custom system sends it.</summary>
    public async Task CustomAsync(string source, JsonObject data)
    {
        var body = StandardWebhooksEvents.TouchpointCreated(data);
        using var request = SignedRequests.StandardWebhooks(new Uri(fixture.Host.BaseAddress, $"/api/webhooks/custom/{source}"), body, UiHostFixture.CustomSecret, StandardWebhooksEvents.NewWebhookId());
        using var response = await Client.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.NoContent, $"custom/{source} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    public async Task HubSpotAsync(params Dictionary<string, object?>[] events)
    {
        using var request = SignedRequests.HubSpot(new Uri(fixture.Host.BaseAddress, "/api/webhooks/hubspot"), HubSpotEvents.Batch(events), UiHostFixture.HubSpotSecret);
        using var response = await Client.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.NoContent, $"hubspot answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    public async Task<string> CustomerIdWhenResolvableAsync(string identity)
    {
        var uri = new Uri($"/api/customers?identity={Uri.EscapeDataString(identity)}&code={UiHostFixture.FunctionKey}", UriKind.Relative);
        var found = await LocalHostProcess.EventuallyAsync(
            async () =>
            {
                using var response = await Client.GetAsync(uri);
                return response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("customerId").GetString() : null;
            },
            id => id is not null);
        return found ?? throw new InvalidOperationException($"{identity} never resolved:\n{fixture.Host.Output}");
    }

    public async Task WaitForTouchpointsAsync(string customerId, int expected)
    {
        var uri = new Uri($"/api/customers/{customerId}/journey?code={UiHostFixture.FunctionKey}", UriKind.Relative);
        var count = await LocalHostProcess.EventuallyAsync(
            async () => (await Client.GetFromJsonAsync<JsonElement>(uri)).GetProperty("touchpointCount").GetInt32(),
            n => n >= expected);
        Assert.True(count == expected, $"expected {expected} touchpoints, the hub has {count}:\n{fixture.Host.Output}");
    }

    public async Task<JsonElement[]> TimelineAsync(string customerId)
    {
        var uri = new Uri($"/api/customers/{customerId}/timeline?limit=200&code={UiHostFixture.FunctionKey}", UriKind.Relative);
        return (await Client.GetFromJsonAsync<JsonElement>(uri)).GetProperty("items").EnumerateArray().ToArray();
    }

    public static JsonObject Event(string system, string channel, DateTimeOffset at, string email, string summary, string? stage = null, string? action = null) => new()
    {
        ["sourceSystem"] = system,
        ["externalId"] = Guid.NewGuid().ToString("N"),
        ["channel"] = channel,
        ["occurredAt"] = at.ToString("O"),
        ["summary"] = summary,
        ["person"] = new JsonObject { ["email"] = email },
        ["stage"] = stage,
        ["action"] = action,
    };
}
