using JourneyHub.Core.Identities;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources.HubSpot;
using JourneyHub.IntegrationTests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace JourneyHub.IntegrationTests.Enrichment;

/// <summary>The HubSpot Refit client through the real DI and resilience pipeline, against a real local HTTP server.</summary>
public sealed class HubSpotEnrichmentTests : IDisposable
{
    private const string ContactPath = "/crm/v3/objects/contacts/81273645012";
    private readonly WireMockServer server = WireMockServer.Start();

    public void Dispose() => server.Stop();

    [Fact]
    public async Task A_contact_event_gains_email_phone_name_and_lifecycle_stage()
    {
        server.Given(Request.Create().WithPath(ContactPath).UsingGet().WithHeader("Authorization", "Bearer pat-test"))
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Fixture.Text("hubspot/hubspot-crm-contact-get.json")));

        var enriched = Assert.Single(await EnrichAsync(ContactCreated()));

        Assert.Contains(new Identity("email", "maria.lindqvist@example.com"), enriched.Identities);
        Assert.Contains(new Identity("phone", "+46701234567"), enriched.Identities);
        Assert.Equal("Maria", enriched.Attributes["firstname"]);
        Assert.Equal(JourneyStage.Consideration, enriched.Stage);
        var request = Assert.Single(server.LogEntries).RequestMessage;
        Assert.Contains("email", request.Query!["properties"].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_429_with_retry_after_is_waited_out_and_then_succeeds()
    {
        server.Given(Request.Create().WithPath(ContactPath).UsingGet()).InScenario("throttled").WillSetStateTo("open")
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "1").WithHeader("Content-Type", "application/json").WithBody(Fixture.Text("hubspot/hubspot-error-429.json")));
        server.Given(Request.Create().WithPath(ContactPath).UsingGet()).InScenario("throttled").WhenStateIs("open")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Fixture.Text("hubspot/hubspot-crm-contact-get.json")));

        var enriched = Assert.Single(await EnrichAsync(ContactCreated()));

        Assert.Contains(new Identity("email", "maria.lindqvist@example.com"), enriched.Identities);
        var calls = server.LogEntries.OrderBy(e => e.RequestMessage.DateTime).ToList();
        Assert.Equal(2, calls.Count);
        Assert.True(calls[1].RequestMessage.DateTime - calls[0].RequestMessage.DateTime >= TimeSpan.FromSeconds(0.9), "the retry came before Retry-After allowed it");
    }

    [Fact]
    public async Task A_500_is_retried()
    {
        server.Given(Request.Create().WithPath(ContactPath).UsingGet()).InScenario("flaky").WillSetStateTo("healed")
            .RespondWith(Response.Create().WithStatusCode(500));
        server.Given(Request.Create().WithPath(ContactPath).UsingGet()).InScenario("flaky").WhenStateIs("healed")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Fixture.Text("hubspot/hubspot-crm-contact-get.json")));

        var enriched = Assert.Single(await EnrichAsync(ContactCreated()));

        Assert.Contains(new Identity("email", "maria.lindqvist@example.com"), enriched.Identities);
        Assert.True(server.LogEntries.Count >= 2, "the 500 was not retried");
        Assert.Equal(500, server.LogEntries.OrderBy(e => e.RequestMessage.DateTime).First().ResponseMessage.StatusCode);
    }

    [Fact]
    public async Task A_response_slower_than_the_attempt_timeout_is_abandoned_and_retried()
    {
        var calls = 0;
        var contact = Fixture.Text("hubspot/hubspot-crm-contact-get.json");
        server.Given(Request.Create().WithPath(ContactPath).UsingGet())
            .RespondWith(Response.Create().WithCallback(_ =>
            {
                if (Interlocked.Increment(ref calls) == 1)
                {
                    // Only the first attempt hangs; WireMock's scenario state would change only after the delay.
                    Thread.Sleep(TimeSpan.FromSeconds(5));
                }

                return new WireMock.ResponseMessage
                {
                    StatusCode = 200,
                    Headers = new Dictionary<string, WireMock.Types.WireMockList<string>> { ["Content-Type"] = new("application/json") },
                    BodyData = new WireMock.Util.BodyData { BodyAsString = contact, DetectedBodyType = WireMock.Types.BodyType.String },
                };
            }));

        var enriched = Assert.Single(await EnrichAsync(ContactCreated(), attemptTimeout: "00:00:00.500"));

        Assert.Contains(new Identity("email", "maria.lindqvist@example.com"), enriched.Identities);
        Assert.True(calls >= 2, "the slow attempt was not retried");
    }

    [Fact]
    public async Task A_deleted_contact_404_keeps_the_payload_identities_without_failing()
    {
        server.Given(Request.Create().WithPath(ContactPath).UsingGet()).RespondWith(Response.Create().WithStatusCode(404).WithBody("""{"status":"error","message":"resource not found"}"""));

        var touchpoint = ContactCreated();
        var enriched = Assert.Single(await EnrichAsync(touchpoint));

        Assert.Equal(touchpoint.Identities, enriched.Identities);
        Assert.Single(server.LogEntries);
    }

    [Fact]
    public async Task A_server_that_stays_down_fails_the_attempt_so_the_queue_retries_it()
    {
        server.Given(Request.Create().WithPath(ContactPath).UsingGet()).RespondWith(Response.Create().WithStatusCode(503));

        await Assert.ThrowsAnyAsync<Exception>(() => EnrichAsync(ContactCreated()));
        Assert.Equal(3, server.LogEntries.Count);
    }

    [Fact]
    public async Task Without_an_access_token_no_request_is_made()
    {
        var touchpoint = ContactCreated();
        var enriched = Assert.Single(await EnrichAsync(touchpoint, token: null));

        Assert.Same(touchpoint, enriched);
        Assert.Empty(server.LogEntries);
    }

    private Task<IReadOnlyList<Touchpoint>> EnrichAsync(Touchpoint touchpoint, string? token = "pat-test", string attemptTimeout = "00:00:10") =>
        VendorEnricher.EnrichAsync(SourceId.HubSpot, "HubSpot", server.Url!, token, [touchpoint], new Dictionary<string, string?> { ["Http:Resilience:AttemptTimeout:Timeout"] = attemptTimeout });

    /// <summary>A contact.created event as the webhook adapter makes it: only the HubSpot id, enrichment adds the rest.</summary>
    internal static Touchpoint ContactCreated() => new()
    {
        TouchpointId = TouchpointIds.For("hubspot", "1-81273645012"),
        Source = "hubspot",
        SourceEventId = "1-81273645012",
        OccurredAt = DateTimeOffset.UtcNow,
        Channel = Channel.Crm,
        Kind = TouchpointKind.Direct,
        Stage = JourneyStage.Awareness,
        Action = "contact.created",
        Summary = "Contact created in HubSpot",
        Identities = [new Identity(IdentityTypes.HubSpot, "81273645012")],
    };
}
