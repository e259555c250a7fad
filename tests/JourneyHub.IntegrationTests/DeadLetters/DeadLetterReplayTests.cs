using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using JourneyHub.Azure.Storage;
using JourneyHub.IntegrationTests.Infrastructure;

namespace JourneyHub.IntegrationTests.DeadLetters;

/// <summary>GET /api/admin/dead-letters and POST /api/admin/replay through the local host, on a real Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class DeadLetterReplayTests(AzuriteFixture azurite) : LocalHostTests(azurite)
{
    private const string HubSpotSecret = "4b2d7c1e-9a3f-4e6b-8c5d-0f1a2b3c4d5e";
    private const string AdminKey = "admin-key-for-replay-tests";
    private const string FunctionKey = "function-key-for-replay-tests";

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Sources__HubSpot__ClientSecret"] = HubSpotSecret,
        ["LocalHost__FunctionKey"] = FunctionKey,
        ["LocalHost__AdminKey"] = AdminKey,
    };

    [Fact]
    public async Task Admin_routes_need_the_admin_key()
    {
        using var noKey = await Host.Client.GetAsync(new Uri("/api/admin/dead-letters", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);

        using var functionKey = await Host.Client.GetAsync(new Uri($"/api/admin/dead-letters?code={FunctionKey}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, functionKey.StatusCode);

        using var replay = await Host.Client.PostAsync(new Uri($"/api/admin/replay?code={FunctionKey}", UriKind.Relative), JsonContent.Create(new { ids = new[] { "dl_00" } }));
        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
    }

    [Theory]
    [InlineData("{\"ids\":[\"not-an-id\"]}")]
    [InlineData("{\"ids\":[\"dl_1\"],\"source\":\"hubspot\"}")]
    [InlineData("{}")]
    [InlineData("{\"source\":\"hubspot\",\"from\":\"2025-02-01T00:00:00Z\",\"to\":\"2025-01-01T00:00:00Z\"}")]
    [InlineData("{\"source\":\"hubspot\",\"from\":\"yesterday\"}")]
    [InlineData("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[")]
    [InlineData("null")]
    public async Task Bad_replay_requests_get_400_problem_details(string body)
    {
        using var response = await Host.Client.SendAsync(Admin(HttpMethod.Post, "/api/admin/replay", body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Bad_list_queries_get_400()
    {
        foreach (var query in new[] { "limit=0", "limit=501", "from=nope", "cursor=%%%", "source=a%20b", "from=2025-02-01&to=2025-01-01" })
        {
            using var response = await Host.Client.SendAsync(Admin(HttpMethod.Get, "/api/admin/dead-letters?" + query));
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, query);
        }
    }

    [Fact]
    public async Task A_partly_bad_batch_lists_its_failed_entries_and_replaying_it_twice_changes_nothing()
    {
        var run = HubSpotEvents.NewId().ToString(CultureInfo.InvariantCulture);
        var good1 = Review(run + "01", "good-" + run + "-a", 5);
        var good2 = Review(run + "02", "good-" + run + "-b", 4);
        var body = Encoding.UTF8.GetBytes($"{{\"events\":[{good1},{{\"eventName\":\"product-review-created\",\"version\":\"1\",\"eventData\":{{\"id\":\"{run}03\"}}}},{good2}]}}");
        using (var response = await Host.Client.SendAsync(Plain("/api/webhooks/trustpilot", body)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var before = await DeadLettersWhenAsync(list => list.Any(d => IsOurs(d, body)), "source=trustpilot&limit=500");
        var deadLetter = before.Single(d => d.GetProperty("reason").GetString()!.Contains("product-review-created", StringComparison.Ordinal) && IsOurs(d, body));
        Assert.Equal("trustpilot", deadLetter.GetProperty("source").GetString());
        Assert.StartsWith(JourneyHub.Azure.Storage.StorageRawArchive.TableReferencePrefix, BlobOf(deadLetter), StringComparison.Ordinal);
        Assert.Equal(1, deadLetter.GetProperty("entryIndex").GetInt32());
        var id = deadLetter.GetProperty("id").GetString()!;

        var customerA = await Api.CustomerIdAsync($"trustpilot:good-{run}-a");
        var customerB = await Api.CustomerIdAsync($"trustpilot:good-{run}-b");
        // Rows and the summary are written just after identities resolve: wait for them, not for the customer alone.
        Assert.Equal(1, await LocalHostProcess.EventuallyAsync(() => RowsAsync(customerA), n => n == 1));
        Assert.Equal(1, await LocalHostProcess.EventuallyAsync(() => RowsAsync(customerB), n => n == 1));
        var journeyBefore = await Api.JourneyWhenAsync(customerA, j => j.GetProperty("touchpointCount").GetInt32() == 1);

        var failedAt = deadLetter.GetProperty("failedAt").GetDateTimeOffset();
        for (var replay = 0; replay < 2; replay++)
        {
            var result = await ReplayAsync(new { ids = new[] { id } });
            Assert.Equal(1, result.GetProperty("queued").GetInt32());
            Assert.Equal(BlobOf(deadLetter), result.GetProperty("payloads")[0].GetProperty("blobName").GetString());

            // The replay re-judges the payload: the bad entry fails again, so its dead letter comes back, newer.
            var again = await DeadLettersWhenAsync(list => list.Any(d => d.GetProperty("id").GetString() == id && d.GetProperty("failedAt").GetDateTimeOffset() > failedAt));
            failedAt = again.Single(d => d.GetProperty("id").GetString() == id).GetProperty("failedAt").GetDateTimeOffset();
            await DrainedAsync();
        }

        // Deterministic row keys: the good entries were written again as duplicates, i.e. not at all.
        Assert.Equal(1, await RowsAsync(customerA));
        Assert.Equal(1, await RowsAsync(customerB));
        Assert.Equal(1, journeyBefore.GetProperty("touchpointCount").GetInt32());
        Assert.Equal(WithoutClock(journeyBefore), WithoutClock(await Api.JourneyWhenAsync(customerA, _ => true)));
        var after = await ListAsync("source=trustpilot&limit=500");
        Assert.Single(after, d => BlobOf(d) == BlobOf(deadLetter));
    }

    /// <summary>The summary without its churn risk, whose days since the last touch move with the clock between two reads.</summary>
    private static string WithoutClock(JsonElement journey)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(journey.GetRawText())!.AsObject();
        Assert.True(node.Remove("churnRisk"), "the summary should carry a churn risk");
        return node.ToJsonString();
    }

    [Fact]
    public async Task A_payload_that_now_succeeds_leaves_the_dead_letter_list_and_its_events_reach_the_timeline()
    {
        var contact = HubSpotEvents.NewId();
        var start = DateTimeOffset.UtcNow;

        // Signed, so archived, but not JSON: the processor dead-letters it.
        var broken = Encoding.UTF8.GetBytes("[{\"eventId\": 1, \"objectId\": " + contact.ToString(CultureInfo.InvariantCulture));
        using (var response = await Host.Client.SendAsync(SignedRequests.HubSpot(new Uri(Host.BaseAddress, "/api/webhooks/hubspot"), broken, HubSpotSecret)))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        var list = await DeadLettersWhenAsync(l => l.Any(d => IsOurs(d, broken)), "source=hubspot&limit=500");
        var deadLetter = list.Single(d => IsOurs(d, broken));
        Assert.Contains("JSON", deadLetter.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.True(deadLetter.GetProperty("receivedAt").GetDateTimeOffset() >= start.AddSeconds(-5));
        var blobName = BlobOf(deadLetter);

        // Stand-in for "the adapter was fixed": the archived payload now parses.
        var fixedBody = HubSpotEvents.Batch(HubSpotEvents.ContactCreated(contact, start.AddMinutes(-1)));
        await Azurite.ReplaceRawPayloadAsync(blobName, fixedBody);

        // Replay by source and a failedAt window that holds this dead letter.
        var result = await ReplayAsync(new { source = "hubspot", from = start.AddMinutes(-1), to = DateTimeOffset.UtcNow.AddMinutes(1) });
        Assert.Contains(result.GetProperty("payloads").EnumerateArray(), p => p.GetProperty("blobName").GetString() == blobName);

        var customerId = await LocalHostProcess.EventuallyAsync(() => Api.TryCustomerIdAsync($"hubspot:{contact}"), c => c is not null);
        Assert.NotNull(customerId);
        await DrainedAsync();
        Assert.DoesNotContain(await ListAsync("source=hubspot&limit=500"), d => BlobOf(d) == blobName);
        Assert.Equal(1, await RowsAsync(customerId!));

        // The dead letter is gone, so replaying it by id again finds nothing and changes nothing.
        var second = await ReplayAsync(new { ids = new[] { deadLetter.GetProperty("id").GetString() } });
        Assert.Equal(0, second.GetProperty("queued").GetInt32());
        Assert.Single(second.GetProperty("notFound").EnumerateArray());
        Assert.Equal(1, await RowsAsync(customerId!));
    }

    [Fact]
    public async Task The_list_pages_with_an_opaque_cursor()
    {
        // Three different unparseable Trustpilot payloads, each one dead letter (identical bytes would be one archived
        // payload, hence one dead letter: a sender's retry is not a new failure).
        for (var i = 0; i < 3; i++)
        {
            using var response = await Host.Client.SendAsync(Plain("/api/webhooks/trustpilot", Encoding.UTF8.GetBytes("{\"events\": [" + new string(' ', i))));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await DeadLettersWhenAsync(l => l.Count(d => d.GetProperty("reason").GetString()!.Contains("could not be parsed", StringComparison.Ordinal)) >= 3, "source=trustpilot&limit=500");
        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await GetAsync("/api/admin/dead-letters?source=trustpilot&limit=1" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("id").GetString()!));
            cursor = page.GetProperty("nextCursor").GetString();
            pages++;
        }
        while (cursor is not null && pages < 100);

        Assert.True(seen.Count >= 3);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(seen.Count, pages);
    }

    private static string Review(string id, string consumerId, int stars) =>
        $"{{\"eventName\":\"service-review-created\",\"version\":\"1\",\"eventData\":{{\"id\":\"{id}\",\"title\":\"Review {id}\",\"text\":\"Fine.\",\"stars\":{stars},\"createdAt\":\"2025-03-15T09:00:00.000Z\",\"consumer\":{{\"id\":\"{consumerId}\",\"name\":\"C {id}\"}}}}}}";

    private static string BlobOf(JsonElement deadLetter) => deadLetter.GetProperty("blobName").GetString() ?? "";

    private bool IsOurs(JsonElement deadLetter, byte[] body)
    {
        var blob = BlobOf(deadLetter);
        return blob.Length > 0 && Azurite.RawPayloadAsync(blob).GetAwaiter().GetResult() is { } archived && archived.AsSpan().SequenceEqual(body);
    }

    private static HttpRequestMessage Admin(HttpMethod method, string path, string? json = null)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Add("x-functions-key", AdminKey);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return request;
    }

    private static HttpRequestMessage Plain(string path, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path + "?code=" + FunctionKey, UriKind.Relative)) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return request;
    }

    private async Task<JsonElement> GetAsync(string path)
    {
        using var response = await Host.Client.SendAsync(Admin(HttpMethod.Get, path));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<List<JsonElement>> ListAsync(string query) =>
        (await GetAsync("/api/admin/dead-letters?" + query)).GetProperty("items").EnumerateArray().ToList();

    private Task<List<JsonElement>> DeadLettersWhenAsync(Func<List<JsonElement>, bool> condition, string query = "limit=500") =>
        LocalHostProcess.EventuallyAsync(() => ListAsync(query), condition);

    private async Task<JsonElement> ReplayAsync(object body)
    {
        using var response = await Host.Client.SendAsync(Admin(HttpMethod.Post, "/api/admin/replay", JsonSerializer.Serialize(body)));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task DrainedAsync()
    {
        var queue = Azurite.Queue(StorageNames.IngestQueue);
        await LocalHostProcess.EventuallyAsync(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount, c => c == 0);
        await Task.Delay(300);
    }

    private async Task<int> RowsAsync(string customerId) => HubReadApi.Items(await Api.TimelineOfAsync(customerId, "?limit=200")).Count;
}
