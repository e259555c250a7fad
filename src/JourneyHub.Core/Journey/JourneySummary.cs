using System.Globalization;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Journey;

/// <summary>The journey summary served by GET /api/customers/{id}/journey, derived from the stored <see cref="JourneyState"/>.</summary>
public sealed record JourneySummary
{
    /// <summary>A fall of at least this much from the previous sentiment point, ending below zero, is a pain point.</summary>
    public const double PainDrop = 0.3;

    public required string CustomerId { get; init; }
    public string? MergedFrom { get; init; }
    /// <summary>The journey stage the customer is in now: that of its latest touchpoint (see <see cref="JourneyPlacement"/>).</summary>
    public JourneyStage? CurrentStage { get; init; }

    /// <summary>When the customer's latest touchpoint with a stage of its own happened.</summary>
    public DateTimeOffset? CurrentStageAt { get; init; }

    /// <summary>The latest persona a source named, or null.</summary>
    public string? Persona { get; init; }
    public int TouchpointCount { get; init; }
    public DateTimeOffset? FirstTouchAt { get; init; }
    public DateTimeOffset? LastTouchAt { get; init; }
    /// <summary>First and last time and count per stage, as the touchpoints themselves say (their own <c>stage</c>).</summary>
    public required IReadOnlyDictionary<string, StageSummary> Stages { get; init; }

    /// <summary>First and last time and count per stage the customer was in when its touchpoints happened.</summary>
    public required IReadOnlyDictionary<string, StageSummary> JourneyStages { get; init; }
    public required IReadOnlyDictionary<string, int> ByChannel { get; init; }
    public required IReadOnlyDictionary<string, int> ByKind { get; init; }
    public required IReadOnlyList<SentimentTrendPoint> SentimentTrend { get; init; }
    public SurveyPoint? LatestNps { get; init; }
    public SurveyPoint? LatestCsat { get; init; }
    public SurveyPoint? LatestCes { get; init; }
    public bool Converted { get; init; }
    public DateTimeOffset? ConvertedAt { get; init; }
    public double? DaysToConvert { get; init; }
    public required IReadOnlyList<PainPoint> PainPoints { get; init; }
    public required CustomerValue Value { get; init; }
    public required ChurnRisk ChurnRisk { get; init; }

    public static JourneySummary From(CustomerRecord customer, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(customer);
        var state = customer.Journey;
        var convertedAt = state.Stages.TryGetValue(JourneyStage.Decision, out var decision) ? decision.First : (DateTimeOffset?)null;
        var placement = state.Placement();
        return new JourneySummary
        {
            CustomerId = customer.CustomerId,
            CurrentStage = placement.Current,
            Persona = state.Persona?.Value,
            CurrentStageAt = state.CurrentStageAt,
            TouchpointCount = state.TouchpointCount,
            FirstTouchAt = state.FirstTouchAt,
            LastTouchAt = state.LastTouchAt,
            Stages = state.Stages.OrderBy(s => s.Key).ToDictionary(s => JourneyJson.WireName(s.Key), s => new StageSummary(s.Value.First, s.Value.Last, s.Value.Count), StringComparer.Ordinal),
            JourneyStages = placement.Stages.OrderBy(s => s.Key).ToDictionary(s => JourneyJson.WireName(s.Key), s => new StageSummary(s.Value.First!.Value, s.Value.Last!.Value, s.Value.Count), StringComparer.Ordinal),
            ByChannel = state.ByChannel.OrderByDescending(c => c.Value).ThenBy(c => c.Key).ToDictionary(c => JourneyJson.WireName(c.Key), c => c.Value, StringComparer.Ordinal),
            ByKind = state.ByKind.OrderBy(k => k.Key).ToDictionary(k => JourneyJson.WireName(k.Key), k => k.Value, StringComparer.Ordinal),
            SentimentTrend = state.SentimentByMonth
                .OrderBy(m => m.Key, StringComparer.Ordinal)
                .Select(m => new SentimentTrendPoint(m.Key, Math.Round(m.Value.Sum / m.Value.Count, 3), m.Value.Count))
                .ToList(),
            LatestNps = state.LatestNps,
            LatestCsat = state.LatestCsat,
            LatestCes = state.LatestCes,
            Converted = convertedAt is not null,
            ConvertedAt = convertedAt,
            DaysToConvert = convertedAt is { } c && state.FirstTouchAt is { } f
                ? Math.Round((c - f).TotalDays, 2)
                : null,
            PainPoints = FindPainPoints(state.SentimentPoints),
            Value = CustomerValue.From(state),
            ChurnRisk = ChurnRisk.From(state, now),
        };
    }

