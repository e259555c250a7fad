using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using JourneyHub.Azure.Storage;
using JourneyHub.IntegrationTests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace JourneyHub.IntegrationTests.Pull;

/// <summary>
/// Backfill through the local host: admin route → journey-backfill queue → pull → raw archive → ingestion queue →
/// timeline on Azurite; the webhook copy of the same review adds nothing; the local host's timer runs the incremental pull.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PullEndToEndTests(AzuriteFixture azurite) : LocalHostTests(azurite)
{
    private const string Reviews = "/v1/private/business-units/5f8a1c2b3d4e5f6a7b8c9d0e/reviews";
    private readonly string reviewId = "e2e" + Guid.NewGuid().ToString("N")[..21];
    private readonly string consumerId = "c" + Guid.NewGuid().ToString("N")[..23];
    private WireMockServer api = null!;

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Sources__Trustpilot__ApiKey"] = "tp-e2e-key",
        ["Sources__Trustpilot__BusinessUnitId"] = "5f8a1c2b3d4e5f6a7b8c9d0e",
        ["Sources__Trustpilot__BaseUrl"] = api.Urls[0],
        ["TrustpilotPullSchedule"] = "*/2 * * * * *",
        ["LocalHost__RunTimers"] = "true",
    };

    public override async Task InitializeAsync()
    {
        await new PullHarnessReset(Azurite).ResetAsync("trustpilot");
        api = WireMockServer.Start();
        api.Given(Request.Create().WithPath(Reviews).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Ids(PullHarness.Body("trustpilot/trustpilot-private-reviews-response.json")).Replace("\"rel\":\"next-page\"", "\"rel\":\"previous-page\"", StringComparison.Ordinal)));
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        api.Stop();
        api.Dispose();
    }

    [Fact]
    public async Task A_backfill_fills_the_timeline_and_the_webhook_copy_of_the_same_review_is_one_touchpoint()
    {
        using var start = await Host.Client.PostAsync(new Uri("/api/admin/backfill/trustpilot?from=2025-03-01T00:00:00Z&to=2025-04-01T00:00:00Z", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        Assert.Equal("queued", (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());

        var status = await LocalHostProcess.EventuallyAsync(
            () => Host.Client.GetFromJsonAsync<JsonElement>("/api/admin/backfill/trustpilot"),
            s => s.GetProperty("state").GetString() is "completed" or "failed");
        Assert.True(status.GetProperty("state").GetString() == "completed", status.ToString() + Host.Output);
        Assert.Equal(1, status.GetProperty("pages").GetInt32());
        Assert.Equal(1, status.GetProperty("items").GetInt32());
        Assert.True(api.LogEntries.Any(e => e.RequestMessage.Query!.TryGetValue("endDateTime", out var end) && end.Single() == "2025-04-01T00:00:00"), "the backfill window was not sent");

        var customerId = await Api.CustomerIdAsync($"trustpilot:{consumerId}");
        var timeline = await LocalHostProcess.EventuallyAsync(
            () => Host.Client.GetFromJsonAsync<JsonElement>($"/api/customers/{customerId}/timeline"),
            t => t.GetProperty("items").GetArrayLength() > 0);
        var item = Assert.Single(timeline.GetProperty("items").EnumerateArray());
        Assert.Equal("trustpilot", item.GetProperty("source").GetString());
        Assert.Equal($"{reviewId}:service-review-created", item.GetProperty("sourceEventId").GetString());
        Assert.Equal("review.posted", item.GetProperty("action").GetString());
        Assert.Equal(5, item.GetProperty("rating").GetProperty("value").GetInt32());
        // The row points at the archived pull page, not at a webhook delivery.
        Assert.Contains(await Azurite.RawPayloadsAsync("trustpilot-pull"), p => p.RawRef == item.GetProperty("rawRef").GetString());

        // The same review delivered by the webhook: accepted, processed, and still one row.
        using var webhook = new StringContent(Ids(Fixture.Text("trustpilot/trustpilot-webhook-service-review-created.json")), Encoding.UTF8, "application/json");
        using var delivered = await Host.Client.PostAsync(new Uri("/api/webhooks/trustpilot", UriKind.Relative), webhook);
        Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);
        var queue = Azurite.Queue(StorageNames.IngestQueue);
        await LocalHostProcess.EventuallyAsync(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount, c => c == 0);
        await Task.Delay(1000);
        Assert.Equal(1, await Azurite.CountTimelineRowsAsync(customerId));

        // The local host's timer ran the incremental pull on its schedule too (same review: still one row).
        var checkpoint = await LocalHostProcess.EventuallyAsync(
            async () => (await Azurite.Table(StorageNames.CheckpointsTable).GetEntityIfExistsAsync<TableEntity>("trustpilot", "incremental")).HasValue,
            found => found,
            TimeSpan.FromSeconds(20));
        Assert.True(checkpoint, "the timer did not run the Trustpilot pull:\n" + Host.Output);
        Assert.Equal(1, await Azurite.CountTimelineRowsAsync(customerId));
    }

    [Theory]
    [InlineData("/api/admin/backfill/myspace?from=2025-01-01", "Unknown source")]
    [InlineData("/api/admin/backfill/trustpilot", "Invalid query parameter 'from'")]
    [InlineData("/api/admin/backfill/trustpilot?from=yesterday", "Invalid query parameter 'from'")]
    [InlineData("/api/admin/backfill/trustpilot?from=2025-03-01&to=2025-02-01", "Invalid query parameter 'from'")]
    [InlineData("/api/admin/backfill/trustpilot?from=2025-03-01&to=soon", "Invalid query parameter 'to'")]
    public async Task Bad_backfill_requests_get_400_problem_json(string url, string title)
    {
        using var response = await Host.Client.PostAsync(new Uri(url, UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(title, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_source_without_credentials_cannot_be_backfilled_and_an_unknown_status_is_400()
    {
        using var google = await Host.Client.PostAsync(new Uri("/api/admin/backfill/google?from=2025-01-01", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Conflict, google.StatusCode);
        Assert.Contains("Sources__Google__AccessToken", (await google.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var unknown = await Host.Client.GetAsync(new Uri("/api/admin/backfill/myspace", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
    }

    private string Ids(string json) => json
        .Replace("67d43a9e1b2c3d4e5f6a7b8c", reviewId, StringComparison.Ordinal)
        .Replace("5c1d2e3f4a5b6c7d8e9f0a1b", consumerId, StringComparison.Ordinal)
        // The reviewer's e-mail is an identity too: a shared one would (rightly) join every test's reviewer into one customer.
        .Replace("hannah.w@example.co.uk", consumerId + "@example.co.uk", StringComparison.Ordinal);

    private sealed class PullHarnessReset(AzuriteFixture azurite)
    {
        public async Task ResetAsync(string source)
        {
            var table = azurite.Table(StorageNames.CheckpointsTable);
            await table.CreateIfNotExistsAsync();
            await table.DeleteEntityAsync(source, "incremental");
            await table.DeleteEntityAsync(source, "backfill");
        }
    }
}
