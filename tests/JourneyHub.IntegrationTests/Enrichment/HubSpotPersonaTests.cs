using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Pull;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Sources.Pull;
using JourneyHub.IntegrationTests.Infrastructure;
using JourneyHub.IntegrationTests.Pull;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace JourneyHub.IntegrationTests.Enrichment;

/// <summary>
/// The persona rules read HubSpot's <c>hs_persona</c> (or the field configured for HubSpot): webhook enrichment and the
/// contacts pull must ask HubSpot for it, against a real local HTTP server (WireMock), or no HubSpot customer ever has one.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class HubSpotPersonaTests(AzuriteFixture azurite) : IDisposable
{
    private const string HubSpotSecret = "4b7e1c9a-2d3f-4e8a-9c1b-7f6e5d4c3b2a";
    private const string FunctionKey = "persona-key";
    private readonly WireMockServer server = WireMockServer.Start();

    public void Dispose() => server.Stop();

    [Fact]
    public async Task A_contact_webhook_is_enriched_with_hs_persona_and_the_customer_gets_the_persona_name()
    {
        var contact = HubSpotEvents.NewId();
        var email = $"persona-{contact}@example.com";
        server.Given(Request.Create().WithPath($"/crm/v3/objects/contacts/{contact}").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Contact(contact, email, "persona_1")));

        await using var host = await LocalHostProcess.StartAsync(azurite.ConnectionString, new Dictionary<string, string>
        {
            ["LocalHost__FunctionKey"] = FunctionKey,
            ["Sources__HubSpot__ClientSecret"] = HubSpotSecret,
            ["Sources__HubSpot__AccessToken"] = "pat-test",
            ["Sources__HubSpot__BaseUrl"] = server.Url!,
            ["Journeys__Personas__Names__persona_1"] = "Bargain hunter",
        });
        var body = HubSpotEvents.Batch(HubSpotEvents.ContactCreated(contact, DateTimeOffset.UtcNow.AddMinutes(-5)));
        using (var response = await host.Client.SendAsync(SignedRequests.HubSpot(new Uri(host.BaseAddress, "/api/webhooks/hubspot"), body, HubSpotSecret)))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        var lookup = await LocalHostProcess.EventuallyAsync(
            () => host.Client.GetAsync(new Uri(host.BaseAddress, $"/api/customers?identity={Uri.EscapeDataString("email:" + email)}&code={FunctionKey}")),
            r => r.StatusCode == HttpStatusCode.OK);
        Assert.True(lookup.StatusCode == HttpStatusCode.OK, host.Output);
        var customerId = (await lookup.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("customerId").GetString();
        var journey = await LocalHostProcess.EventuallyAsync(
            () => host.Client.GetFromJsonAsync<JsonElement>($"/api/customers/{customerId}/journey?code={FunctionKey}"),
            j => j.GetProperty("touchpointCount").GetInt32() == 1);
        Assert.Equal("Bargain hunter", journey.GetProperty("persona").GetString());

        var item = (await host.Client.GetFromJsonAsync<JsonElement>($"/api/customers/{customerId}/timeline?code={FunctionKey}")).GetProperty("items")[0];
        Assert.Equal(("persona_1", "Bargain hunter"), (item.GetProperty("attributes").GetProperty("hs_persona").GetString(), item.GetProperty("attributes").GetProperty("persona").GetString()));
        var read = Assert.Single(server.LogEntries).RequestMessage;
        Assert.Contains("hs_persona", read.Query!["properties"].ToString().Split(','));
    }

    [Fact]
    public async Task The_contacts_pull_asks_for_the_configured_persona_field_and_its_pages_carry_the_persona()
    {
        await using var h = await PullHarness.StartAsync(azurite, SourceId.HubSpot.Name, new Dictionary<string, string?>
        {
            ["Journeys:Personas:Fields:hubspot"] = "buyer_type",
        });
        var contact = HubSpotEvents.NewId();
        var page = new JsonObject
        {
            ["total"] = 1,
            ["results"] = new JsonArray(JsonNode.Parse(Contact(contact, $"pulled-{contact}@example.com", "persona_1", "buyer_type"))),
        };
        h.Api.Given(Request.Create().WithPath("/crm/v3/objects/contacts/search").UsingPost()).RespondWith(Json(page.ToJsonString()));
        h.Api.Given(Request.Create().WithPath(new WireMock.Matchers.RegexMatcher("^/crm/v3/objects/(emails|calls|meetings|feedback_submissions)/search$")).UsingPost())
            .RespondWith(Json("""{"total":0,"results":[]}"""));

        var run = await h.Runner.RunIncrementalAsync(SourceId.HubSpot.Name, default);

        Assert.True(run?.State == PullRunState.Completed, run?.LastError);
        var search = h.Api.LogEntries.Single(e => e.RequestMessage.AbsolutePath == "/crm/v3/objects/contacts/search").RequestMessage;
        var requested = JsonNode.Parse(search.Body!)!["properties"]!.AsArray().Select(p => p!.GetValue<string>()).ToList();
        Assert.Contains("buyer_type", requested);
        Assert.Contains("lifecyclestage", requested);

        var archived = (await azurite.RawPayloadsAsync(SourceId.HubSpotPull.Name)).Single(p => p.Properties.TryGetValue("pullRun", out var r) && r == run!.RunId);
        Assert.Equal("buyer_type", archived.Properties[HubSpotPullAdapter.PersonaFieldProperty]);
        var adapter = h.Services.GetRequiredService<SourceRegistry>().Adapter(SourceId.HubSpotPull)!;
        var touchpoints = adapter.Normalize(new RawPayload(SourceId.HubSpotPull.Name, archived.RawRef, archived.Body, DateTimeOffset.UtcNow, "c", archived.Properties)).Touchpoints;
        Assert.Equal(2, touchpoints.Count); // contact created and its lifecycle stage
        var rules = h.Services.GetRequiredService<PersonaRules>();
        Assert.All(touchpoints, t => Assert.Equal("persona_1", rules.Stamp(t).Attributes[JourneyState.PersonaAttribute]));
    }

    /// <summary>A contact as HubSpot's CRM v3 answers it, with the persona in <paramref name="field"/>.</summary>
    private static string Contact(long id, string email, string persona, string field = "hs_persona")
    {
        var contact = JsonNode.Parse(Fixture.Text("hubspot/hubspot-crm-contact-get.json"))!.AsObject();
        contact.Remove("_request");
        contact.Remove("_requestHeaders");
        contact["id"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var properties = contact["properties"]!.AsObject();
        properties["hs_object_id"] = contact["id"]!.GetValue<string>();
        properties["email"] = email;
        properties.Remove("phone"); // the fixture's phone would link this contact to other tests' customers on the shared Azurite
        properties[field] = persona;
        return contact.ToJsonString();
    }

    private static IResponseBuilder Json(string body) =>
        Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(body);
}
