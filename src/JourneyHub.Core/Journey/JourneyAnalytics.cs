using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Journey;

/// <summary>
/// The funnel, read from aggregates kept up to date as touchpoints are written (<see cref="ICustomerAggregates"/>), so a
/// funnel request reads only the rows of its window: one row per customer and journey stage at the first time the
/// customer was in that stage (placed by <see cref="JourneyPlacement"/>, like the segment map), and one row per survey answer.
/// </summary>
public interface IJourneyAnalytics
{
    Task<FunnelReport> FunnelAsync(FunnelQuery query, CancellationToken cancellationToken);
}

public sealed record FunnelQuery(DateTimeOffset From, DateTimeOffset To, string? Source)
{
    public const int MaxDays = 400;
}

/// <summary>A customer's first time in one stage, with its first times in every stage as known when written.</summary>
public sealed record StageReachedRow(string CustomerId, JourneyStage Stage, DateTimeOffset FirstAt, string? Source, IReadOnlyDictionary<JourneyStage, DateTimeOffset> FirstTimes);

public sealed record SurveyRow(SurveyType Type, double Score, DateTimeOffset At, string Source);

public sealed record FunnelReport
{
    public required DateTimeOffset From { get; init; }
    public required DateTimeOffset To { get; init; }
    public string? Source { get; init; }
    public required IReadOnlyList<FunnelStage> Stages { get; init; }
    public required IReadOnlyList<FunnelStep> Conversions { get; init; }
    public required NpsFigures Nps { get; init; }
    public required CsatFigures Csat { get; init; }
}

public sealed record FunnelStage(JourneyStage Stage, int Reached);

public sealed record FunnelStep(JourneyStage From, JourneyStage To, int Cohort, int Converted, double? Rate, double? MedianDays);

public sealed record NpsFigures(int Responses, int Promoters, int Passives, int Detractors, double? Score);

public sealed record CsatFigures(int Responses, double? Average);

/// <summary>The funnel arithmetic, separate from storage so it can be checked on known answers.</summary>
public static class FunnelCalculator
{
    public static readonly IReadOnlyList<JourneyStage> Order = [JourneyStage.Awareness, JourneyStage.Consideration, JourneyStage.Decision, JourneyStage.Retention];

    /// <summary>
    /// <paramref name="reached"/> holds, per stage, the customers whose first time in it lies in the window.
    /// A step s → s+1 counts the stage-s cohort, and as converted those who reached s+1 at or after reaching s and
    /// before the window ends; the median is over the converted. NPS = % promoters (9–10) − % detractors (0–6).
    /// </summary>
    public static FunnelReport Compute(FunnelQuery query, IReadOnlyDictionary<JourneyStage, IReadOnlyList<StageReachedRow>> reached, IReadOnlyList<SurveyRow> surveys)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(reached);
        ArgumentNullException.ThrowIfNull(surveys);
        var stages = Order.Select(s => new FunnelStage(s, reached.TryGetValue(s, out var rows) ? rows.Select(r => r.CustomerId).Distinct(StringComparer.Ordinal).Count() : 0)).ToList();
        var steps = new List<FunnelStep>();
        for (var i = 0; i + 1 < Order.Count; i++)
        {
            var (from, to) = (Order[i], Order[i + 1]);
            var cohort = reached.TryGetValue(from, out var rows) ? rows.DistinctBy(r => r.CustomerId).ToList() : [];
            var durations = cohort
                .Where(r => r.FirstTimes.TryGetValue(to, out var next) && next >= r.FirstAt && next < query.To)
                .Select(r => (r.FirstTimes[to] - r.FirstAt).TotalDays)
                .Order()
                .ToList();
            steps.Add(new FunnelStep(
                from,
                to,
                cohort.Count,
                durations.Count,
                cohort.Count == 0 ? null : Math.Round((double)durations.Count / cohort.Count, 4),
                durations.Count == 0 ? null : Math.Round(Median(durations), 3)));
        }

        var nps = surveys.Where(s => s.Type == SurveyType.Nps).ToList();
        var promoters = nps.Count(s => s.Score >= 9);
        var detractors = nps.Count(s => s.Score <= 6);
        var csat = surveys.Where(s => s.Type == SurveyType.Csat).ToList();
        return new FunnelReport
        {
            From = query.From,
            To = query.To,
            Source = query.Source,
            Stages = stages,
            Conversions = steps,
            Nps = new NpsFigures(nps.Count, promoters, nps.Count - promoters - detractors, detractors, nps.Count == 0 ? null : Math.Round(100.0 * (promoters - detractors) / nps.Count, 1)),
            Csat = new CsatFigures(csat.Count, csat.Count == 0 ? null : Math.Round(csat.Average(s => s.Score), 2)),
        };
    }

    private static double Median(List<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;

    /// <summary>
    /// First time (and the source of the touchpoint that got the customer there) per journey stage the customer was in
    /// (<see cref="JourneyPlacement"/>), as the index rows carry them: stage-less touchpoints count for the stage they
    /// were placed in, and a late purchase moves these times because the placement is derived from the whole summary.
    /// </summary>
    public static Dictionary<JourneyStage, (DateTimeOffset First, string? Source)> StageEntries(JourneyState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Placement().Stages
            .Where(s => s.Value.First is not null)
            .ToDictionary(s => s.Key, s => (s.Value.First!.Value, s.Value.FirstSource));
    }

    public static bool SameStageEntries(JourneyState? a, JourneyState b)
    {
        ArgumentNullException.ThrowIfNull(b);
        if (a is null)
        {
            return false;
        }

        var (before, after) = (StageEntries(a), StageEntries(b));
        return before.Count == after.Count && after.All(s => before.TryGetValue(s.Key, out var other) && other == s.Value);
    }
}
