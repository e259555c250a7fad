using System.Text;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources.SurveyMonkey;
using JourneyHub.IntegrationTests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace JourneyHub.IntegrationTests.Enrichment;

/// <summary>
/// The SurveyMonkey follow-up fetch: the source-generated Refit client through the real DI, auth handler and resilience
/// pipeline, against a real local HTTP server serving the documented API shapes.
/// </summary>
public sealed class SurveyMonkeyEnrichmentTests : IDisposable
{
    private const string SurveyPath = "/v3/surveys/405837291/details";
    private const string ResponsePath = "/v3/surveys/405837291/responses/114392018374/details";
    private readonly WireMockServer server = WireMockServer.Start();

    public void Dispose() => server.Stop();

    [Fact]
    public async Task A_completed_response_gains_its_nps_answer_email_and_comment_with_the_bearer_token()
    {
        ServeSurvey();
        server.Given(Request.Create().WithPath(ResponsePath).UsingGet().WithHeader("Authorization", "Bearer sm-token"))
            .RespondWith(Json(200, Fixture.Text("surveymonkey/surveymonkey-response-details.json")));

        var enriched = Assert.Single(await EnrichAsync([Callback()]));

        Assert.Equal(new SurveyAnswer(SurveyType.Nps, 2, "I had to call twice before anyone looked at my refund."), enriched.Survey);
        Assert.Contains(new Identity(IdentityTypes.Email, "sam.okafor@example.org"), enriched.Identities);
        Assert.Equal(SentimentLabel.Negative, enriched.Sentiment!.Label);
        Assert.All(server.LogEntries, e => Assert.Equal("Bearer sm-token", e.RequestMessage.Headers!["Authorization"].ToString()));
    }

    [Fact]
    public async Task A_429_with_retry_after_is_waited_out_and_then_succeeds()
    {
        ServeSurvey();
        server.Given(Request.Create().WithPath(ResponsePath).UsingGet()).InScenario("throttled").WillSetStateTo("open")
            .RespondWith(Json(429, Fixture.Text("surveymonkey/surveymonkey-error-429.json")).WithHeader("Retry-After", "1"));
        server.Given(Request.Create().WithPath(ResponsePath).UsingGet()).InScenario("throttled").WhenStateIs("open")
            .RespondWith(Json(200, Fixture.Text("surveymonkey/surveymonkey-response-details.json")));

        var enriched = Assert.Single(await EnrichAsync([Callback()]));

        Assert.Equal(SurveyType.Nps, enriched.Survey!.Type);
        var calls = server.LogEntries.Where(e => e.RequestMessage.Path == ResponsePath).OrderBy(e => e.RequestMessage.DateTime).ToList();
        Assert.Equal(2, calls.Count);
        Assert.Equal(429, calls[0].ResponseMessage.StatusCode);
        Assert.True(calls[1].RequestMessage.DateTime - calls[0].RequestMessage.DateTime >= TimeSpan.FromSeconds(0.9), "the retry came before Retry-After allowed it");
    }

    [Fact]
    public async Task The_survey_definition_is_fetched_once_for_several_responses()
    {
        ServeSurvey();
        server.Given(Request.Create().WithPath("/v3/surveys/405837291/responses/*").UsingGet())
            .RespondWith(Json(200, Fixture.Text("surveymonkey/surveymonkey-response-details.json")));

        var second = Callback() with { SourceEventId = "114392018375", Attributes = new Dictionary<string, string>(Callback().Attributes) { ["responseId"] = "114392018375" } };
        var enriched = await EnrichAsync([Callback(), second]);

        Assert.Equal(2, enriched.Count);
        Assert.Single(server.LogEntries, e => e.RequestMessage.Path == SurveyPath);
        Assert.Equal(2, server.LogEntries.Count(e => e.RequestMessage.Path!.Contains("/responses/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_deleted_response_keeps_the_callbacks_touchpoint()
    {
        server.Given(Request.Create().WithPath(ResponsePath).UsingGet())
            .RespondWith(Json(404, """{"error":{"id":"1020","name":"Resource Not Found","message":"There was an error retrieving the requested resource.","http_status_code":404}}"""));

        var callback = Callback();
        var enriched = Assert.Single(await EnrichAsync([callback]));

        Assert.Same(callback, enriched);
    }

    [Fact]
    public async Task An_api_that_stays_down_fails_the_attempt_so_the_queue_retries_it()
    {
        server.Given(Request.Create().WithPath(ResponsePath).UsingGet()).RespondWith(Response.Create().WithStatusCode(503));

        await Assert.ThrowsAnyAsync<Exception>(() => EnrichAsync([Callback()]));
        Assert.Equal(3, server.LogEntries.Count);
    }

    [Fact]
    public async Task Without_an_access_token_no_request_is_made()
    {
        var callback = Callback();

        var enriched = Assert.Single(await EnrichAsync([callback], token: null));

        Assert.Same(callback, enriched);
        Assert.Empty(server.LogEntries);
    }

    private void ServeSurvey() =>
        server.Given(Request.Create().WithPath(SurveyPath).UsingGet()).RespondWith(Json(200, Fixture.Text("surveymonkey/surveymonkey-survey-details.json")));

    private static IResponseBuilder Json(int status, string body) =>
        Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(body);

    private Task<IReadOnlyList<Touchpoint>> EnrichAsync(IReadOnlyList<Touchpoint> touchpoints, string? token = "sm-token") =>
        VendorEnricher.EnrichAsync(SourceId.SurveyMonkey, "SurveyMonkey", server.Url!, token, touchpoints);

    private static Touchpoint Callback()
    {
        var raw = new RawPayload("surveymonkey", "surveymonkey/blob", Encoding.UTF8.GetBytes(Fixture.Text("surveymonkey/surveymonkey-response-completed.json")), DateTimeOffset.UtcNow, "corr", new Dictionary<string, string>());
        return Assert.Single(new SurveyMonkeyAdapter().Normalize(raw).Touchpoints);
    }
}
