using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using JourneyHub.Azure.Storage;
using JourneyHub.IntegrationTests.Infrastructure;

namespace JourneyHub.IntegrationTests.HubSpot;

/// <summary>HubSpot webhook in → timeline out, through the local host over HTTP, on a real Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class HubSpotWebhookEndToEndTests(AzuriteFixture azurite) : LocalHostTests(azurite)
{
    private const string Secret = "9f3c2a7e-5b1d-4c8e-a2f6-1d7b3e9c0a45";

    private Uri WebhookUrl => new(Host.BaseAddress, "/api/webhooks/hubspot");

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Sources__HubSpot__ClientSecret"] = Secret,
    };

    [Fact]
    public async Task A_signed_batch_becomes_one_customer_timeline_newest_first()
    {
        // The golden batch, with fresh contact ids so this test owns its customer.
        var contact = HubSpotEvents.NewId();
        var body = Encoding.UTF8.GetBytes(Fixture.Text("hubspot/hubspot-webhook-batch.json").Replace("81273645012", contact.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        using var response = await Host.Client.SendAsync(SignedRequests.HubSpot(WebhookUrl, body, Secret));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        var timeline = await Api.TimelineWhenAsync($"hubspot:{contact}", t => t.GetProperty("items").GetArrayLength() >= 5);
        var items = timeline.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(
            new[] { "contact.merged", "association.added", "deal.created", "lifecycle.changed", "contact.created" },
            items.Select(i => i.GetProperty("action").GetString() ?? "").ToArray());
        var lifecycle = items.Single(i => i.GetProperty("action").GetString() == "lifecycle.changed");
        Assert.Equal("consideration", lifecycle.GetProperty("stage").GetString());
        Assert.Equal("crm", lifecycle.GetProperty("channel").GetString());
        Assert.Equal("direct", lifecycle.GetProperty("kind").GetString());
        Assert.StartsWith(StorageRawArchive.TableReferencePrefix, lifecycle.GetProperty("rawRef").GetString(), StringComparison.Ordinal);

        // The raw payload is archived byte for byte.
        Assert.Equal(body, await Azurite.RawPayloadAsync(lifecycle.GetProperty("rawRef").GetString()!));
    }

    [Fact]
    public async Task The_senders_correlation_id_follows_the_delivery_onto_the_stored_touchpoint()
    {
        var contact = HubSpotEvents.NewId();
        using var request = SignedRequests.HubSpot(WebhookUrl, HubSpotEvents.Batch(HubSpotEvents.ContactCreated(contact, DateTimeOffset.UtcNow)), Secret);
        request.Headers.Add("X-Correlation-Id", "trace0123456789");
        using var response = await Host.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        var timeline = await Api.TimelineWhenAsync($"hubspot:{contact}", t => t.GetProperty("items").GetArrayLength() == 1);
        Assert.Equal("trace0123456789", timeline.GetProperty("items")[0].GetProperty("attributes").GetProperty("correlationId").GetString());
    }

    [Fact]
    public async Task The_same_event_delivered_twice_is_stored_once()
    {
        var contact = HubSpotEvents.NewId();
        var body = HubSpotEvents.Batch(HubSpotEvents.ContactCreated(contact, DateTimeOffset.UtcNow.AddMinutes(-3)));

        for (var i = 0; i < 2; i++)
        {
            using var response = await Host.Client.SendAsync(SignedRequests.HubSpot(WebhookUrl, body, Secret));
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        // Both deliveries are archived and processed (the queue drains), yet one row exists.
        var queue = Azurite.Queue(StorageNames.IngestQueue);
        await LocalHostProcess.EventuallyAsync(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount, c => c == 0);
        var customerId = await Api.CustomerIdAsync($"hubspot:{contact}");
        await Task.Delay(500);
        var rows = await Azurite.CountTimelineRowsAsync(customerId);
        Assert.Equal(1, rows);
    }

    [Fact]
    public async Task Two_hundred_fifty_events_arriving_out_of_order_page_back_newest_first()
    {
        var contact = HubSpotEvents.NewId();
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var events = Enumerable.Range(0, 250)
            .Select(i => HubSpotEvents.PropertyChange(contact, "hs_analytics_num_page_views", i.ToString(System.Globalization.CultureInfo.InvariantCulture), start.AddMinutes(i)))
            .ToList();

        // Shuffled across three deliveries: arrival order has nothing to do with occurrence order.
        var shuffled = events.OrderBy(_ => Random.Shared.Next()).ToList();
        foreach (var chunk in shuffled.Chunk(100))
        {
            using var response = await Host.Client.SendAsync(SignedRequests.HubSpot(WebhookUrl, HubSpotEvents.Batch(chunk), Secret));
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        var customerId = await Api.CustomerIdAsync($"hubspot:{contact}");
        await LocalHostProcess.EventuallyAsync(() => Azurite.CountTimelineRowsAsync(customerId), n => n == 250);

        var seen = new List<DateTimeOffset>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var url = $"/api/customers/{customerId}/timeline?limit=60" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            var page = await Host.Client.GetFromJsonAsync<JsonElement>(url);
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("occurredAt").GetDateTimeOffset()));
            cursor = page.GetProperty("nextCursor").GetString();
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(5, pages);
        Assert.Equal(250, seen.Count);
        Assert.Equal(250, seen.Distinct().Count());
        Assert.Equal(seen.OrderByDescending(t => t).ToList(), seen);
        Assert.Equal(start.AddMinutes(249), seen[0]);
    }

    [Fact]
    public async Task Timeline_filters_by_time_window_and_stage()
    {
        var contact = HubSpotEvents.NewId();
        var start = new DateTimeOffset(2025, 2, 1, 0, 0, 0, TimeSpan.Zero);
        var body = HubSpotEvents.Batch(
            HubSpotEvents.ContactCreated(contact, start),
            HubSpotEvents.PropertyChange(contact, "lifecyclestage", "marketingqualifiedlead", start.AddDays(1)),
            HubSpotEvents.PropertyChange(contact, "lifecyclestage", "customer", start.AddDays(2)));
        using (var response = await Host.Client.SendAsync(SignedRequests.HubSpot(WebhookUrl, body, Secret)))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        var customerId = await Api.CustomerIdAsync($"hubspot:{contact}");
        await LocalHostProcess.EventuallyAsync(() => Azurite.CountTimelineRowsAsync(customerId), n => n == 3);

        var window = await Host.Client.GetFromJsonAsync<JsonElement>($"/api/customers/{customerId}/timeline?from=2025-02-02T00:00:00Z&to=2025-02-02T00:00:00Z");
        Assert.Equal("lifecycle.changed", window.GetProperty("items").EnumerateArray().Single().GetProperty("action").GetString());

        var decision = await Host.Client.GetFromJsonAsync<JsonElement>($"/api/customers/{customerId}/timeline?stage=decision");
        Assert.Equal(start.AddDays(2), decision.GetProperty("items").EnumerateArray().Single().GetProperty("occurredAt").GetDateTimeOffset());

        // The summary is written just after the rows, so it may trail the timeline by a moment.
        var journey = await Api.JourneyWhenAsync(customerId, j => j.GetProperty("touchpointCount").GetInt32() == 3);
        Assert.Equal("decision", journey.GetProperty("currentStage").GetString());
        Assert.True(journey.GetProperty("converted").GetBoolean());
        Assert.Equal(2.0, journey.GetProperty("daysToConvert").GetDouble());
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"eventId\":1}")]
    [InlineData("[{\"eventId\":7,\"occurredAt\":1741962118305,\"subscriptionType\":\"ticket.creation\",\"objectId\":5}]")]
    public async Task A_signed_payload_that_cannot_be_understood_is_acknowledged_and_dead_lettered(string payload)
    {
        var body = Encoding.UTF8.GetBytes(payload);
        using var response = await Host.Client.SendAsync(SignedRequests.HubSpot(WebhookUrl, body, Secret));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        var deadLetters = Azurite.Table(StorageNames.DeadLettersTable);
        var found = await LocalHostProcess.EventuallyAsync(
            async () =>
            {
                var rows = new List<TableEntity>();
                await foreach (var row in deadLetters.QueryAsync<TableEntity>(e => e.PartitionKey == "deadletter"))
                {
                    if ((await Azurite.RawPayloadAsync(row.GetString("BlobName") ?? ""))?.SequenceEqual(body) == true)
                    {
                        rows.Add(row);
                    }
                }

                return rows;
            },
            rows => rows.Count > 0);
        var deadLetter = Assert.Single(found);
        Assert.Equal("hubspot", deadLetter.GetString("Source"));
        Assert.False(string.IsNullOrWhiteSpace(deadLetter.GetString("Reason")));
    }

    [Fact]
    public async Task A_wrong_signature_gets_401_problem_json_and_nothing_is_stored()
    {
        var before = await CountRawPayloadsAsync();
        var body = HubSpotEvents.Batch(HubSpotEvents.ContactCreated(HubSpotEvents.NewId(), DateTimeOffset.UtcNow));
        using var request = SignedRequests.HubSpot(WebhookUrl, body, "not-the-secret");
        using var response = await Host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Invalid signature", problem.GetProperty("title").GetString());
        Assert.Equal(before, await CountRawPayloadsAsync());
    }

    [Fact]
    public async Task Missing_headers_get_401_and_a_stale_timestamp_gets_401()
    {
        var body = HubSpotEvents.Batch(HubSpotEvents.ContactCreated(HubSpotEvents.NewId(), DateTimeOffset.UtcNow));
        using var unsigned = new HttpRequestMessage(HttpMethod.Post, WebhookUrl) { Content = new ByteArrayContent(body) };
        unsigned.Content.Headers.ContentType = new("application/json");
        using var missing = await Host.Client.SendAsync(unsigned);
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("Missing signature", (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());

        using var stale = await Host.Client.SendAsync(SignedRequests.HubSpot(WebhookUrl, body, Secret, DateTimeOffset.UtcNow.AddMinutes(-6)));
        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
    }

    [Fact]
    public async Task A_body_over_one_mebibyte_gets_413_and_a_wrong_content_type_415()
    {
        var huge = new byte[(1024 * 1024) + 1];
        Array.Fill(huge, (byte)' ');
        using var tooLarge = await Host.Client.SendAsync(SignedRequests.HubSpot(WebhookUrl, huge, Secret));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal("application/problem+json", tooLarge.Content.Headers.ContentType?.MediaType);

        var body = HubSpotEvents.Batch(HubSpotEvents.ContactCreated(HubSpotEvents.NewId(), DateTimeOffset.UtcNow));
        using var request = SignedRequests.HubSpot(WebhookUrl, body, Secret);
        request.Content!.Headers.ContentType = new("text/plain");
        using var wrongType = await Host.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);
    }

    [Theory]
    [InlineData("/api/customers/cus_x/timeline?limit=0", "Invalid query parameter 'limit'")]
    [InlineData("/api/customers/cus_x/timeline?limit=201", "Invalid query parameter 'limit'")]
    [InlineData("/api/customers/cus_x/timeline?from=yesterday", "Invalid query parameter 'from'")]
    [InlineData("/api/customers/cus_x/timeline?stage=purchase", "Invalid query parameter 'stage'")]
    [InlineData("/api/customers/cus_x/timeline?channel=fax", "Invalid query parameter 'channel'")]
    [InlineData("/api/customers/cus_x/timeline?cursor=bm9wZQ", "Invalid query parameter 'cursor'")]
    [InlineData("/api/customers/not-a-customer/timeline", "Invalid customer id")]
    [InlineData("/api/customers?identity=shoe:42", "Invalid query parameter 'identity'")]
    [InlineData("/api/customers", "Missing query parameter 'identity'")]
    public async Task Bad_query_values_get_400_problem_json_naming_the_value(string url, string title)
    {
        using var response = await Host.Client.GetAsync(new Uri(url, UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(title, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task Identity_lookup_normalizes_the_value_like_ingestion_does()
    {
        var contact = HubSpotEvents.NewId();
        var body = HubSpotEvents.Batch(HubSpotEvents.PropertyChange(contact, "email", "  Jane.Doe+" + contact + "@Example.COM ", DateTimeOffset.UtcNow));
        using (var response = await Host.Client.SendAsync(SignedRequests.HubSpot(WebhookUrl, body, Secret)))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        var byHubSpot = await Api.CustomerAsync($"hubspot:{contact}");
        using var byEmail = await Host.Client.GetAsync(new Uri($"/api/customers?identity=email:{Uri.EscapeDataString("JANE.DOE+" + contact + "@example.com")}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, byEmail.StatusCode);
        var found = await byEmail.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(byHubSpot.GetProperty("customerId").GetString(), found.GetProperty("customerId").GetString());

        using var unknown = await Host.Client.GetAsync(new Uri("/api/customers?identity=email:nobody@example.com", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    private Task<int> CountRawPayloadsAsync() => Azurite.CountRawPayloadsAsync();
}
