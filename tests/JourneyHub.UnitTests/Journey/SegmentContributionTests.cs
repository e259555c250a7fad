using JourneyHub.Core.Journey;
using JourneyHub.Core.Journey.Segments;
using JourneyHub.Core.Schema;
using JourneyHub.UnitTests.Customers;
using static JourneyHub.UnitTests.Customers.JourneyStateTests;

namespace JourneyHub.UnitTests.Journey;

public sealed class SegmentContributionTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 6, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_customers_part_of_the_map_is_a_pure_function_of_its_summary()
    {
        var journey = JourneyStateTests.Journey();
        var expected = SegmentContribution.Of("cus_a", journey.Aggregate(new JourneyState(), (s, t) => s.Apply(t))).Canonical();
        var random = new Random(3);
        for (var round = 0; round < 20; round++)
        {
            Assert.Equal(expected, SegmentContribution.Of("cus_a", journey.OrderBy(_ => random.Next()).Aggregate(new JourneyState(), (s, t) => s.Apply(t))).Canonical());
        }

        Assert.True(SegmentContribution.Of("cus_a", null).IsEmpty);
        Assert.True(SegmentContribution.Of("cus_a", new JourneyState()).IsEmpty);
    }

    [Fact]
    public void The_part_counts_each_stage_on_the_day_the_customer_entered_it()
    {
        var state = JourneyStateTests.Journey().Aggregate(new JourneyState(), (s, t) => s.Apply(t));
        var part = SegmentContribution.Of("cus_a", state);

        Assert.Equal(["all", "source:custom:test", "channel:ads", "cohort:2025-01", "converted:true"], part.Segments);
        var awarenessDay = part.Days[SegmentContribution.Day(Start)];
        Assert.Equal(1, awarenessDay["awareness.reached"]);
        Assert.Equal(1, awarenessDay["awareness.converted"]);
        Assert.Equal(72, long.Parse(awarenessDay.Keys.Single(k => k.StartsWith("awareness.toNextHours.", StringComparison.Ordinal))["awareness.toNextHours.".Length..], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1, awarenessDay["kpi.customers"]);
        Assert.Equal(10_000, awarenessDay["kpi.value.EUR.cents"]);

        // After the first purchase on day 10, everything is retention: two more purchases, reviews and surveys.
        var retentionDay = part.Days[SegmentContribution.Day(Start.AddDays(20))];
        Assert.Equal(7, retentionDay["retention.touches"]);
        Assert.Equal(2, retentionDay["retention.touch.web purchase.completed"]);
        Assert.Equal((1, 1), (retentionDay["retention.nps.promoters"], retentionDay["retention.nps.detractors"]));
        Assert.Equal(1, retentionDay["retention.pain.review.updated"]);
        Assert.Equal("cus_a " + JourneyStateTests.Journey().Single(t => t.Action == "review.updated").TouchpointId, part.Examples[SegmentContribution.Day(Start.AddDays(20))]["retention.pain.review.updated"].Single());
    }

    [Fact]
    public void Churn_risk_turns_high_at_exactly_the_instant_the_part_records()
    {
        var weekly = Enumerable.Range(0, 4).Select(i => Tp("w" + i, i * 7, Channel.Web, null, "page.viewed")).ToList();
        var state = weekly.Aggregate(new JourneyState(), (s, t) => s.Apply(t));
        var highFrom = new DateTimeOffset(SegmentContribution.ChurnHighFrom(state)!.Value, TimeSpan.Zero);

        Assert.Equal("high", ChurnRisk.From(state, highFrom).Level);
        Assert.NotEqual("high", ChurnRisk.From(state, highFrom.AddTicks(-1)).Level);
        Assert.Null(SegmentContribution.ChurnHighFrom(weekly.Take(2).Aggregate(new JourneyState(), (s, t) => s.Apply(t))));
    }

    [Theory]
    [InlineData("all", SegmentKind.All, "")]
    [InlineData("persona:Bargain hunter", SegmentKind.Persona, "Bargain hunter")]
    [InlineData("source:custom:shop", SegmentKind.Source, "custom:shop")]
    [InlineData("channel:in_store", SegmentKind.Channel, "in_store")]
    [InlineData("cohort:2025-03", SegmentKind.Cohort, "2025-03")]
    [InlineData("converted:false", SegmentKind.Converted, "false")]
    public void Segments_parse_from_kind_and_value(string text, SegmentKind kind, string value)
    {
        var segment = Segment.TryParse(text, out var error);
        Assert.Null(error);
        Assert.Equal((kind, value, text), (segment!.Kind, segment.Value, segment.Key));
    }

    [Theory]
    [InlineData("everyone")]
    [InlineData("persona:")]
    [InlineData("persona: padded ")]
    [InlineData("channel:fax")]
    [InlineData("cohort:2025-3")]
    [InlineData("converted:yes")]
    [InlineData("source:has space")]
    public void Bad_segments_are_refused_with_a_reason(string text)
    {
        Assert.Null(Segment.TryParse(text, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Medians_come_from_hour_histograms()
    {
        Assert.Null(SegmentMapCalculator.MedianDays([]));
        Assert.Equal(1.0, SegmentMapCalculator.MedianDays([new(12, 1), new(24, 1), new(48, 1)]));
        Assert.Equal(1.5, SegmentMapCalculator.MedianDays([new(24, 2), new(48, 2)]));
        Assert.Equal(2.0, SegmentMapCalculator.MedianDays([new(24, 1), new(48, 5)]));
    }

    [Fact]
    public void The_query_window_counts_whole_days()
    {
        var query = new SegmentMapQuery(new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2025, 3, 31, 12, 0, 0, TimeSpan.Zero), Segment.All);
        Assert.Equal(("20250301", "20250401"), (query.FromDay, query.ToDay));
        Assert.Equal("20250331", (query with { To = new DateTimeOffset(2025, 3, 31, 0, 0, 0, TimeSpan.Zero) }).ToDay);
    }
}
