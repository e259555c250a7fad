using System.Text.Json.Nodes;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Pull;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Sources.Pull;
using JourneyHub.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace JourneyHub.IntegrationTests.Pull;

/// <summary>
/// The persona rule for Salesforce (<c>Journeys__Personas__Fields__salesforce=Persona__c</c>) must work for pulls as it
/// does for Outbound Messages: the contact and lead queries select the field, and the touchpoints carry it. Against a
/// WireMock Salesforce and Azurite.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SalesforcePersonaPullTests(AzuriteFixture azurite)
{
    private const string EmptySoql = """{"totalSize":0,"done":true,"records":[]}""";

    [Fact]
    public async Task Contact_and_lead_queries_select_the_configured_persona_field_and_the_pulled_touchpoints_carry_the_persona()
    {
        await using var h = await PullHarness.StartAsync(azurite, SourceId.Salesforce.Name, new Dictionary<string, string?>
        {
            ["Journeys:Personas:Fields:salesforce"] = "Persona__c",
            ["Journeys:Personas:Names:Researcher"] = "Careful researcher",
        });
        var contacts = new JsonObject
        {
            ["totalSize"] = 2,
            ["done"] = true,
            ["records"] = new JsonArray(Contact("0035g00000PeRs1AAB", "Researcher"), Contact("0035g00000PeRs2AAB", persona: null)),
        };
        h.Api.Given(Query("Contact")).RespondWith(Json(contacts.ToJsonString()));
        h.Api.Given(Request.Create().WithPath("/services/data/v62.0/query").UsingGet().WithParam("q", new WireMock.Matchers.RegexMatcher("FROM (Lead|Opportunity|OpportunityContactRole|Task|Event) ")))
            .RespondWith(Json(EmptySoql));
        h.Api.Given(Request.Create().WithPath("/services/data/v62.0/queryAll").UsingGet()).RespondWith(Json(EmptySoql));

        var run = await h.Runner.RunIncrementalAsync(SourceId.Salesforce.Name, default);

        Assert.True(run?.State == PullRunState.Completed, run?.LastError);
        Assert.Matches(@"^SELECT Id, .*, SystemModstamp, Persona__c FROM Contact WHERE ", Soql(h, "Contact"));
        Assert.Matches(@"^SELECT Id, .*, SystemModstamp, Persona__c FROM Lead WHERE ", Soql(h, "Lead"));
        Assert.DoesNotContain("Persona__c", Soql(h, "Opportunity"), StringComparison.Ordinal);
        Assert.DoesNotContain("Persona__c", Soql(h, "Task"), StringComparison.Ordinal);

        var archived = (await azurite.RawPayloadsAsync(SourceId.SalesforcePull.Name))
            .Where(p => p.Properties.TryGetValue("pullRun", out var r) && r == run!.RunId)
            .ToList();
        var contactPage = archived.Single(p => p.Properties["sObject"] == "Contact");
        Assert.Equal("Persona__c", contactPage.Properties[SalesforcePullAdapter.PersonaFieldProperty]);
        Assert.All(archived.Where(p => p.Properties["sObject"] is "Opportunity" or "OpportunityContactRole" or "Task" or "Event"), p => Assert.False(p.Properties.ContainsKey(SalesforcePullAdapter.PersonaFieldProperty)));
        Assert.DoesNotContain("Persona__c", Assert.Single(h.Api.LogEntries, e => e.RequestMessage.Path == "/services/data/v62.0/queryAll").RequestMessage.Query!["q"].Single(), StringComparison.Ordinal);

        var adapter = h.Services.GetRequiredService<SourceRegistry>().Adapter(SourceId.SalesforcePull)!;
        var touchpoints = adapter.Normalize(new RawPayload(SourceId.SalesforcePull.Name, contactPage.RawRef, contactPage.Body, DateTimeOffset.UtcNow, "c", contactPage.Properties)).Touchpoints;
        var rules = h.Services.GetRequiredService<PersonaRules>();
        var stamped = touchpoints.Select(rules.Stamp).ToDictionary(t => t.Attributes["recordId"], t => t.Attributes.GetValueOrDefault(JourneyState.PersonaAttribute));
        Assert.Equal("Careful researcher", stamped["0035g00000PeRs1AAB"]);
        Assert.Null(stamped["0035g00000PeRs2AAB"]);
    }

    [Fact]
    public async Task A_persona_field_that_is_not_a_field_api_name_is_refused_before_any_query_is_sent()
    {
        await using var h = await PullHarness.StartAsync(azurite, SourceId.Salesforce.Name, new Dictionary<string, string?>
        {
            ["Journeys:Personas:Fields:salesforce"] = "Persona__c FROM User WHERE Id != null",
        });

        var run = await h.Runner.RunIncrementalAsync(SourceId.Salesforce.Name, default);

        Assert.Null(run);
        Assert.Empty(h.Api.LogEntries);
        Assert.Contains(h.Logs.GetSnapshot(), l => l.Message.Contains("Journeys__Personas__Fields__salesforce", StringComparison.Ordinal));
    }

    private static JsonObject Contact(string id, string? persona)
    {
        var contact = new JsonObject
        {
            ["attributes"] = new JsonObject { ["type"] = "Contact", ["url"] = "/services/data/v62.0/sobjects/Contact/" + id },
            ["Id"] = id,
            ["FirstName"] = "Pat",
            ["LastName"] = "Persona",
            ["Email"] = $"{id}@example.com",
            ["CreatedDate"] = "2025-03-14T14:22:01.000+0000",
            ["SystemModstamp"] = "2025-03-14T14:22:01.000+0000",
        };
        contact["Persona__c"] = persona;
        return contact;
    }

    private static string Soql(PullHarness h, string sObject) =>
        h.Api.LogEntries
            .Select(e => e.RequestMessage.Query is { } q && q.TryGetValue("q", out var values) ? values.Single() : null)
            .Single(q => q is not null && q.Contains($" FROM {sObject} ", StringComparison.Ordinal) && !q.Contains("IsDeleted = true", StringComparison.Ordinal))!;

    private static IRequestBuilder Query(string sObject) =>
        Request.Create().WithPath("/services/data/v62.0/query").UsingGet().WithParam("q", new WireMock.Matchers.WildcardMatcher($"*FROM {sObject} *"));

    private static IResponseBuilder Json(string body) =>
        Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(body);
}
