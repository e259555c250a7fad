using System.Text;
using System.Text.Json;
using JourneyHub.Azure.Pull;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Pull;
using JourneyHub.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Types;
using WireMock.Util;

namespace JourneyHub.IntegrationTests.Pull;

/// <summary>Every pull client against a real local HTTP server (WireMock) serving realistic pages and failures, on Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class PullConnectorTests(AzuriteFixture azurite)
{
    private const string TrustpilotReviews = "/v1/private/business-units/5f8a1c2b3d4e5f6a7b8c9d0e/reviews";
    private const string GoogleReviews = "/v4/accounts/108421983526617/locations/4712398562219/reviews";
    private const string EmptySoql = """{"totalSize":0,"done":true,"records":[]}""";
    private const string EmptySearch = """{"total":0,"results":[]}""";

    [Fact]
    public async Task Trustpilot_pages_to_the_end_with_the_apikey_and_checkpoints_after_each_page()
    {
        await using var h = await PullHarness.StartAsync(azurite, SourceId.Trustpilot.Name);
        h.Api.Given(Request.Create().WithPath(TrustpilotReviews).WithParam("page", "1").UsingGet())
            .RespondWith(Json(PullHarness.Body("trustpilot/trustpilot-private-reviews-response.json")));
        h.Api.Given(Request.Create().WithPath(TrustpilotReviews).WithParam("page", "2").UsingGet())
            .RespondWith(Json(TrustpilotPage("77aa00000000000000000002", "5c1d2e3f4a5b6c7d8e9f0a99", "2025-03-15T09:00:00Z", next: false)));

        var state = await h.Runner.RunIncrementalAsync(SourceId.Trustpilot.Name, default);

        Assert.NotNull(state);
        Assert.Equal(PullRunState.Completed, state.State);
        Assert.Equal(2, state.Pages);
        Assert.Equal(2, state.Items);
        Assert.True(h.Api.LogEntries.Count == 2, h.Describe());
        Assert.Null(state.Cursor);
        Assert.NotNull(state.Watermark);
        var first = h.Api.LogEntries[0].RequestMessage;
        Assert.Equal("tp-test-key", first.Headers!["apikey"].Single());
        Assert.Equal("createdat.asc", first.Query!["orderBy"].Single());
        var pages = await h.ArchivedPagesAsync(SourceId.TrustpilotPull.Name, state.RunId!);
        Assert.Equal(2, pages.Count);
        Assert.Equal(Encoding.UTF8.GetBytes(PullHarness.Body("trustpilot/trustpilot-private-reviews-response.json")), pages[0].Body);
    }

    [Fact]
    public async Task HubSpot_429_is_waited_out_for_the_rate_limit_interval_then_paging_and_engagements_complete()
    {
        await using var h = await PullHarness.StartAsync(azurite, SourceId.HubSpot.Name);
        var contacts = Request.Create().WithPath("/crm/v3/objects/contacts/search").UsingPost();
        h.Api.Given(contacts.WithBody((string? b) => b is not null && !b.Contains("\"after\"", StringComparison.Ordinal)))
            .InScenario("hubspot-429").WillSetStateTo("throttled-once")
            .RespondWith(Response.Create().WithStatusCode(429)
                .WithHeader("X-HubSpot-RateLimit-Interval-Milliseconds", "400")
                .WithHeader("X-HubSpot-RateLimit-Max", "110")
                .WithHeader("X-HubSpot-RateLimit-Remaining", "0")
                .WithHeader("Content-Type", "application/json")
                .WithBody(PullHarness.Body("hubspot/hubspot-error-429.json")));
        h.Api.Given(Request.Create().WithPath("/crm/v3/objects/contacts/search").UsingPost().WithBody((string? b) => b is not null && !b.Contains("\"after\"", StringComparison.Ordinal)))
            .InScenario("hubspot-429").WhenStateIs("throttled-once")
            .RespondWith(Json(PullHarness.Body("hubspot/hubspot-crm-contacts-search-response.json")));
        h.Api.Given(Request.Create().WithPath("/crm/v3/objects/contacts/search").UsingPost().WithBody((string? b) => b is not null && b.Contains("\"after\":\"100\"", StringComparison.Ordinal)))
            .RespondWith(Json(EmptySearch));
        h.Api.Given(Request.Create().WithPath("/crm/v3/objects/calls/search").UsingPost())
            .RespondWith(Json("{\"total\":1,\"results\":[" + CallWithoutAssociations() + "]}"));
        h.Api.Given(Request.Create().WithPath("/crm/v4/associations/calls/contacts/batch/read").UsingPost())
            .RespondWith(Json("""{"status":"COMPLETE","results":[{"from":{"id":"69021458830"},"to":[{"toObjectId":81273645012,"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":194,"label":null}]}]}]}"""));
        h.Api.Given(Request.Create().WithPath(new WireMock.Matchers.RegexMatcher("^/crm/v3/objects/(emails|meetings)/search$")).UsingPost()).RespondWith(Json(EmptySearch));
        h.Api.Given(Request.Create().WithPath("/crm/v3/objects/feedback_submissions/search").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(403).WithHeader("Content-Type", "application/json").WithBody("""{"status":"error","message":"This app hasn't been granted all required scopes","category":"MISSING_SCOPES"}"""));

        var state = await h.Runner.RunIncrementalAsync(SourceId.HubSpot.Name, default);

        Assert.True(state?.State == PullRunState.Completed, state?.LastError);
        var firstTwo = h.Api.LogEntries.Where(e => e.RequestMessage.AbsolutePath == "/crm/v3/objects/contacts/search").OrderBy(e => e.RequestMessage.DateTime).Take(2).ToList();
        Assert.Equal(429, (int)firstTwo[0].ResponseMessage.StatusCode!);
        Assert.True(firstTwo[1].RequestMessage.DateTime - firstTwo[0].RequestMessage.DateTime >= TimeSpan.FromMilliseconds(350), "the retry did not wait for the rate-limit interval");
        Assert.Equal(3, h.Requests("/crm/v3/objects/contacts/search"));
        Assert.Equal(1, h.Requests("/crm/v3/objects/feedback_submissions/search"));
        Assert.Equal("Bearer pat-na1-test-token", firstTwo[0].RequestMessage.Headers!["Authorization"].Single());

        // The calls page is archived with its associations and normalizes to a call on the contact's timeline.
        var pages = await h.ArchivedPagesAsync(SourceId.HubSpotPull.Name, state!.RunId!);
        Assert.Equal(2, pages.Count);
        var adapter = h.Services.GetRequiredService<SourceRegistry>().Adapter(SourceId.HubSpotPull)!;
        var calls = adapter.Normalize(new RawPayload(SourceId.HubSpotPull.Name, pages[1].BlobName, pages[1].Body, DateTimeOffset.UtcNow, "c", new Dictionary<string, string> { ["objectType"] = "calls" }));
        var call = Assert.Single(calls.Touchpoints);
        Assert.Equal("call.logged", call.Action);
        Assert.Equal("hubspot", call.Source);
        Assert.Equal(new DateTimeOffset(2025, 3, 14, 15, 9, 47, TimeSpan.Zero), call.OccurredAt);
        Assert.Contains(call.Identities, i => i.Type == "hubspot" && i.Value == "81273645012");
    }

    [Fact]
    public async Task A_fetch_cancelled_by_shutdown_surfaces_as_a_cancellation_not_as_a_failed_fetch()
    {
        await using var h = await PullHarness.StartAsync(azurite, SourceId.Trustpilot.Name);
        h.Api.Given(Request.Create().WithPath(TrustpilotReviews).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("""{"reviews":[],"links":[]}""").WithDelay(TimeSpan.FromSeconds(10)));
        var connector = h.Services.GetServices<IPullConnector>().Single(c => c.Source == SourceId.Trustpilot);
        using var shutdown = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        // The runner tells a shutdown (checkpoint kept, run not failed) from a failure by this type.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connector.FetchAsync(connector.Start(DateTimeOffset.UtcNow.AddDays(-1), null, DateTimeOffset.UtcNow), shutdown.Token));
    }

    [Fact]
    public async Task Salesforce_403_request_limit_is_throttling_and_nextRecordsUrl_is_followed()
    {
        await using var h = await PullHarness.StartAsync(azurite, SourceId.Salesforce.Name);
        var limit = JsonDocument.Parse(Fixture.Text("salesforce/salesforce-error-request-limit.json")).RootElement.GetProperty("body").GetRawText();
        h.Api.Given(ContactQuery()).InScenario("sf-limit").WillSetStateTo("limited-once")
            .RespondWith(Response.Create().WithStatusCode(403).WithHeader("Content-Type", "application/json").WithBody(limit));
        h.Api.Given(ContactQuery()).InScenario("sf-limit").WhenStateIs("limited-once")
            .RespondWith(Json(PullHarness.Body("salesforce/salesforce-query-contacts-page1.json")));
        h.Api.Given(Request.Create().WithPath("/services/data/v62.0/query/01gRO00000FhQ7dYAF-2000").UsingGet())
            .RespondWith(Json(PullHarness.Body("salesforce/salesforce-query-contacts-page2.json")));
        h.Api.Given(Request.Create().WithPath("/services/data/v62.0/query").UsingGet().WithParam("q", new WireMock.Matchers.WildcardMatcher("*FROM Lead *")))
            .RespondWith(Json(EmptySoql));
        h.Api.Given(Request.Create().WithPath("/services/data/v62.0/query").UsingGet().WithParam("q", new WireMock.Matchers.RegexMatcher("FROM (Opportunity|OpportunityContactRole|Task|Event) ")))
            .RespondWith(Json(EmptySoql));
        h.Api.Given(Request.Create().WithPath("/services/data/v62.0/queryAll").UsingGet()).RespondWith(Json(EmptySoql));

        var state = await h.Runner.RunIncrementalAsync(SourceId.Salesforce.Name, default);

        Assert.True(state?.State == PullRunState.Completed, state?.LastError);
        Assert.Equal(2, h.Requests("/services/data/v62.0/query", "q", q => q.Contains("FROM Contact ", StringComparison.Ordinal)));
        Assert.Equal(1, h.Requests("/services/data/v62.0/query/01gRO00000FhQ7dYAF-2000"));
        Assert.Equal(8, state!.Pages);
        Assert.Equal(3, state.Items);
        var soql = h.Api.LogEntries.First(e => e.RequestMessage.Query!.TryGetValue("q", out _)).RequestMessage.Query!["q"].Single();
        Assert.Matches(@"^SELECT Id, .* FROM Contact WHERE SystemModstamp >= \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ORDER BY SystemModstamp ASC$", soql);

        // Deleted contact roles come from queryAll, the one query that sees the recycle bin.
        var deleted = Assert.Single(h.Api.LogEntries, e => e.RequestMessage.Path == "/services/data/v62.0/queryAll").RequestMessage.Query!["q"].Single();
        Assert.Matches(@"^SELECT Id, .*IsDeleted.* FROM OpportunityContactRole WHERE IsDeleted = true AND SystemModstamp >= \S+ ORDER BY SystemModstamp ASC$", deleted);
        Assert.Equal("Bearer 00D5g000004ZkQ1!test", h.Api.LogEntries[0].RequestMessage.Headers!["Authorization"].Single());

        var pages = await h.ArchivedPagesAsync(SourceId.SalesforcePull.Name, state.RunId!);
        var adapter = h.Services.GetRequiredService<SourceRegistry>().Adapter(SourceId.SalesforcePull)!;
        var touchpoints = pages.SelectMany(p => adapter.Normalize(new RawPayload(SourceId.SalesforcePull.Name, p.BlobName, p.Body, DateTimeOffset.UtcNow, "c", new Dictionary<string, string>())).Touchpoints).ToList();
        Assert.Equal(3, touchpoints.Count);
        Assert.All(touchpoints, t => Assert.Equal("contact.created", t.Action));
    }

    [Fact]
    public async Task Google_500_is_retried_with_backoff_and_pages_follow_nextPageToken_with_stars_as_rating()
    {
        await using var h = await PullHarness.StartAsync(azurite, SourceId.Google.Name, new Dictionary<string, string?>
        {
            // The fixtures are from March 2025: read from before them.
            ["Pull:InitialLookback"] = "3650.00:00:00",
        });
        var firstPageCalls = 0;
        var page1 = PullHarness.Body("google/google-reviews-page1.json");
        h.Api.Given(Request.Create().WithPath(GoogleReviews).UsingGet().WithParam("orderBy", "updateTime desc").WithParam(p => !p.ContainsKey("pageToken")))
            .RespondWith(Response.Create().WithCallback(_ => Interlocked.Increment(ref firstPageCalls) == 1
                ? new ResponseMessage { StatusCode = 500, BodyData = Text("backend error") }
                : new ResponseMessage { StatusCode = 200, Headers = JsonHeaders(), BodyData = Text(page1) }));
        h.Api.Given(Request.Create().WithPath(GoogleReviews).UsingGet().WithParam("pageToken", "CiUKEwiQ_example_token_page2"))
            .RespondWith(Json(PullHarness.Body("google/google-reviews-page2.json")));

        var state = await h.Runner.RunIncrementalAsync(SourceId.Google.Name, default);

        Assert.True(state?.State == PullRunState.Completed, state?.LastError);
        Assert.Equal(2, state!.Pages);
        Assert.Equal(3, state.Items);
        Assert.True(h.Api.LogEntries.Count == 3, h.Describe());
        var pages = await h.ArchivedPagesAsync(SourceId.Google.Name, state.RunId!);
        var adapter = h.Services.GetRequiredService<SourceRegistry>().Adapter(SourceId.Google)!;
        var results = pages.Select(p => adapter.Normalize(new RawPayload(SourceId.Google.Name, p.BlobName, p.Body, DateTimeOffset.UtcNow, "c", new Dictionary<string, string> { ["location"] = "accounts/108421983526617/locations/4712398562219" }))).ToList();
        var touchpoints = results.SelectMany(r => r.Touchpoints).ToList();
        Assert.Equal(new[] { "review.posted", "review.posted", "review.updated" }, touchpoints.Select(t => t.Action).ToArray());
        Assert.Equal(new[] { 4, 5, 5 }, touchpoints.Select(t => t.Rating!.Value).ToArray());
        Assert.All(touchpoints, t => Assert.Equal("google", t.Source));
        Assert.Contains("anonymous", Assert.Single(results.SelectMany(r => r.Rejected)).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Meta_comment_page_that_times_out_is_retried_and_cursor_paging_reaches_the_end()
    {
        await using var h = await PullHarness.StartAsync(azurite, SourceId.Meta.Name);
        const string post = "104328857712345_987650001234567";
        h.Api.Given(Request.Create().WithPath("/v21.0/104328857712345/posts").UsingGet())
            .RespondWith(Json("{\"data\":[{\"id\":\"" + post + "\",\"created_time\":\"2025-03-14T09:00:00+0000\"}],\"paging\":{\"cursors\":{\"before\":\"QVFI\",\"after\":\"QVFI\"}}}"));
        var calls = 0;
        var page = PullHarness.Body("meta/meta-graph-comments-page.json");
        h.Api.Given(Request.Create().WithPath($"/v21.0/{post}/comments").UsingGet().WithParam(p => !p.ContainsKey("after")))
            .RespondWith(Response.Create().WithCallback(_ =>
            {
                // The first answer comes after the per-attempt timeout (0.5 s); the retry gets it at once.
                if (Interlocked.Increment(ref calls) == 1)
                {
                    Thread.Sleep(TimeSpan.FromSeconds(4));
                }

                return new ResponseMessage { StatusCode = 200, Headers = JsonHeaders(), BodyData = Text(page) };
            }));
        h.Api.Given(Request.Create().WithPath($"/v21.0/{post}/comments").UsingGet().WithParam("after", "NDMyNzQyODI3OTQw"))
            .RespondWith(Json("""{"data":[],"paging":{"cursors":{"before":"x","after":"y"}}}"""));

        var state = await h.Runner.RunIncrementalAsync(SourceId.Meta.Name, default);

        Assert.True(state?.State == PullRunState.Completed, state?.LastError);
        // The answer that came too late is not in WireMock's log (the client had gone): count the calls instead.
        Assert.Equal(2, calls);
        Assert.True(h.Requests($"/v21.0/{post}/comments", "after") == 1, h.Describe());
        Assert.Equal(1, state!.Items);
        var archived = Assert.Single(await h.ArchivedPagesAsync(SourceId.MetaPull.Name, state.RunId!));
        var adapter = h.Services.GetRequiredService<SourceRegistry>().Adapter(SourceId.MetaPull)!;
        var comment = Assert.Single(adapter.Normalize(new RawPayload(SourceId.MetaPull.Name, archived.BlobName, archived.Body, DateTimeOffset.UtcNow, "c", new Dictionary<string, string> { ["pageId"] = "104328857712345", ["postId"] = post })).Touchpoints);
        Assert.Equal("meta", comment.Source);
        Assert.Equal("987650001234567_1122334455667788", comment.SourceEventId);
        Assert.Equal(new DateTimeOffset(2025, 3, 14, 14, 22, 8, TimeSpan.Zero), comment.OccurredAt);
    }

    [Fact]
    public async Task Meta_business_use_case_throttling_longer_than_allowed_is_not_hammered_and_stops_the_run()
    {
        await using var h = await PullHarness.StartAsync(azurite, SourceId.Meta.Name);
        var error = JsonDocument.Parse(Fixture.Text("meta/meta-graph-error-rate-limit.json")).RootElement;
        h.Api.Given(Request.Create().WithPath("/v21.0/104328857712345/posts").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(400)
                .WithHeader("X-Business-Use-Case-Usage", error.GetProperty("_responseHeaders").GetProperty("X-Business-Use-Case-Usage").GetString()!)
                .WithHeader("Content-Type", "application/json")
                .WithBody(JsonSerializer.Serialize(new { error = error.GetProperty("error") })));

        var state = await h.Runner.RunIncrementalAsync(SourceId.Meta.Name, default);
        var again = await h.Runner.RunIncrementalAsync(SourceId.Meta.Name, default);

        Assert.Equal(PullRunState.Failed, state!.State);
        Assert.Contains("throttling", state.LastError, StringComparison.Ordinal);
        // 12 minutes to regain access is more than Pull:MaxThrottleDelay: one request, no retries, and the next run
        // does not call at all while the gate is closed.
        Assert.Single(h.Api.LogEntries);
        Assert.Equal(PullRunState.Failed, again!.State);
        Assert.Equal(2, again.Errors);
        Assert.Contains("Meta: PullThrottledException: meta asked not to be called", again.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_401_stops_the_backfill_with_a_clear_log_entry_and_the_error_in_its_status()
    {
        await using var h = await PullHarness.StartAsync(azurite, SourceId.Google.Name);
        h.Api.Given(Request.Create().WithPath(GoogleReviews).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(401).WithHeader("Content-Type", "application/json")
                .WithBody("""{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}"""));
        var backfillQueue = azurite.Queue(PullStorageNames.BackfillQueue);
        await backfillQueue.CreateIfNotExistsAsync();
        await backfillQueue.ClearMessagesAsync();

        var (queued, error) = await h.Runner.StartBackfillAsync(SourceId.Google.Name, "2025-01-01T00:00:00Z", "2025-03-01T00:00:00Z", default);
        Assert.Null(error);
        Assert.Equal(PullRunState.Queued, queued!.State);
        var message = Assert.Single((await backfillQueue.ReceiveMessagesAsync(10)).Value);
        var request = StorageBackfillQueue.Parse(message.MessageText)!;
        Assert.Equal(queued.RunId, request.RunId);

        await h.Runner.RunBackfillAsync(request, default);
        var status = await h.Runner.GetBackfillAsync(SourceId.Google.Name, default);

        Assert.Equal(PullRunState.Failed, status!.State);
        Assert.Contains("authentication failed (401", status.LastError, StringComparison.Ordinal);
        Assert.Contains("Sources__Google__AccessToken", status.LastError, StringComparison.Ordinal);
        Assert.Equal(1, status.Errors);
        Assert.Single(h.Api.LogEntries);
        Assert.Contains(h.Logs.GetSnapshot(), r => r.Level == LogLevel.Error && r.Message.Contains("refused the credentials", StringComparison.Ordinal));
        Assert.Empty((await backfillQueue.ReceiveMessagesAsync(10)).Value);
    }

    [Fact]
    public async Task A_crash_between_pages_resumes_from_the_checkpoint_without_gaps_or_duplicates()
    {
        await using var h = await PullHarness.StartAsync(azurite, SourceId.Trustpilot.Name);
        using var crash = new CancellationTokenSource();
        h.Api.Given(Request.Create().WithPath(TrustpilotReviews).WithParam("page", "1").UsingGet())
            .RespondWith(Json(TrustpilotPage("77aa00000000000000000001", "5c1d2e3f4a5b6c7d8e9f0a01", "2025-03-15T09:00:00Z", next: true)));
        var page2Calls = 0;
        var page2 = TrustpilotPage("77aa00000000000000000002", "5c1d2e3f4a5b6c7d8e9f0a02", "2025-03-15T10:00:00Z", next: true);
        h.Api.Given(Request.Create().WithPath(TrustpilotReviews).WithParam("page", "2").UsingGet())
            .RespondWith(Response.Create().WithCallback(_ =>
            {
                if (Interlocked.Increment(ref page2Calls) == 1)
                {
                    // The process dies while page 2 is in flight: the answer never reaches it.
                    crash.Cancel();
                    Thread.Sleep(TimeSpan.FromMilliseconds(300));
                }

                return new ResponseMessage { StatusCode = 200, Headers = JsonHeaders(), BodyData = Text(page2) };
            }));
        h.Api.Given(Request.Create().WithPath(TrustpilotReviews).WithParam("page", "3").UsingGet())
            .RespondWith(Json(TrustpilotPage("77aa00000000000000000003", "5c1d2e3f4a5b6c7d8e9f0a03", "2025-03-15T11:00:00Z", next: false)));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => h.Runner.RunIncrementalAsync(SourceId.Trustpilot.Name, crash.Token));
        var interrupted = await h.Services.GetRequiredService<IPullStateStore>().GetAsync(SourceId.Trustpilot.Name, PullRunKind.Incremental, default);
        Assert.Equal(1, interrupted!.Pages);
        Assert.Contains("\"page\":2", interrupted.Cursor, StringComparison.Ordinal);

        var resumed = await h.Runner.RunIncrementalAsync(SourceId.Trustpilot.Name, default);

        Assert.Equal(PullRunState.Completed, resumed!.State);
        Assert.Equal(interrupted.RunId, resumed.RunId);
        Assert.Equal(3, resumed.Pages);
        Assert.True(h.Requests(TrustpilotReviews, "page", p => p == "1") == 1, h.Describe());
        var pages = await h.ArchivedPagesAsync(SourceId.TrustpilotPull.Name, resumed.RunId!);
        var reviewIds = pages.Select(p => JsonDocument.Parse(p.Body).RootElement.GetProperty("reviews")[0].GetProperty("id").GetString()).ToList();
        Assert.Equal(new[] { "77aa00000000000000000001", "77aa00000000000000000002", "77aa00000000000000000003" }, reviewIds);
    }

    [Fact]
    public async Task A_source_without_credentials_does_not_pull_and_says_so_once()
    {
        await using var h = await PullHarness.StartAsync(azurite, SourceId.Trustpilot.Name, new Dictionary<string, string?> { ["Sources:Trustpilot:ApiKey"] = "" });

        Assert.Null(await h.Runner.RunIncrementalAsync(SourceId.Trustpilot.Name, default));
        Assert.Null(await h.Runner.RunIncrementalAsync(SourceId.Trustpilot.Name, default));

        Assert.Empty(h.Api.LogEntries);
        Assert.Single(h.Logs.GetSnapshot(), r => r.Message.Contains("Sources__Trustpilot__ApiKey is not set", StringComparison.Ordinal));
    }

    internal static string TrustpilotPage(string reviewId, string consumerId, string createdAt, bool next)
    {
        var links = next ? """[{"href":"https://api.trustpilot.com/next","method":"GET","rel":"next-page"}]""" : "[]";
        return $$"""
            {"reviews":[{"id":"{{reviewId}}","consumer":{"id":"{{consumerId}}","displayName":"Sam P."},"stars":4,"title":"Good","text":"Arrived on time.","language":"en","createdAt":"{{createdAt}}","updatedAt":null,"referenceId":"ORD-1","isVerified":true,"status":"active"}],"links":{{links}}}
            """;
    }

    private static IRequestBuilder ContactQuery() =>
        Request.Create().WithPath("/services/data/v62.0/query").UsingGet().WithParam("q", new WireMock.Matchers.WildcardMatcher("*FROM Contact *"));

    private static string CallWithoutAssociations()
    {
        var call = System.Text.Json.Nodes.JsonNode.Parse(PullHarness.Body("hubspot/hubspot-crm-call.json"))!.AsObject();
        call.Remove("associations");
        return call.ToJsonString();
    }

    private static Dictionary<string, WireMockList<string>> JsonHeaders() => new() { ["Content-Type"] = new("application/json") };

    private static BodyData Text(string body) => new() { BodyAsString = body, DetectedBodyType = BodyType.String };

    private static IResponseBuilder Json(string body) =>
        Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(body);
}
