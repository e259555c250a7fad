using JourneyHub.Core.Journey;
using JourneyHub.Core.Schema;
using static JourneyHub.UnitTests.Customers.JourneyStateTests;

namespace JourneyHub.UnitTests.Customers;

public sealed class FunnelCalculatorTests
{
    private static readonly DateTimeOffset From = new(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = From.AddDays(30);

    [Fact]
    public void Conversion_counts_the_cohort_and_those_who_moved_on_before_the_window_ends()
    {
        var rows = new List<StageReachedRow>
        {
            Row("a", From.AddDays(1), consideration: From.AddDays(3)),
            Row("b", From.AddDays(2), consideration: From.AddDays(6)),
            Row("c", From.AddDays(3), consideration: To.AddDays(1)), // after the window: not converted
            Row("d", From.AddDays(4)),
            Row("e", From.AddDays(5), consideration: From.AddDays(4)), // earlier than awareness: not a step forward
        };
        var report = FunnelCalculator.Compute(
            new FunnelQuery(From, To, null),
            new Dictionary<JourneyStage, IReadOnlyList<StageReachedRow>> { [JourneyStage.Awareness] = rows },
            []);

        var step = report.Conversions[0];
        Assert.Equal((5, 2, 0.4, 3.0), (step.Cohort, step.Converted, step.Rate!.Value, step.MedianDays!.Value));
        Assert.Equal(5, report.Stages[0].Reached);
        Assert.Null(report.Conversions[1].Rate);
    }

    [Fact]
    public void Nps_is_promoters_minus_detractors_and_csat_the_mean()
    {
        var surveys = new[] { 10.0, 9, 9, 8, 7, 6, 0, 3, 10, 10 }.Select(s => new SurveyRow(SurveyType.Nps, s, From, "x"))
            .Concat(new[] { 5.0, 4, 3 }.Select(s => new SurveyRow(SurveyType.Csat, s, From, "x")))
            .ToList();
        var report = FunnelCalculator.Compute(new FunnelQuery(From, To, null), new Dictionary<JourneyStage, IReadOnlyList<StageReachedRow>>(), surveys);

        Assert.Equal(new NpsFigures(10, 5, 2, 3, 20), report.Nps);
        Assert.Equal(new CsatFigures(3, 4), report.Csat);
    }

    [Fact]
    public void Stage_entries_are_the_journey_stages_the_customer_was_in_not_the_stages_events_name()
    {
        var state = new[]
        {
            At("news", 0, Channel.Email, null, "newsletter.opened"),
            At("view", 2, Channel.Web, JourneyStage.Consideration, "product.viewed"),
            At("buy", 4, Channel.InStore, JourneyStage.Decision, "purchase.completed"),
            At("browse", 6, Channel.Web, JourneyStage.Consideration, "page.viewed"),
        }.Aggregate(new JourneyState(), (s, t) => s.Apply(t));

        var entries = FunnelCalculator.StageEntries(state);

        // A stage-less newsletter first: awareness from the first touch; browsing after the purchase: retention.
        Assert.Equal(
            [(JourneyStage.Awareness, From), (JourneyStage.Consideration, From.AddDays(2)), (JourneyStage.Decision, From.AddDays(4)), (JourneyStage.Retention, From.AddDays(6))],
            entries.OrderBy(e => e.Key).Select(e => (e.Key, e.Value.First)).ToArray());
        Assert.All(entries.Values, e => Assert.Equal("custom:test", e.Source));
        Assert.False(state.Stages.ContainsKey(JourneyStage.Retention)); // no event names retention
    }

    [Fact]
    public void A_stage_less_touchpoint_after_the_purchase_changes_the_entries_though_no_event_stage_changed()
    {
        var before = new[]
        {
            At("aware", 0, Channel.Web, JourneyStage.Awareness, "page.viewed"),
            At("buy", 3, Channel.Web, JourneyStage.Decision, "purchase.completed"),
        }.Aggregate(new JourneyState(), (s, t) => s.Apply(t));
        var after = before.Apply(At("visit", 9, Channel.InStore, null, "store.visited"));

        Assert.Equal(before.Stages.Keys, after.Stages.Keys);
        Assert.False(FunnelCalculator.SameStageEntries(before, after)); // so the index gains the retention row
        Assert.Equal(From.AddDays(9), FunnelCalculator.StageEntries(after)[JourneyStage.Retention].First);
        Assert.True(FunnelCalculator.SameStageEntries(after, after.Apply(At("visit2", 10, Channel.InStore, null, "store.visited"))));
        Assert.False(FunnelCalculator.SameStageEntries(null, after));
    }

    [Fact]
    public void A_late_purchase_moves_the_entries_whatever_the_arrival_order()
    {
        var touchpoints = new[]
        {
            At("aware", 0, Channel.Web, JourneyStage.Awareness, "page.viewed"),
            At("consider", 1, Channel.Web, JourneyStage.Consideration, "pricing.viewed"),
            At("visit", 5, Channel.InStore, null, "store.visited"),
            At("late-buy", 4, Channel.InStore, JourneyStage.Decision, "purchase.completed"),
        };
        var withoutPurchase = touchpoints[..3].Aggregate(new JourneyState(), (s, t) => s.Apply(t));
        Assert.Equal([JourneyStage.Awareness, JourneyStage.Consideration], FunnelCalculator.StageEntries(withoutPurchase).Keys.Order().ToArray());

        var expected = new Dictionary<JourneyStage, DateTimeOffset>
        {
            [JourneyStage.Awareness] = From,
            [JourneyStage.Consideration] = From.AddDays(1),
            [JourneyStage.Decision] = From.AddDays(4),
            [JourneyStage.Retention] = From.AddDays(5),
        };
        foreach (var order in new[] { new[] { 0, 1, 2, 3 }, [3, 2, 1, 0], [2, 3, 0, 1] })
        {
            var state = order.Select(i => touchpoints[i]).Aggregate(new JourneyState(), (s, t) => s.Apply(t));
            Assert.Equal(expected, FunnelCalculator.StageEntries(state).ToDictionary(e => e.Key, e => e.Value.First));
        }
    }

    /// <summary>A touchpoint <paramref name="day"/> days after <see cref="From"/>, from "custom:test".</summary>
    private static Touchpoint At(string id, double day, Channel channel, JourneyStage? stage, string action) =>
        Tp(id, day, channel, stage, action, start: From);

    private static StageReachedRow Row(string customer, DateTimeOffset awareness, DateTimeOffset? consideration = null)
    {
        var times = new Dictionary<JourneyStage, DateTimeOffset> { [JourneyStage.Awareness] = awareness };
        if (consideration is { } c)
        {
            times[JourneyStage.Consideration] = c;
        }

        return new StageReachedRow(customer, JourneyStage.Awareness, awareness, "x", times);
    }
}
