using System.Text.Json;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;
using static JourneyHub.UnitTests.Customers.JourneyStateTests;

namespace JourneyHub.UnitTests.Journey;

public sealed class JourneyPlacementTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 6, 9, 0, 0, TimeSpan.Zero);

    /// <summary>The loyalty member from the issue: she buys every two weeks and browses in between.</summary>
    private static List<Touchpoint> LoyaltyMember()
    {
        var touchpoints = new List<Touchpoint>
        {
            Tp("n1", 0, Channel.Email, null, "newsletter.opened"),
            Tp("v1", 1, Channel.Web, JourneyStage.Consideration, "product.viewed"),
        };
        for (var week = 0; week < 20; week += 2)
        {
            touchpoints.Add(Tp("p" + week, 3 + (week * 7), Channel.InStore, JourneyStage.Decision, "purchase.completed"));
            touchpoints.Add(Tp("s" + week, 5 + (week * 7), Channel.InStore, null, "store.visited"));
            touchpoints.Add(Tp("w" + week, 6 + (week * 7), Channel.Web, JourneyStage.Consideration, "page.viewed"));
        }

        return touchpoints;
    }

    [Fact]
    public void After_the_first_purchase_browsing_is_retention_and_the_customer_is_in_retention()
    {
        var state = LoyaltyMember().Aggregate(new JourneyState(), (s, t) => s.Apply(t));
        var placement = state.Placement();

        Assert.Equal(JourneyStage.Consideration, state.CurrentStage); // what her latest staged event says
        Assert.Equal(JourneyStage.Retention, placement.Current); // where she is in her journey
        Assert.Equal(JourneyStage.Awareness, placement.StageAt(Start)); // a newsletter before anything else
        Assert.Equal(JourneyStage.Consideration, placement.StageAt(Start.AddDays(2)));
        Assert.Equal(JourneyStage.Decision, placement.StageAt(Start.AddDays(3)));
        Assert.Equal(JourneyStage.Retention, placement.StageAt(Start.AddDays(5)));
        Assert.Equal(JourneyStage.Retention, placement.StageAt(Start.AddDays(3 + 14))); // a repeat purchase
        Assert.Equal(
            new Dictionary<JourneyStage, int> { [JourneyStage.Awareness] = 1, [JourneyStage.Consideration] = 1, [JourneyStage.Decision] = 1, [JourneyStage.Retention] = 29 },
            placement.Stages.ToDictionary(s => s.Key, s => s.Value.Count));
    }

    [Fact]
    public void A_late_purchase_moves_the_boundary_and_the_stages_follow()
    {
        var touchpoints = LoyaltyMember();
        var early = Tp("early", 2, Channel.Web, JourneyStage.Decision, "purchase.completed");
        var without = touchpoints.Aggregate(new JourneyState(), (s, t) => s.Apply(t));
        var with = without.Apply(early);

        Assert.Equal(JourneyStage.Consideration, without.Placement().StageAt(Start.AddDays(2.5)));
        Assert.Equal(JourneyStage.Retention, with.Placement().StageAt(Start.AddDays(2.5)));
        Assert.Equal(Start.AddDays(2), with.Placement().Stages[JourneyStage.Decision].First);
    }

    [Fact]
    public void A_new_deal_after_a_purchase_opens_a_cycle_until_the_next_decision()
    {
        var touchpoints = new List<Touchpoint>
        {
            Tp("a", 0, Channel.Web, JourneyStage.Awareness, "page.viewed"),
            Tp("buy1", 5, Channel.Web, JourneyStage.Decision, "purchase.completed"),
            Tp("after", 6, Channel.Email, null, "newsletter.opened"),
            Tp("deal", 10, Channel.Crm, JourneyStage.Consideration, "deal.created") with { Source = "hubspot" },
            Tp("demo", 11, Channel.Meeting, null, "meeting.held"),
            Tp("won", 12, Channel.Crm, JourneyStage.Decision, "deal.won"),
            Tp("later", 13, Channel.Email, null, "newsletter.opened"),
        };
        var placement = touchpoints.Aggregate(new JourneyState(), (s, t) => s.Apply(t)).Placement();

        Assert.Equal(
            [JourneyStage.Awareness, JourneyStage.Decision, JourneyStage.Retention, JourneyStage.Consideration, JourneyStage.Consideration, JourneyStage.Decision, JourneyStage.Retention],
            touchpoints.Select(t => placement.StageAt(t.OccurredAt)).ToArray());
        Assert.True(JourneyRules.OpensCycle("hubspot", "deal.created"));
        Assert.True(JourneyRules.OpensCycle("custom:crm", "opportunity.created"));
        Assert.False(JourneyRules.OpensCycle("hubspot", "deal.won"));
    }

    [Fact]
    public void Placement_and_persona_do_not_depend_on_arrival_order_and_survive_a_merge()
    {
        var touchpoints = LoyaltyMember();
        touchpoints.Add(Tp("deal", 40.5, Channel.Crm, JourneyStage.Consideration, "deal.created"));
        touchpoints.Add(Tp("persona1", 1, Channel.Web, null, "profile.updated", attributes: new() { ["persona"] = "Researcher" }));
        touchpoints.Add(Tp("persona2", 30, Channel.Web, null, "profile.updated", attributes: new() { ["persona"] = "Loyal regular" }));
        var expected = Facts(touchpoints.Aggregate(new JourneyState(), (s, t) => s.Apply(t)));
        var random = new Random(11);
        for (var round = 0; round < 30; round++)
        {
            var shuffled = touchpoints.OrderBy(_ => random.Next()).ToList();
            Assert.Equal(expected, Facts(shuffled.Aggregate(new JourneyState(), (s, t) => s.Apply(t))));
            var split = random.Next(0, shuffled.Count + 1);
            var left = shuffled.Take(split).Aggregate(new JourneyState(), (s, t) => s.Apply(t));
            var right = shuffled.Skip(split).Aggregate(new JourneyState(), (s, t) => s.Apply(t));
            Assert.Equal(expected, Facts(left.Combine(right)));
        }

        var state = touchpoints.Aggregate(new JourneyState(), (s, t) => s.Apply(t));
        Assert.Equal("Loyal regular", state.Persona!.Value);
        Assert.Equal("Loyal regular", JourneySummary.From(new CustomerRecord { CustomerId = "cus_x", CreatedAt = Start, Journey = state }, Start.AddDays(200)).Persona);
    }

    [Fact]
    public void Touches_beyond_the_window_are_folded_into_their_stage_and_keep_counting()
    {
        var many = Enumerable.Range(0, JourneyState.MaxTouches + 50)
            .Select(i => Tp("t" + i, i * 0.1, Channel.Web, i == 20 ? JourneyStage.Decision : null, i == 20 ? "purchase.completed" : "page.viewed", sentiment: i % 2 == 0 ? 0.5 : null))
            .ToList();
        var state = many.Aggregate(new JourneyState(), (s, t) => s.Apply(t));

        Assert.Equal(JourneyState.MaxTouches, state.Touches.Count);
        Assert.Equal(50, state.FoldedTouches.Values.Sum(f => f.Count));
        var stages = state.Placement().Stages;
        Assert.Equal((20, 1, JourneyState.MaxTouches + 29), (stages[JourneyStage.Awareness].Count, stages[JourneyStage.Decision].Count, stages[JourneyStage.Retention].Count));
        Assert.Equal((JourneyState.MaxTouches + 50) / 2, stages.Values.Sum(f => f.SentimentCount));
        Assert.Equal(Start, stages[JourneyStage.Awareness].First);

        // The summary row stays far below a table property's 64 KiB (32 K UTF-16 characters).
        Assert.InRange(JsonSerializer.Serialize(state, JourneyJson.Options).Length, 1, 24_000);
    }

    [Fact]
    public void A_touch_fact_round_trips_through_its_compact_text()
    {
        var fact = TouchFact.From(Tp("f", 1.25, Channel.InStore, JourneyStage.Decision, "order|paid%", sentiment: -0.45, survey: new SurveyAnswer(SurveyType.Csat, 4.5, null)) with { Source = "custom:pos|1" });
        var text = JsonSerializer.Serialize(fact, JourneyJson.Options);
        Assert.Equal(fact, JsonSerializer.Deserialize<TouchFact>(text, JourneyJson.Options));
        Assert.Equal(-450, fact.SentimentMilli);
    }

    [Fact]
    public void Persona_rules_stamp_the_persona_from_the_configured_source_field()
    {
        var options = new PersonaOptions { Names = { ["persona_1"] = "Bargain hunter" } };
        options.Fields["salesforce"] = "Persona__c";
        var rules = new PersonaRules(new StaticOptions<PersonaOptions>(options));
        var hubspot = Tp("h", 0, Channel.Crm, null, "contact.created", attributes: new() { ["hs_persona"] = "persona_1" }) with { Source = "hubspot" };
        var salesforce = Tp("s", 0, Channel.Crm, null, "contact.created", attributes: new() { ["Persona__c"] = "Researcher" }) with { Source = "salesforce" };
        var custom = Tp("c", 0, Channel.Web, null, "profile.updated", attributes: new() { ["persona"] = "Set directly", ["hs_persona"] = "persona_1" });
        var other = Tp("o", 0, Channel.Web, null, "page.viewed", attributes: new() { ["Persona__c"] = "ignored" });

        Assert.Equal("Bargain hunter", rules.Stamp(hubspot).Attributes["persona"]);
        Assert.Equal("Researcher", rules.Stamp(salesforce).Attributes["persona"]);
        Assert.Equal("Set directly", rules.Stamp(custom).Attributes["persona"]);
        Assert.False(rules.Stamp(other).Attributes.ContainsKey("persona"));
    }

    private static string Facts(JourneyState state)
    {
        var placement = state.Placement();
        return JsonSerializer.Serialize(new { placement.Current, Stages = placement.Stages.OrderBy(s => s.Key).ToList(), state.Persona, state.FirstTouch }, JourneyJson.Options);
    }

    private sealed class StaticOptions<T>(T value) : Microsoft.Extensions.Options.IOptionsMonitor<T>
    {
        public T CurrentValue => value;

        public T Get(string? name) => value;

        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }
}
