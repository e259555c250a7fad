using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using JourneyHub.Core.Signatures;
using JourneyHub.IntegrationTests.Infrastructure;

namespace JourneyHub.IntegrationTests.Sources;

/// <summary>Shopify, Zendesk and Intercom deliveries, signed as each vendor signs, through the local host on Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class CommerceAndSupportEndToEndTests(AzuriteFixture azurite) : LocalHostTests(azurite)
{
    private const string FunctionKey = "local-function-key";
    private const string ShopifySecret = "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";
    private const string ZendeskSecret = "dGhpcy1pcy1hbi1pbnZlbnRlZC16ZW5kZXNrLXNlY3JldA";
    private const string IntercomSecret = "c1f0e8d6b4a2f0e8d6b4a2c1f0e8d6b4a2f0e8d6";

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["LocalHost__FunctionKey"] = FunctionKey,
        ["Sources__Shopify__WebhookSecret"] = ShopifySecret,
        ["Sources__Zendesk__SigningSecret"] = ZendeskSecret,
        ["Sources__Intercom__ClientSecret"] = IntercomSecret,
    };

    [Fact]
    public async Task A_Shopify_order_its_redeliveries_and_its_refund_give_one_purchase_worth_the_net_amount()
    {
        var run = Unique();
        string Fresh(string fixture) => FreshShopify(fixture, run);

        // orders/create twice (a redelivery: same webhook id), orders/paid of the same order, then its refund.
        var create = Encoding.UTF8.GetBytes(Fresh("shopify-orders-create"));
        foreach (var (topic, body) in new[] { ("orders/create", create), ("orders/create", create), ("orders/paid", Encoding.UTF8.GetBytes(Fresh("shopify-orders-paid"))), ("refunds/create", Encoding.UTF8.GetBytes(Fresh("shopify-refunds-create"))) })
        {
            using var response = await Host.Client.SendAsync(Shopify(body, topic, $"wh-{run}-{topic}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var timeline = await Api.TimelineExactlyAsync($"email:shopper-{run}@example.com", 2);
        var actions = timeline.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("action").GetString()!).ToArray();
        Assert.Equal(["order.refunded", "order.placed"], actions);
        var order = timeline.GetProperty("items")[1];
        Assert.Equal("decision", order.GetProperty("stage").GetString());
        Assert.Equal($"order:{run}", order.GetProperty("sourceEventId").GetString());
        Assert.Contains(order.GetProperty("identities").EnumerateArray(), i => i.GetProperty("type").GetString() == "shopify" && i.GetProperty("value").GetString() == run);

        var journey = await Api.JourneyWhenAsync(timeline, j => j.GetProperty("touchpointCount").GetInt32() == 2 && j.GetProperty("value").GetProperty("byCurrency").GetArrayLength() == 1 && j.GetProperty("value").GetProperty("byCurrency")[0].GetProperty("lifetimeValue").GetDouble() == 175);
        Assert.Equal(1, journey.GetProperty("value").GetProperty("purchaseCount").GetInt32());
        var eur = journey.GetProperty("value").GetProperty("byCurrency")[0];
        Assert.Equal("EUR", eur.GetProperty("currency").GetString());
        Assert.Equal(175, eur.GetProperty("lifetimeValue").GetDouble());
        Assert.Equal(175, eur.GetProperty("averageOrderValue").GetDouble());
        Assert.True(journey.GetProperty("converted").GetBoolean());
    }

    [Fact]
    public async Task A_Shopify_fulfilment_retried_under_the_same_webhook_id_with_another_trigger_time_is_one_touchpoint()
    {
        var run = Unique();
        using (var placed = await Host.Client.SendAsync(Shopify(Encoding.UTF8.GetBytes(FreshShopify("shopify-orders-create", run)), "orders/create", $"wh-{run}-create")))
        {
            Assert.Equal(HttpStatusCode.OK, placed.StatusCode);
        }

        // A subscription with include_fields that leave the fulfilments out: the only time is the delivery's. The retry
        // keeps the webhook id but comes an hour later; the copy of a second subscription shares only the event id.
        var fulfilment = System.Text.Json.Nodes.JsonNode.Parse(FreshShopify("shopify-orders-fulfilled", run))!.AsObject();
        Assert.True(fulfilment.Remove("fulfillments"));
        var body = Encoding.UTF8.GetBytes(fulfilment.ToJsonString());
        var hoursAgo = DateTimeOffset.UtcNow.AddHours(-2);
        var triggered = new DateTimeOffset(hoursAgo.Year, hoursAgo.Month, hoursAgo.Day, hoursAgo.Hour, hoursAgo.Minute, hoursAgo.Second, TimeSpan.Zero);
        foreach (var (webhookId, triggeredAt) in new[] { ($"wh-{run}-fulfilled", triggered), ($"wh-{run}-fulfilled", triggered.AddHours(1)), ($"wh-{run}-fulfilled-copy", triggered.AddSeconds(3)) })
        {
            using var request = Shopify(body, "orders/fulfilled", webhookId);
            request.Headers.Add("X-Shopify-Event-Id", $"ev-{run}-fulfilled");
            request.Headers.Add("X-Shopify-Triggered-At", triggeredAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            using var response = await Host.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var timeline = await Api.TimelineExactlyAsync($"email:shopper-{run}@example.com", 2);
        var items = timeline.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["order.fulfilled", "order.placed"], items.Select(i => i.GetProperty("action").GetString()!).ToArray());
        Assert.Equal([$"order:{run}:fulfilled", $"order:{run}"], items.Select(i => i.GetProperty("sourceEventId").GetString()!).ToArray());

        // Whichever of the three was stored first gave the row its time: one of the trigger times Shopify sent.
        var fulfilledAt = items[0].GetProperty("occurredAt").GetDateTimeOffset();
        Assert.Contains(fulfilledAt, new[] { triggered, triggered.AddHours(1), triggered.AddSeconds(3) });
    }

    [Fact]
    public async Task Shopify_deliveries_without_the_right_signature_are_refused_with_401()
    {
        var body = Fixture.Bytes("shopify/shopify-orders-create.json");
        using var wrong = await Host.Client.SendAsync(Shopify(body, "orders/create", "wh-wrong", signature: ShopifySignature.Compute("another-secret", body)));
        using var missing = await Host.Client.SendAsync(Shopify(body, "orders/create", "wh-missing", signature: ""));

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("application/problem+json", wrong.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
    }

    [Fact]
    public async Task A_Zendesk_ticket_that_is_reopened_and_rated_bad_shows_its_pain_points_and_csat()
    {
        var run = Unique();
        string Fresh(string fixture) => Fixture.Text($"zendesk/{fixture}.json")
            .Replace("8447388090494", run, StringComparison.Ordinal)
            .Replace("01JP", $"01JP{run}", StringComparison.Ordinal)
            .Replace("5158-satisfaction", $"{run}-satisfaction", StringComparison.Ordinal)
            .Replace("maria.lindqvist@example.com", $"requester-{run}@example.com", StringComparison.Ordinal);

        foreach (var fixture in new[] { "zendesk-ticket-created", "zendesk-ticket-status-changed-reopened", "zendesk-satisfaction-rated-bad", "zendesk-ticket-created" })
        {
            using var response = await Host.Client.SendAsync(Zendesk(Encoding.UTF8.GetBytes(Fresh(fixture)), DateTimeOffset.UtcNow));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var timeline = await Api.TimelineExactlyAsync($"zendesk:{run}", 3);
        var items = timeline.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["ticket.rated", "ticket.reopened", "ticket.created"], items.Select(i => i.GetProperty("action").GetString()!).ToArray());
        Assert.All(items, i => Assert.Equal("retention", i.GetProperty("stage").GetString()));
        Assert.Equal("csat", items[0].GetProperty("survey").GetProperty("type").GetString());

        // The rating's e-mail joined the requester's id: the same customer answers to both.
        var byEmail = await Host.Client.GetFromJsonAsync<JsonElement>($"/api/customers?identity={Uri.EscapeDataString($"email:requester-{run}@example.com")}&code={FunctionKey}");
        Assert.Equal(timeline.GetProperty("customerId").GetString(), byEmail.GetProperty("customerId").GetString());

        Assert.Equal("negative", items[1].GetProperty("sentiment").GetProperty("label").GetString());

        // The complaint opens the journey below neutral; the bad rating drops it further: both are pain points. The
        // reopening is negative too but no drop from the complaint before it.
        var journey = await Api.JourneyWhenAsync(timeline, j => j.GetProperty("touchpointCount").GetInt32() == 3);
        Assert.Equal(1, journey.GetProperty("latestCsat").GetProperty("score").GetDouble());
        var pains = journey.GetProperty("painPoints").EnumerateArray().Select(p => p.GetProperty("action").GetString()!).ToArray();
        Assert.Equal(["ticket.created", "ticket.rated"], pains);
    }

    [Fact]
    public async Task Zendesk_deliveries_with_a_stale_timestamp_or_a_wrong_signature_are_refused()
    {
        var body = Fixture.Bytes("zendesk/zendesk-ticket-created.json");
        using var stale = await Host.Client.SendAsync(Zendesk(body, DateTimeOffset.UtcNow.AddMinutes(-10)));
        using var wrong = await Host.Client.SendAsync(Zendesk(body, DateTimeOffset.UtcNow, secret: "another-secret"));

        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Fact]
    public async Task An_Intercom_conversation_and_its_rating_are_chat_touchpoints_with_csat_and_the_ping_is_acknowledged()
    {
        var run = Unique();
        string Fresh(string fixture) => Fixture.Text($"intercom/{fixture}.json")
            .Replace("65f1c2d3e4a5b6c7d8e9f0a1", $"contact{run}", StringComparison.Ordinal)
            .Replace("notif_", $"notif_{run}_", StringComparison.Ordinal)
            .Replace("maria.lindqvist@example.com", $"chatter-{run}@example.com", StringComparison.Ordinal);

        foreach (var fixture in new[] { "intercom-ping", "intercom-conversation-user-created", "intercom-conversation-rating-added", "intercom-conversation-rating-added" })
        {
            using var response = await Host.Client.SendAsync(Intercom(Encoding.UTF8.GetBytes(Fresh(fixture))));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var timeline = await Api.TimelineExactlyAsync($"intercom:contact{run}", 2);
        var items = timeline.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["conversation.rated", "conversation.started"], items.Select(i => i.GetProperty("action").GetString()!).ToArray());
        Assert.All(items, i => Assert.Equal("chat", i.GetProperty("channel").GetString()));

        var journey = await Api.JourneyWhenAsync(timeline, j => j.GetProperty("touchpointCount").GetInt32() == 2);
        Assert.Equal(5, journey.GetProperty("latestCsat").GetProperty("score").GetDouble());

        using var forged = await Host.Client.SendAsync(Intercom(Encoding.UTF8.GetBytes(Fresh("intercom-conversation-user-created")), "sha1=" + new string('0', 40)));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
    }

    /// <summary>A Shopify golden body whose order, customer, e-mail and phone belong to this run only.</summary>
    private static string FreshShopify(string fixture, string run) => Fixture.Text($"shopify/{fixture}.json")
        .Replace("820982911946154508", run, StringComparison.Ordinal)
        .Replace("706405506930370084", run, StringComparison.Ordinal)
        .Replace("maria.lindqvist@example.com", $"shopper-{run}@example.com", StringComparison.Ordinal)
        .Replace("+46701234567", "+4670" + run[^7..], StringComparison.Ordinal);

    private static string Unique() => (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000 + Random.Shared.Next(1000)).ToString(CultureInfo.InvariantCulture);

    private HttpRequestMessage Shopify(byte[] body, string topic, string webhookId, string? signature = null) =>
        SignedRequests.Shopify(Url("/api/webhooks/shopify"), body, ShopifySecret, topic, webhookId, signature);

    private HttpRequestMessage Zendesk(byte[] body, DateTimeOffset at, string secret = ZendeskSecret) =>
        SignedRequests.Zendesk(Url("/api/webhooks/zendesk"), body, secret, at);

    private HttpRequestMessage Intercom(byte[] body, string? signature = null) =>
        SignedRequests.Intercom(Url("/api/webhooks/intercom"), body, IntercomSecret, signature);
}
