using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using JourneyHub.IntegrationTests.Infrastructure;

namespace JourneyHub.IntegrationTests.HubSpot;

/// <summary>
/// A deal shared by two HubSpot contacts (issue 12, "objects are not people"), signed as HubSpot signs, through the local
/// host over HTTP on a real Azurite: the contacts stay two customers and the deal's touchpoints reach each of them.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SharedDealEndToEndTests(AzuriteFixture azurite) : LocalHostTests(azurite)
{
    private const string Secret = "5b2e9c1a-7d3f-4e8a-b6c0-2f9d1e7a3c58";
    private static readonly DateTimeOffset Start = new(2025, 6, 2, 8, 0, 0, TimeSpan.Zero);

    private Uri WebhookUrl => new(Host.BaseAddress, "/api/webhooks/hubspot");

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Sources__HubSpot__ClientSecret"] = Secret,
    };

    [Fact]
    public async Task Two_contacts_with_their_own_emails_on_one_deal_stay_two_customers_and_the_won_deal_shows_on_both_timelines()
    {
        var (alice, bob, deal) = (HubSpotEvents.NewId(), HubSpotEvents.NewId(), HubSpotEvents.NewId());

        // The deal is won before HubSpot tells the hub who is on it: the event waits by deal id.
        await SendAsync(HubSpotDealEvents.DealCreated(deal, Start), HubSpotDealEvents.DealStage(deal, "closedwon", Start.AddMinutes(5)));
        await SendAsync(
            HubSpotEvents.PropertyChange(alice, "email", $"alice-{alice}@example.com", Start.AddMinutes(1)),
            HubSpotEvents.PropertyChange(bob, "email", $"bob-{bob}@example.com", Start.AddMinutes(2)),
            HubSpotDealEvents.ContactToDeal(alice, deal, Start.AddMinutes(3)),
            HubSpotDealEvents.ContactToDeal(bob, deal, Start.AddMinutes(4)));

        var aliceTimeline = await Api.TimelineWhenAsync($"hubspot:{alice}", HasDealWon);
        var bobTimeline = await Api.TimelineWhenAsync($"hubspot:{bob}", HasDealWon);

        var aliceId = aliceTimeline.GetProperty("customerId").GetString();
        var bobId = bobTimeline.GetProperty("customerId").GetString();
        Assert.NotEqual(aliceId, bobId);
        Assert.Equal(aliceId, await Api.CustomerIdAsync($"email:alice-{alice}@example.com"));
        Assert.Equal(bobId, await Api.CustomerIdAsync($"email:bob-{bob}@example.com"));
        Assert.DoesNotContain((await Api.CustomerAsync($"hubspot:{alice}")).GetProperty("identities").EnumerateArray(), i => i.GetProperty("type").GetString() is "email" && i.GetProperty("value").GetString()!.StartsWith("bob-", StringComparison.Ordinal));

        foreach (var timeline in new[] { aliceTimeline, bobTimeline })
        {
            var won = timeline.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("action").GetString() == "deal.won");
            Assert.Equal("decision", won.GetProperty("stage").GetString());
            Assert.Equal(timeline.GetProperty("customerId").GetString(), won.GetProperty("customerId").GetString());
            Assert.Single(timeline.GetProperty("items").EnumerateArray(), i => i.GetProperty("action").GetString() == "deal.created");
        }

        // A deal is not a person: nobody is found by it.
        using var byDeal = await Host.Client.GetAsync(new Uri($"/api/customers?identity=hubspot-deal:{deal}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, byDeal.StatusCode);

        // Bob leaves the deal: its later events reach Alice only.
        await SendAsync(HubSpotDealEvents.ContactToDeal(bob, deal, Start.AddMinutes(6), removed: true));
        await Api.TimelineWhenAsync($"hubspot:{bob}", t => HubReadApi.Actions(t).Contains("association.removed"));
        await SendAsync(HubSpotDealEvents.DealStage(deal, "closedlost", Start.AddMinutes(7)));

        await Api.TimelineWhenAsync($"hubspot:{alice}", t => HubReadApi.Actions(t).Contains("deal.lost"));
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.DoesNotContain("deal.lost", HubReadApi.Actions(await Api.TimelineWhenAsync($"hubspot:{bob}", _ => true)));
    }

    private static bool HasDealWon(JsonElement timeline) => HubReadApi.Actions(timeline).Contains("deal.won");

    private async Task SendAsync(params Dictionary<string, object?>[] events)
    {
        using var response = await Host.Client.SendAsync(SignedRequests.HubSpot(WebhookUrl, HubSpotEvents.Batch(events), Secret));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }
}