    /// <summary>
    /// Touchpoints where sentiment fell by at least <see cref="PainDrop"/> from the point before and ended below zero.
    /// The first point is compared with neutral (0), so a first angry review is a pain point too.
    /// </summary>
    public static IReadOnlyList<PainPoint> FindPainPoints(IReadOnlyList<SentimentPoint> sorted)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        var pains = new List<PainPoint>();
        double previous = 0;
        foreach (var point in sorted)
        {
            var drop = Math.Round(previous - point.Score, 3);
            if (drop >= PainDrop && point.Score < 0)
            {
                pains.Add(new PainPoint(point.TouchpointId, point.At, point.Source, point.Action, point.Score, Math.Round(previous, 3), drop));
            }

            previous = point.Score;
        }

        return pains;
    }

}

public sealed record StageSummary(DateTimeOffset First, DateTimeOffset Last, int Count);

public sealed record SentimentTrendPoint(string Month, double Average, int Count)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Month}: {Average} ({Count})");
}

public sealed record PainPoint(string TouchpointId, DateTimeOffset OccurredAt, string Source, string Action, double Score, double PreviousScore, double Drop);

/// <summary>
/// Purchases and what they were worth, per currency (amounts are never added across currencies). Refunds are taken off, so
/// lifetime value and average order value are net; a currency with refunds but no purchase yet has an average of 0.
/// </summary>
public sealed record CustomerValue(int PurchaseCount, IReadOnlyList<CurrencyValue> ByCurrency)
{
    public static CustomerValue From(JourneyState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new CustomerValue(
            state.PurchaseCount,
            state.ValueByCurrency
                .OrderBy(v => v.Key, StringComparer.Ordinal)
                .Select(v => new CurrencyValue(v.Key, v.Value.Count, v.Value.Count == 0 ? 0 : Math.Round(v.Value.Sum / v.Value.Count, 2), Math.Round(v.Value.Sum, 2)))
                .ToList());
    }
}

public sealed record CurrencyValue(string Currency, int Purchases, double AverageOrderValue, double LifetimeValue);

/// <summary>
/// Days since the last touchpoint against the customer's own rhythm: the median gap between the distinct days
/// on which it was active. Level: <c>low</c> (within 1.5 usual gaps), <c>medium</c> (within 3), <c>high</c> (beyond),
/// <c>unknown</c> with fewer than three active days.
/// </summary>
public sealed record ChurnRisk(string Level, double? DaysSinceLastTouch, double? UsualGapDays, double? Ratio)
{
    public static ChurnRisk From(JourneyState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        double? since = state.LastTouchAt is { } last ? Math.Round(Math.Max(0, (now - last).TotalDays), 2) : null;
        var days = state.ActiveDays
            .Select(d => DateTime.ParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal))
            .ToList();
        if (since is null || days.Count < 3)
        {
            return new ChurnRisk("unknown", since, null, null);
        }

        var gaps = days.Zip(days.Skip(1), (a, b) => (b - a).TotalDays).Order().ToList();
        var median = gaps.Count % 2 == 1 ? gaps[gaps.Count / 2] : (gaps[(gaps.Count / 2) - 1] + gaps[gaps.Count / 2]) / 2;
        var ratio = Math.Round(since.Value / Math.Max(median, 1), 2);
        var level = ratio <= 1.5 ? "low" : ratio <= 3 ? "medium" : "high";
        return new ChurnRisk(level, since, Math.Round(median, 2), ratio);
    }
}
