using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using JourneyHub.IntegrationTests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace JourneyHub.IntegrationTests.Sources;

/// <summary>
/// Typeform, SurveyMonkey and Delighted through the local host on Azurite: signed deliveries of the golden payloads
/// (made unique per run, since Azurite is shared), the SurveyMonkey follow-up fetch against a real local HTTP server,
/// redelivery, refusals, and dead letters for answers that cannot be read.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SurveyToolsEndToEndTests(AzuriteFixture azurite) : LocalHostTests(azurite)
{
    private const string FunctionKey = "survey-function-key";
    private const string AdminKey = "survey-admin-key";
    private const string TypeformSecret = "tfsec_3c9e1d7a52b84f06";
    private const string SurveyMonkeyClientId = "sm_client_7Qk2";
    private const string SurveyMonkeyClientSecret = "sm_secret_9fX4pL1z";
    private const string DelightedApiKey = "dlt_api_key_5e8a0c2f";
    private readonly WireMockServer surveyMonkey = WireMockServer.Start();

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["LocalHost__FunctionKey"] = FunctionKey,
        ["LocalHost__AdminKey"] = AdminKey,
        ["Sources__Typeform__Secret"] = TypeformSecret,
        ["Sources__Typeform__SurveyTypes__lT4Z3j__Ce5kT2wYh9Ua"] = "ces",
        ["Sources__SurveyMonkey__ClientId"] = SurveyMonkeyClientId,
        ["Sources__SurveyMonkey__ClientSecret"] = SurveyMonkeyClientSecret,
        ["Sources__SurveyMonkey__AccessToken"] = "sm-access-token",
        ["Sources__SurveyMonkey__BaseUrl"] = surveyMonkey.Url!,
        ["Sources__SurveyMonkey__SurveyTypes__405837291__660218512"] = "csat",
        ["Sources__Delighted__ApiKey"] = DelightedApiKey,
    };

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        surveyMonkey.Stop();
    }

    [Fact]
    public async Task A_Typeform_response_lands_as_nps_and_ces_answers_once_however_often_it_is_delivered()
    {
        var (email, body) = Unique(Fixture.Text("typeform/typeform-form-response.json"), "Laura.Diaz@Example.com", "a3a12ec67a1365927098a606107fac15", "abc123456");

        for (var delivery = 0; delivery < 2; delivery++)
        {
            using var response = await Host.Client.SendAsync(Typeform(body));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var timeline = await Api.TimelineWithAsync($"email:{email}", 2);
        var items = timeline.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, items.Count);
        Assert.All(items, i => Assert.Equal("typeform", i.GetProperty("source").GetString()));
        Assert.All(items, i => Assert.Equal("survey", i.GetProperty("channel").GetString()));
        Assert.All(items, i => Assert.Equal("retention", i.GetProperty("stage").GetString()));
        Assert.All(items, i => Assert.Equal("survey.answered", i.GetProperty("action").GetString()));
        var surveys = items.Select(i => (i.GetProperty("survey").GetProperty("type").GetString(), i.GetProperty("survey").GetProperty("score").GetDouble())).Order().ToList();
        Assert.Equal([("ces", 2.0), ("nps", 9.0)], surveys);
        Assert.Contains(items[0].GetProperty("identities").EnumerateArray(), i => i.GetProperty("type").GetString() == "typeform" && i.GetProperty("value").GetString()!.StartsWith("abc123456-", StringComparison.Ordinal));

        var journey = await Api.JourneyWhenAsync(timeline, j => j.GetProperty("touchpointCount").GetInt32() == 2);
        Assert.Equal(9, journey.GetProperty("latestNps").GetProperty("score").GetDouble());
    }

    [Fact]
    public async Task Typeform_without_or_with_a_wrong_signature_gets_401_problem_json()
    {
        var body = Fixture.Bytes("typeform/typeform-form-response.json");
        using var unsigned = await Host.Client.SendAsync(SignedRequests.Plain(Url("/api/webhooks/typeform"), body, "application/json"));
        using var wrong = await Host.Client.SendAsync(SignedRequests.Typeform(Url("/api/webhooks/typeform"), body, "not-the-secret"));

        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("application/problem+json", wrong.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Typeform-Signature", await unsigned.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SurveyMonkey_answers_the_head_check_with_200()
    {
        using var response = await Host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/webhooks/surveymonkey"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_SurveyMonkey_callback_is_completed_with_the_fetched_answers_and_the_respondents_email()
    {
        var responseId = Random.Shared.NextInt64(200_000_000_000, 900_000_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var email = $"sam-{Guid.NewGuid():N}@example.org";
        var callback = Encoding.UTF8.GetBytes(Fixture.Text("surveymonkey/surveymonkey-response-completed.json").Replace("114392018374", responseId, StringComparison.Ordinal));
        surveyMonkey.Given(Request.Create().WithPath("/v3/surveys/405837291/details").UsingGet())
            .RespondWith(Json(Fixture.Text("surveymonkey/surveymonkey-survey-details.json")));
        surveyMonkey.Given(Request.Create().WithPath($"/v3/surveys/405837291/responses/{responseId}/details").UsingGet().WithHeader("Authorization", "Bearer sm-access-token"))
            .RespondWith(Json(Fixture.Text("surveymonkey/surveymonkey-response-details.json")
                .Replace("114392018374", responseId, StringComparison.Ordinal)
                .Replace(" Sam.Okafor@Example.org ", email, StringComparison.Ordinal)));

        using (var response = await Host.Client.SendAsync(SignedRequests.SurveyMonkey(Url("/api/webhooks/surveymonkey"), callback, SurveyMonkeyClientId, SurveyMonkeyClientSecret)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var items = (await Api.TimelineWithAsync($"email:{email}", 2)).GetProperty("items").EnumerateArray().ToList();
        var nps = Assert.Single(items, i => i.GetProperty("sourceEventId").GetString() == responseId);
        var csat = Assert.Single(items, i => i.GetProperty("sourceEventId").GetString() == responseId + ":660218512");
        Assert.Equal("nps", nps.GetProperty("survey").GetProperty("type").GetString());
        Assert.Equal(2, nps.GetProperty("survey").GetProperty("score").GetDouble());
        Assert.Equal("I had to call twice before anyone looked at my refund.", nps.GetProperty("survey").GetProperty("comment").GetString());
        Assert.Equal("negative", nps.GetProperty("sentiment").GetProperty("label").GetString());
        Assert.Equal("csat", csat.GetProperty("survey").GetProperty("type").GetString());
        Assert.Contains(nps.GetProperty("identities").EnumerateArray(), i => i.GetProperty("type").GetString() == "surveymonkey" && i.GetProperty("value").GetString() == responseId);
    }

    [Fact]
    public async Task SurveyMonkey_with_a_signature_from_another_app_gets_401()
    {
        var callback = Fixture.Bytes("surveymonkey/surveymonkey-response-completed.json");
        using var response = await Host.Client.SendAsync(SignedRequests.SurveyMonkey(Url("/api/webhooks/surveymonkey"), callback, SurveyMonkeyClientId, "another-secret"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_Delighted_response_counts_its_score_once_and_keeps_the_later_comment()
    {
        var (email, updated) = Unique(Fixture.Text("delighted/delighted-survey-response-updated.json"), "charlie_gravis@example.com", "5435", "5975");
        var created = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(updated)
            .Replace("survey_response.updated", "survey_response.created", StringComparison.Ordinal)
            .Replace("\"comment\": \"Your service is fast and flawless!\"", "\"comment\": null", StringComparison.Ordinal));

        foreach (var body in new[] { created, updated, updated })
        {
            using var response = await Host.Client.SendAsync(Delighted(body));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var timeline = await Api.TimelineWithAsync($"email:{email}", 2);
        var items = timeline.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, items.Count);
        var answer = Assert.Single(items, i => i.GetProperty("action").GetString() == "survey.answered");
        var comment = Assert.Single(items, i => i.GetProperty("action").GetString() == "survey.commented");
        Assert.Equal(9, answer.GetProperty("survey").GetProperty("score").GetDouble());
        Assert.Equal("Your service is fast and flawless!", comment.GetProperty("attributes").GetProperty("comment").GetString());
        Assert.Equal(JsonValueKind.Null, comment.GetProperty("survey").ValueKind);
        var journey = await Api.JourneyWhenAsync(timeline, j => j.GetProperty("touchpointCount").GetInt32() == 2);
        Assert.Equal(9, journey.GetProperty("latestNps").GetProperty("score").GetDouble());
    }

    [Fact]
    public async Task A_Delighted_score_outside_its_scale_is_acknowledged_and_kept_as_a_dead_letter_with_the_reason()
    {
        var (_, body) = Unique(Fixture.Text("delighted/delighted-survey-response-updated.json").Replace("\"score\": 9,", "\"score\": 11,", StringComparison.Ordinal), "charlie_gravis@example.com", "5435", "5975");

        using (var response = await Host.Client.SendAsync(Delighted(body)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var eventId = JsonDocument.Parse(body).RootElement.GetProperty("event_id").GetString()!;
        var deadLetters = await LocalHostProcess.EventuallyAsync(
            async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/admin/dead-letters?source=delighted&limit=500");
                request.Headers.Add("x-functions-key", AdminKey);
                using var response = await Host.Client.SendAsync(request);
                return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().ToList();
            },
            list => list.Any(d => d.GetProperty("reason").GetString()!.Contains(eventId, StringComparison.Ordinal)));
        var deadLetter = Assert.Single(deadLetters, d => d.GetProperty("reason").GetString()!.Contains(eventId, StringComparison.Ordinal));
        Assert.Contains("score 11 of survey_type 'nps'", deadLetter.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delighted_with_a_signature_made_with_another_key_gets_401()
    {
        var body = Fixture.Bytes("delighted/delighted-survey-response-updated.json");
        using var response = await Host.Client.SendAsync(SignedRequests.Delighted(Url("/api/webhooks/delighted"), body, "another-key"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    /// <summary>The fixture with a fresh e-mail and id, so runs on a shared Azurite never meet.</summary>
    private static (string Email, byte[] Body) Unique(string fixture, string email, params string[] ids)
    {
        var suffix = Guid.NewGuid().ToString("N");
        var fresh = $"survey-{suffix}@example.com";
        var body = fixture.Replace(email, fresh, StringComparison.Ordinal).Replace("\"event_id\": \"", $"\"event_id\": \"{suffix}", StringComparison.Ordinal);
        foreach (var id in ids)
        {
            body = body.Replace($"\"{id}\"", $"\"{id}-{suffix}\"", StringComparison.Ordinal);
        }

        return (fresh, Encoding.UTF8.GetBytes(body));
    }

    private HttpRequestMessage Typeform(byte[] body) =>
        SignedRequests.Typeform(Url("/api/webhooks/typeform"), body, TypeformSecret);

    private HttpRequestMessage Delighted(byte[] body) =>
        SignedRequests.Delighted(Url("/api/webhooks/delighted"), body, DelightedApiKey);

    private static IResponseBuilder Json(string body) =>
        Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(body);
}
