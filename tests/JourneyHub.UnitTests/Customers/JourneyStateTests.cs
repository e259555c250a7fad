using System.Globalization;
using System.Text.Json;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;

namespace JourneyHub.UnitTests.Customers;

public sealed class JourneyStateTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 6, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = Start.AddDays(60);

    /// <summary>A journey with a known shape: awareness → consideration → decision (purchases) → retention, sentiment dips, surveys.</summary>
    internal static List<Touchpoint> Journey() =>
    [
        Tp("a1", 0, Channel.Ads, JourneyStage.Awareness, "ad.clicked"),
        Tp("a2", 1, Channel.Web, JourneyStage.Awareness, "page.viewed", sentiment: 0.5),
        Tp("c1", 3, Channel.Email, JourneyStage.Consideration, "email.opened"),
        Tp("c2", 5, Channel.Social, JourneyStage.Consideration, "comment.posted", sentiment: -0.4, kind: TouchpointKind.Indirect),
        Tp("d1", 10, Channel.InStore, JourneyStage.Decision, "purchase.completed", attributes: new() { ["basketValue"] = "40.5", ["currency"] = "eur" }),
        Tp("d2", 20, Channel.Web, JourneyStage.Decision, "purchase.completed", attributes: new() { ["amount"] = "59.5", ["currency"] = "EUR" }),
        Tp("d3", 21, Channel.Web, JourneyStage.Decision, "purchase.completed"),
        Tp("r1", 30, Channel.Review, JourneyStage.Retention, "review.posted", sentiment: 0.8, kind: TouchpointKind.Indirect),
        Tp("r2", 35, Channel.Review, JourneyStage.Retention, "review.updated", sentiment: -0.6, kind: TouchpointKind.Indirect),
        Tp("s1", 36, Channel.Survey, JourneyStage.Retention, "survey.answered", survey: new SurveyAnswer(SurveyType.Nps, 3, null)),
        Tp("s2", 40, Channel.Survey, JourneyStage.Retention, "survey.answered", survey: new SurveyAnswer(SurveyType.Nps, 9, null)),
        Tp("s3", 40, Channel.Survey, JourneyStage.Retention, "survey.answered", survey: new SurveyAnswer(SurveyType.Csat, 4, null)),
    ];

    [Fact]
    public void Any_arrival_order_gives_the_same_summary()
    {
        var journey = Journey();
        var expected = Summary(journey);
        var random = new Random(20250106);
        for (var round = 0; round < 50; round++)
        {
            var shuffled = journey.OrderBy(_ => random.Next()).ToList();
            Assert.Equal(expected, Summary(shuffled));
        }

        Assert.Equal(expected, Summary(Enumerable.Reverse(journey).ToList()));
    }

    [Fact]
    public void Combining_two_halves_equals_applying_everything_to_one_state()
    {
        var journey = Journey();
        var random = new Random(7);
        for (var round = 0; round < 20; round++)
        {
            var shuffled = journey.OrderBy(_ => random.Next()).ToList();
            var split = random.Next(0, shuffled.Count + 1);
            var left = shuffled.Take(split).Aggregate(new JourneyState(), (s, t) => s.Apply(t));
            var right = shuffled.Skip(split).Aggregate(new JourneyState(), (s, t) => s.Apply(t));
            Assert.Equal(Summary(journey), Json(JourneySummary.From(Record(left.Combine(right)), Now)));
        }
    }

    [Fact]
    public void Summary_holds_the_known_answers()
    {
        var summary = JourneySummary.From(Record(Journey().Aggregate(new JourneyState(), (s, t) => s.Apply(t))), Now);

        Assert.Equal(JourneyStage.Retention, summary.CurrentStage);
        Assert.Equal(12, summary.TouchpointCount);
        Assert.Equal(Start, summary.Stages["awareness"].First);
        Assert.Equal(Start.AddDays(1), summary.Stages["awareness"].Last);
        Assert.Equal(3, summary.Stages["decision"].Count);
        Assert.True(summary.Converted);
        Assert.Equal(Start.AddDays(10), summary.ConvertedAt);
        Assert.Equal(10, summary.DaysToConvert);
        Assert.Equal(9, summary.ByKind["direct"]);
        Assert.Equal(3, summary.ByKind["indirect"]);
        Assert.Equal(3, summary.ByChannel["survey"]);

        // Latest answers; s2 and s3 share an instant but are of different types.
        Assert.Equal(9, summary.LatestNps!.Score);
        Assert.Equal(4, summary.LatestCsat!.Score);

        // Value: three purchases, two with an amount in EUR.
        Assert.Equal(3, summary.Value.PurchaseCount);
        var eur = Assert.Single(summary.Value.ByCurrency);
        Assert.Equal(("EUR", 2, 50.0, 100.0), (eur.Currency, eur.Purchases, eur.AverageOrderValue, eur.LifetimeValue));

        // Pain points: 0.5 → -0.4 (drop 0.9) and 0.8 → -0.6 (drop 1.4); the positive review is not one.
        Assert.Equal(["tp_c2", "tp_r2"], summary.PainPoints.Select(p => p.TouchpointId[..5]).ToArray());
        Assert.Equal(1.4, summary.PainPoints[1].Drop);

        // Monthly sentiment trend.
        Assert.Equal(["2025-01", "2025-02"], summary.SentimentTrend.Select(t => t.Month).ToArray());
    }

    [Fact]
    public void Churn_risk_compares_the_silence_with_the_customers_own_rhythm()
    {
        // Active every 7 days, four times; last touch 21 days before "now": three usual gaps of silence.
        var weekly = Enumerable.Range(0, 4).Select(i => Tp("w" + i, i * 7, Channel.Web, null, "page.viewed")).ToList();
        var state = weekly.Aggregate(new JourneyState(), (s, t) => s.Apply(t));
        var last = Start.AddDays(21);

        Assert.Equal("low", ChurnRisk.From(state, last.AddDays(7)).Level);
        Assert.Equal("medium", ChurnRisk.From(state, last.AddDays(14)).Level);
        var high = ChurnRisk.From(state, last.AddDays(30));
        Assert.Equal(("high", 7.0, 30.0), (high.Level, high.UsualGapDays!.Value, high.DaysSinceLastTouch!.Value));
        Assert.Equal("unknown", ChurnRisk.From(weekly.Take(2).Aggregate(new JourneyState(), (s, t) => s.Apply(t)), last).Level);
    }

    [Fact]
    public void Two_stages_at_the_same_instant_resolve_to_the_further_one_in_any_order()
    {
        var a = Tp("x1", 5, Channel.Crm, JourneyStage.Consideration, "lifecycle.changed");
        var b = Tp("x2", 5, Channel.Crm, JourneyStage.Decision, "deal.won");
        Assert.Equal(JourneyStage.Decision, new JourneyState().Apply(a).Apply(b).CurrentStage);
        Assert.Equal(JourneyStage.Decision, new JourneyState().Apply(b).Apply(a).CurrentStage);
    }

    [Fact]
    public void Sentiment_points_stay_bounded_to_the_latest()
    {
        var many = Enumerable.Range(0, JourneyState.MaxSentimentPoints + 25).Select(i => Tp("m" + i, i, Channel.Social, null, "comment.posted", sentiment: 0.1)).ToList();
        var state = many.OrderByDescending(t => t.OccurredAt).Aggregate(new JourneyState(), (s, t) => s.Apply(t));
        Assert.Equal(JourneyState.MaxSentimentPoints, state.SentimentPoints.Count);
        Assert.Equal(Start.AddDays(25), state.SentimentPoints[0].At);
        Assert.Equal(many.Count, state.SentimentByMonth.Values.Sum(b => b.Count));
    }

    [Fact]
    public void A_refund_lowers_the_value_but_not_the_purchase_count_in_any_order()
    {
        List<Touchpoint> touchpoints =
        [
            Tp("o1", 0, Channel.Web, JourneyStage.Decision, "order.placed", attributes: new() { ["amount"] = "120.00", ["currency"] = "EUR" }),
            Tp("o2", 5, Channel.Web, JourneyStage.Decision, "order.placed", attributes: new() { ["amount"] = "80.00", ["currency"] = "EUR" }),
            Tp("f1", 6, Channel.Web, JourneyStage.Retention, "order.refunded", attributes: new() { ["amount"] = "30.00", ["currency"] = "EUR" }),
        ];

        foreach (var order in new[] { touchpoints, Enumerable.Reverse(touchpoints).ToList() })
        {
            var value = JourneySummary.From(Record(order.Aggregate(new JourneyState(), (s, t) => s.Apply(t))), Now).Value;
            Assert.Equal(2, value.PurchaseCount);
            var eur = Assert.Single(value.ByCurrency);
            Assert.Equal(("EUR", 2, 85.0, 170.0), (eur.Currency, eur.Purchases, eur.AverageOrderValue, eur.LifetimeValue));
        }
    }

    [Fact]
    public void A_refund_seen_before_any_purchase_is_a_negative_value_with_no_average()
    {
        var state = new JourneyState().Apply(Tp("f1", 0, Channel.Web, JourneyStage.Retention, "order.refunded", attributes: new() { ["amount"] = "30", ["currency"] = "USD" }));
        var usd = Assert.Single(JourneySummary.From(Record(state), Now).Value.ByCurrency);

        Assert.Equal(("USD", 0, 0.0, -30.0), (usd.Currency, usd.Purchases, usd.AverageOrderValue, usd.LifetimeValue));
        Assert.Equal(0, state.PurchaseCount);
    }

    [Theory]
    [InlineData("amount", "12.50", 12.5)]
    [InlineData("basketValue", "1234.5", 1234.5)]
    [InlineData("value", "7", 7.0)]
    [InlineData("amount", "12,50", null)]
    [InlineData("amount", "-3", null)]
    [InlineData("price", "9", null)]
    public void Amount_is_read_from_invariant_attributes(string name, string text, double? expected)
    {
        var touchpoint = Tp("v", 0, Channel.InStore, JourneyStage.Decision, "purchase.completed", attributes: new() { [name] = text });
        Assert.Equal(expected, JourneyState.Amount(touchpoint));
    }

    private static string Summary(IReadOnlyList<Touchpoint> touchpoints) =>
        Json(JourneySummary.From(Record(touchpoints.Aggregate(new JourneyState(), (s, t) => s.Apply(t))), Now));

    private static string Json(JourneySummary summary) => JsonSerializer.Serialize(summary, JourneyJson.Options);

    private static CustomerRecord Record(JourneyState state) => new() { CustomerId = "cus_test", CreatedAt = Start, Journey = state };

    internal static Touchpoint Tp(
        string id,
        double day,
        Channel channel,
        JourneyStage? stage,
        string action,
        double? sentiment = null,
        SurveyAnswer? survey = null,
        TouchpointKind kind = TouchpointKind.Direct,
        Dictionary<string, string>? attributes = null,
        DateTimeOffset? start = null) => new()
        {
            TouchpointId = "tp_" + id.PadRight(24, '0'),
            Source = "custom:test",
            SourceEventId = id,
            OccurredAt = (start ?? Start).AddDays(day),
            Channel = channel,
            Kind = kind,
            Stage = stage,
            Action = action,
            Summary = string.Create(CultureInfo.InvariantCulture, $"{action} on day {day}"),
            Sentiment = sentiment is { } s ? Sentiment.FromScore(s) : null,
            Survey = survey,
            Attributes = attributes ?? [],
        };
}
