using JourneyHub.Core.Journey;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Timeline;
using JourneyHub.IntegrationTests.Infrastructure;

namespace JourneyHub.IntegrationTests.Customers;

/// <summary>
/// The funnel and the timeline use the journey stage a customer was in (JourneyPlacement), through the real timeline,
/// summary and analytics stores on Azurite: stage-less touchpoints count for the stage the customer was in, and a
/// purchase that arrives late moves the boundary and every figure with it.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class JourneyPlacementReadTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task The_funnel_counts_stage_less_touchpoints_where_the_customer_was_and_a_late_purchase_moves_the_figures()
    {
        var world = new CustomerWorld(azurite);
        // A window of its own: 1981–1989, apart from FunnelTests' 2001–2009, whose unfiltered funnel would count this population.
        var from = new DateTimeOffset(1981, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(Random.Shared.Next(0, 3000));
        var to = from.AddDays(30);
        var source = "custom:" + CustomerWorld.Unique("placed");
        DateTimeOffset Day(int n) => from.AddDays(n);

        // A: aware, browses (no stage), buys, then opens a newsletter (no stage): retention without any retention event.
        // B: only a newsletter: awareness. C: aware, considers, two store visits; its purchase (day 3) arrives last.
        var (a, b, c) = (Email("a"), Email("b"), Email("c"));
        var events = new List<Touchpoint>
        {
            Event(source, a, Day(1), JourneyStage.Awareness, "ad.clicked"),
            Event(source, a, Day(3), null, "page.viewed"),
            Event(source, a, Day(5), JourneyStage.Decision, "purchase.completed"),
            Event(source, a, Day(8), null, "newsletter.opened"),
            Event(source, b, Day(2), null, "newsletter.opened"),
            Event(source, c, Day(1), JourneyStage.Awareness, "ad.clicked"),
            Event(source, c, Day(2), JourneyStage.Consideration, "pricing.viewed"),
            Event(source, c, Day(4), null, "store.visited"),
            Event(source, c, Day(6), null, "store.visited"),
        };
        foreach (var touchpoint in events.OrderBy(_ => Random.Shared.Next()))
        {
            Assert.NotNull(await world.IngestAsync(touchpoint));
        }

        var before = await world.Analytics.FunnelAsync(new FunnelQuery(from, to, source), CancellationToken.None);
        Assert.Equal([3, 1, 1, 1], before.Stages.Select(s => s.Reached).ToArray());
        Assert.Equal((3, 1, 1.0), Step(before, 0));
        Assert.Equal((1, 0, (double?)null), Step(before, 1));
        Assert.Equal((1, 1, 3.0), Step(before, 2));

        await world.IngestAsync(Event(source, c, Day(3), JourneyStage.Decision, "purchase.completed"));

        // C's store visits after its purchase are retention now (first on day 4); its consideration converts in 1 day.
        var after = await world.Analytics.FunnelAsync(new FunnelQuery(from, to, source), CancellationToken.None);
        Assert.Equal([3, 1, 2, 2], after.Stages.Select(s => s.Reached).ToArray());
        Assert.Equal((3, 1, 1.0), Step(after, 0));
        Assert.Equal((1, 1, 1.0), Step(after, 1));
        Assert.Equal((2, 2, 2.0), Step(after, 2)); // median of 3 days (A) and 1 day (C)
    }

    [Fact]
    public async Task The_timeline_says_which_journey_stage_each_touchpoint_was_in_and_a_late_purchase_moves_it()
    {
        var world = new CustomerWorld(azurite);
        var start = new DateTimeOffset(2024, 5, 1, 9, 0, 0, TimeSpan.Zero);
        var source = "custom:" + CustomerWorld.Unique("timeline");
        var email = Email("t");
        var news = Event(source, email, start, null, "newsletter.opened");
        var pricing = Event(source, email, start.AddDays(2), JourneyStage.Consideration, "pricing.viewed");
        var visit = Event(source, email, start.AddDays(6), null, "store.visited");
        var customerId = "";
        foreach (var touchpoint in new[] { visit, news, pricing })
        {
            customerId = await world.IngestAsync(touchpoint) ?? throw new InvalidOperationException("not assigned");
        }

        var page = await world.Reader.TimelineAsync(customerId, new TimelineQuery { Limit = 50 }, CancellationToken.None);
        Assert.Equal(
            new Dictionary<string, JourneyStage>
            {
                [news.TouchpointId] = JourneyStage.Awareness,
                [pricing.TouchpointId] = JourneyStage.Consideration,
                [visit.TouchpointId] = JourneyStage.Consideration,
            },
            page!.JourneyStages);
        Assert.Null(page.Items.Single(t => t.TouchpointId == visit.TouchpointId).ToTouchpoint().Stage); // the item itself is unchanged

        var purchase = Event(source, email, start.AddDays(4), JourneyStage.Decision, "purchase.completed");
        await world.IngestAsync(purchase);
        page = await world.Reader.TimelineAsync(customerId, new TimelineQuery { Limit = 50 }, CancellationToken.None);
        Assert.Equal(JourneyStage.Retention, page!.JourneyStages[visit.TouchpointId]);
        Assert.Equal(JourneyStage.Decision, page.JourneyStages[purchase.TouchpointId]);
        Assert.Equal(JourneyStage.Awareness, page.JourneyStages[news.TouchpointId]);
        Assert.Equal(page.Items.Select(t => t.TouchpointId).Order(StringComparer.Ordinal), page.JourneyStages.Keys.Order(StringComparer.Ordinal));

        // Only the page's items are placed: a one-item page carries one placement.
        var one = await world.Reader.TimelineAsync(customerId, new TimelineQuery { Limit = 1 }, CancellationToken.None);
        Assert.Equal([visit.TouchpointId], one!.JourneyStages.Keys);
    }

    private static string Email(string who) => $"{CustomerWorld.Unique("placement-" + who)}@example.com";

    private static Touchpoint Event(string source, string email, DateTimeOffset at, JourneyStage? stage, string action) =>
        CustomerWorld.Event(source, at, new Identity("email", email)) with { Stage = stage, Action = action, Channel = Channel.Web };

    private static (int Cohort, int Converted, double? MedianDays) Step(FunnelReport report, int index) =>
        (report.Conversions[index].Cohort, report.Conversions[index].Converted, report.Conversions[index].MedianDays);
}
