using JourneyHub.Core.Journey;
using JourneyHub.Core.Schema;

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
