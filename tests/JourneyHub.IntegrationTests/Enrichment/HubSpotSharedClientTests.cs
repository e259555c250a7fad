using JourneyHub.Azure.Configuration;
using JourneyHub.Azure.HubSpot;
using JourneyHub.Azure.Pull;
using JourneyHub.Core.Sources;
using JourneyHub.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Refit;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace JourneyHub.IntegrationTests.Enrichment;

/// <summary>Enrichment and the HubSpot pull call HubSpot through one client: one token, one base URL, one rate-limit gate.</summary>
public sealed class HubSpotSharedClientTests : IDisposable
{
    private const string ContactPath = "/crm/v3/objects/contacts/81273645012";
    private const string SearchPath = "/crm/v3/objects/contacts/search";
    private readonly WireMockServer server = WireMockServer.Start();

    public void Dispose() => server.Stop();

    [Fact]
    public void The_enricher_the_object_reader_and_the_pull_connector_are_built_on_the_one_HubSpot_client()
    {
        var builder = HubHostBuilder.Create(Settings());
        builder.AddJourneyHubAzure();
        using var provider = builder.Services.BuildServiceProvider();
        var registry = provider.GetRequiredService<SourceRegistry>();

        Type[] users = [registry.Enricher(SourceId.HubSpot)!.GetType(), typeof(HubSpotObjectReader), registry.PullConnector(SourceId.HubSpot.Name)!.GetType()];
        Assert.All(users, user => Assert.Contains(typeof(IHubSpotApi), Assert.Single(user.GetConstructors()).GetParameters().Select(p => p.ParameterType)));
        var refitClients = builder.Services.Select(d => d.ServiceType).Where(IsRefitClient).Distinct().ToList();
        Assert.Equal([typeof(IHubSpotApi)], refitClients.Where(t => t.Name.Contains("HubSpot", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_rate_limit_HubSpot_announces_to_a_pull_holds_enrichment_back()
    {
        // A search page that spends the last request of HubSpot's window (a minute): the gate closes for every caller.
        server.Given(Request.Create().WithPath(SearchPath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithHeader("X-HubSpot-RateLimit-Remaining", "0").WithHeader("X-HubSpot-RateLimit-Interval-Milliseconds", "60000")
                .WithBody("""{"total":0,"results":[]}"""));
        server.Given(Request.Create().WithPath(ContactPath).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Fixture.Text("hubspot/hubspot-crm-contact-get.json")));
        var builder = HubHostBuilder.Create(Settings());
        builder.AddJourneyHubAzure();
        await using var provider = builder.Services.BuildServiceProvider();
        var registry = provider.GetRequiredService<SourceRegistry>();
        var connector = registry.PullConnector(SourceId.HubSpot.Name)!;
        var now = DateTimeOffset.UtcNow;

        var page = await connector.FetchAsync(connector.Start(now.AddDays(-1), now, now), CancellationToken.None);
        // Refit wraps what the handlers throw before an answer; the gate's refusal is inside.
        var refused = await Assert.ThrowsAsync<ApiRequestException>(() => registry.Enricher(SourceId.HubSpot)!.EnrichAsync([HubSpotEnrichmentTests.ContactCreated()], CancellationToken.None));

        Assert.Equal(0, page.Items);
        Assert.Contains("hubspot", Assert.IsType<PullThrottledException>(refused.InnerException).Message, StringComparison.Ordinal);
        var search = Assert.Single(server.LogEntries).RequestMessage;
        Assert.Equal(SearchPath, search.AbsolutePath);
        Assert.Equal("Bearer pat-shared", search.Headers!["Authorization"].ToString());
    }

    private Dictionary<string, string?> Settings() => new()
    {
        ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
        ["Sources:HubSpot:BaseUrl"] = server.Url,
        ["Sources:HubSpot:AccessToken"] = "pat-shared",
        ["Http:Resilience:Retry:Delay"] = "00:00:00.010",
        ["Pull:MaxThrottleDelay"] = "00:00:05",
    };

    private static bool IsRefitClient(Type type) =>
        type.IsInterface && type.GetMethods().Any(m => m.GetCustomAttributes(typeof(HttpMethodAttribute), inherit: true).Length > 0);
}
