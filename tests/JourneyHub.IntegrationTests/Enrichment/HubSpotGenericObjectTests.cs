using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Sources.HubSpot;
using JourneyHub.IntegrationTests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace JourneyHub.IntegrationTests.Enrichment;

/// <summary>
/// Generic HubSpot webhooks (object.creation / object.propertyChange of calls, meetings, feedback submissions): the object
/// is read with its contact associations through the HubSpot Refit client, against a real local HTTP server (WireMock).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class HubSpotGenericObjectTests(AzuriteFixture azurite) : IDisposable
{
    private const string HubSpotSecret = "9f3c2a7e-5b1d-4c8e-a2f6-1d7b3e9c0a45";
    private const string FunctionKey = "generic-objects-key";
    private readonly WireMockServer server = WireMockServer.Start();

    public void Dispose() => server.Stop();

    [Fact]
    public async Task A_pending_call_is_read_with_its_contacts_and_becomes_the_contacts_touchpoint_with_e_mail()
    {
        Serve("/crm/v3/objects/calls/69021458830", Fixture.Text("hubspot/hubspot-crm-call.json"));
        Serve("/crm/v3/objects/contacts/81273645012", Fixture.Text("hubspot/hubspot-crm-contact-get.json"));
        var pending = Pending(0) with { ReceivedAt = DateTimeOffset.UnixEpoch.AddDays(1), RawRef = "hubspot/blob", Attributes = new Dictionary<string, string>(Pending(0).Attributes) { ["correlationId"] = "c0ffee" } };

        var call = Assert.Single(await EnrichAsync(pending));

        Assert.Equal("call.logged", call.Action);
        Assert.Equal("calls:69021458830:81273645012", call.SourceEventId);
        Assert.Contains(new Identity("hubspot", "81273645012"), call.Identities);
        Assert.Contains(new Identity("email", "maria.lindqvist@example.com"), call.Identities);
        Assert.Equal(("connected", "c0ffee", "hubspot/blob"), (call.Attributes["outcome"], call.Attributes["correlationId"], call.RawRef));
        var read = server.LogEntries.Select(e => e.RequestMessage).Single(r => r.Path.Contains("/calls/", StringComparison.Ordinal));
        Assert.Equal("contacts", read.Query!["associations"].ToString());
        Assert.Contains("hs_call_disposition", read.Query["properties"].ToString(), StringComparison.Ordinal);
        Assert.Equal("Bearer pat-test", read.Headers!["Authorization"].ToString());
    }

    [Fact]
    public async Task An_object_that_is_gone_keeps_its_pending_touchpoint_and_one_that_is_throttled_is_retried()
    {
        server.Given(Request.Create().WithPath("/crm/v3/objects/feedback_submissions/72210004418").UsingGet()).InScenario("throttled").WillSetStateTo("open")
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "1").WithBody(Fixture.Text("hubspot/hubspot-error-429.json")));
        Serve("/crm/v3/objects/feedback_submissions/72210004418", Fixture.Text("hubspot/hubspot-crm-feedback-submission.json"), "throttled", "open");
        server.Given(Request.Create().WithPath("/crm/v3/objects/tickets/30118842211").UsingGet()).RespondWith(Response.Create().WithStatusCode(404).WithBody("""{"status":"error","message":"resource not found"}"""));
        Serve("/crm/v3/objects/contacts/81273645012", Fixture.Text("hubspot/hubspot-crm-contact-get.json"));

        var enriched = await EnrichAsync(Pending(2), Pending(3));

        Assert.Equal(2, enriched.Count);
        Assert.Equal(new SurveyAnswer(SurveyType.Nps, 9, "Onboarding was smooth, the kickoff call helped a lot."), enriched[0].Survey);
        Assert.True(HubSpotObjects.IsPending(enriched[1]));
        Assert.Empty(enriched[1].Identities);
    }

    [Fact]
    public async Task Without_an_access_token_nothing_is_read_and_the_event_stays_pending()
    {
        var pending = Pending(0);
        var enriched = Assert.Single(await EnrichAsync(token: null, pending));

        Assert.Same(pending, enriched);
        Assert.Empty(server.LogEntries);
    }

    [Fact]
    public async Task Through_the_local_host_a_signed_generic_batch_reaches_the_contacts_timeline_with_the_call_the_meeting_outcome_and_the_nps()
    {
        var contact = HubSpotEvents.NewId().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var email = $"generic-{contact}@example.com";
        string Fresh(string text) => text.Replace("81273645012", contact, StringComparison.Ordinal).Replace("maria.lindqvist@example.com", email, StringComparison.Ordinal);
        Serve("/crm/v3/objects/calls/69021458830", Fresh(Fixture.Text("hubspot/hubspot-crm-call.json")));
        Serve("/crm/v3/objects/meetings/69021460112", Fresh(Fixture.Text("hubspot/hubspot-crm-meeting.json")));
        Serve("/crm/v3/objects/feedback_submissions/72210004418", Fresh(Fixture.Text("hubspot/hubspot-crm-feedback-submission.json")));
        Serve($"/crm/v3/objects/contacts/{contact}", Fresh(Fixture.Text("hubspot/hubspot-crm-contact-get.json")));

        // The call, the meeting outcome and the feedback of the golden batch, with this run's event ids.
        using var golden = JsonDocument.Parse(Fixture.Text("hubspot/hubspot-webhook-generic-objects.json"));
        var events = golden.RootElement.EnumerateArray().Take(3).Select(e =>
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(e.GetRawText())!;
            node["eventId"] = HubSpotEvents.NewId();
            node["occurredAt"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            return node;
        });
        var body = Encoding.UTF8.GetBytes(new System.Text.Json.Nodes.JsonArray([.. events]).ToJsonString());

        await using var host = await LocalHostProcess.StartAsync(azurite.ConnectionString, new Dictionary<string, string>
        {
            ["LocalHost__FunctionKey"] = FunctionKey,
            ["Sources__HubSpot__ClientSecret"] = HubSpotSecret,
            ["Sources__HubSpot__AccessToken"] = "pat-test",
            ["Sources__HubSpot__BaseUrl"] = server.Url!,
        });
        using (var response = await host.Client.SendAsync(SignedRequests.HubSpot(new Uri(host.BaseAddress, "/api/webhooks/hubspot"), body, HubSpotSecret)))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        var lookup = await LocalHostProcess.EventuallyAsync(
            () => host.Client.GetAsync(new Uri(host.BaseAddress, $"/api/customers?identity={Uri.EscapeDataString("email:" + email)}&code={FunctionKey}")),
            r => r.StatusCode == HttpStatusCode.OK);
        Assert.True(lookup.StatusCode == HttpStatusCode.OK, host.Output);
        var customerId = (await lookup.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("customerId").GetString();
        var timeline = await LocalHostProcess.EventuallyAsync(
            () => host.Client.GetFromJsonAsync<JsonElement>($"/api/customers/{customerId}/timeline?code={FunctionKey}"),
            t => t.GetProperty("items").GetArrayLength() >= 3);
        var actions = timeline.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("action").GetString()!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["call.logged", "meeting.completed", "survey.answered"], actions);
        var journey = await LocalHostProcess.EventuallyAsync(
            () => host.Client.GetFromJsonAsync<JsonElement>($"/api/customers/{customerId}/journey?code={FunctionKey}"),
            j => j.GetProperty("touchpointCount").GetInt32() == 3);
        Assert.Equal(9, journey.GetProperty("latestNps").GetProperty("score").GetDouble());
    }

    private void Serve(string path, string body, string? scenario = null, string? state = null)
    {
        var request = server.Given(Request.Create().WithPath(path).UsingGet());
        var builder = scenario is null ? request : request.InScenario(scenario).WhenStateIs(state!);
        builder.RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(body));
    }

    private static Touchpoint Pending(int index)
    {
        var raw = new RawPayload("hubspot", "hubspot/blob", Fixture.Bytes("hubspot/hubspot-webhook-generic-objects.json"), DateTimeOffset.UtcNow, "c", new Dictionary<string, string>());
        return new HubSpotAdapter().Normalize(raw).Touchpoints[index];
    }

    private Task<IReadOnlyList<Touchpoint>> EnrichAsync(params Touchpoint[] touchpoints) => EnrichAsync("pat-test", touchpoints);

    private Task<IReadOnlyList<Touchpoint>> EnrichAsync(string? token, params Touchpoint[] touchpoints) =>
        VendorEnricher.EnrichAsync(SourceId.HubSpot, "HubSpot", server.Url!, token, touchpoints);
}
