using System.Globalization;
using System.Text.Json;
using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Journey.Segments;

/// <summary>
/// One customer's part of the segment journey map: which segments it belongs to, and per UTC day the counters it adds
/// there (a stage's figures count on the day the customer first entered that stage; the KPIs on the day of its first
/// touch). A pure function of the journey summary, so the aggregates can replace a customer's old part by its new one
/// exactly, whatever order touchpoints, merges and erasures came in. All counters are integers (sentiment in
/// thousandths, money in cents, durations in whole hours), so adding and subtracting never drifts.
/// </summary>
public sealed record SegmentContribution
{
    /// <summary>Examples of pain points a customer lends to the map (per stage and action).</summary>
    public const int MaxExamples = 3;

    public static SegmentContribution Empty { get; } = new();

    /// <summary>Segment keys (<see cref="Segment.Key"/>), "all" first.</summary>
    public IReadOnlyList<string> Segments { get; init; } = [];

    /// <summary>Day ("yyyyMMdd") → metric (<see cref="SegmentMetrics"/>) → value.</summary>
    public SortedDictionary<string, SortedDictionary<string, long>> Days { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Day → pain metric → "customerId touchpointId" examples.</summary>
    public SortedDictionary<string, SortedDictionary<string, List<string>>> Examples { get; init; } = new(StringComparer.Ordinal);

    public bool IsEmpty => Segments.Count == 0;

    /// <summary>The same text for the same contribution, so "nothing changed" is a string comparison.</summary>
    public string Canonical() => JsonSerializer.Serialize(this, JourneyJson.Options);

    public static SegmentContribution Parse(string json) =>
        JsonSerializer.Deserialize<SegmentContribution>(json, JourneyJson.Options) ?? Empty;

    public static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public static SegmentContribution Of(string customerId, JourneyState? state)
    {
        ArgumentNullException.ThrowIfNull(customerId);
        if (state is null || state.TouchpointCount == 0 || state.FirstTouch is not { } firstTouch || state.FirstTouchAt is not { } firstAt)
        {
            return Empty;
        }

        var placement = state.Placement();
        var converted = state.Stages.TryGetValue(JourneyStage.Decision, out var decision);
        var segments = new List<Segment> { Segment.All };
        if (state.Persona is { } persona)
        {
            segments.Add(Segment.Persona(persona.Value));
        }

        segments.Add(Segment.FirstSource(firstTouch.Source));
        segments.Add(Segment.FirstChannel(firstTouch.Channel));
        segments.Add(Segment.Cohort(firstAt));
        segments.Add(Segment.Converted(converted));

        var days = new SortedDictionary<string, SortedDictionary<string, long>>(StringComparer.Ordinal);
        void Add(string day, string metric, long value)
        {
            if (value == 0)
            {
                return;
            }

            if (!days.TryGetValue(day, out var counters))
            {
                days[day] = counters = new SortedDictionary<string, long>(StringComparer.Ordinal);
            }

            counters[metric] = counters.GetValueOrDefault(metric) + value;
        }

        foreach (var (stage, facts) in placement.Stages)
        {
            var s = SegmentMetrics.Stage(stage);
            var first = facts.First!.Value;
            var day = Day(first);
            Add(day, s + SegmentMetrics.Reached, 1);
            if (stage < JourneyStage.Retention && placement.Stages.TryGetValue(stage + 1, out var next) && next.First >= first)
            {
                Add(day, s + SegmentMetrics.Converted, 1);
                Add(day, s + SegmentMetrics.ToNextHours + Hours(first, next.First!.Value), 1);
            }

            Add(day, s + SegmentMetrics.InStageHours + Hours(first, facts.Last!.Value), 1);
            Add(day, s + SegmentMetrics.Touches, facts.Count);
            foreach (var (touch, count) in facts.ByTouch)
            {
                Add(day, s + SegmentMetrics.Touch + touch, count);
            }

            Add(day, s + SegmentMetrics.Direct, facts.Direct);
            Add(day, s + SegmentMetrics.Indirect, facts.Indirect);
            Add(day, s + SegmentMetrics.SentimentCount, facts.SentimentCount);
            Add(day, s + SegmentMetrics.SentimentSum, facts.SentimentMilliSum);
            Add(day, s + SegmentMetrics.SentimentSquares, facts.SentimentMilliSquares);
            Add(day, s + SegmentMetrics.Negative, facts.Negative);
            Add(day, s + SegmentMetrics.Neutral, facts.Neutral);
            Add(day, s + SegmentMetrics.Positive, facts.Positive);
            Add(day, s + SegmentMetrics.Promoters, facts.NpsPromoters);
            Add(day, s + SegmentMetrics.Passives, facts.NpsPassives);
            Add(day, s + SegmentMetrics.Detractors, facts.NpsDetractors);
            Add(day, s + SegmentMetrics.CsatCount, facts.CsatCount);
            Add(day, s + SegmentMetrics.CsatSum, facts.CsatMilliSum);
        }

        var examples = new SortedDictionary<string, SortedDictionary<string, List<string>>>(StringComparer.Ordinal);
        foreach (var pain in JourneySummary.FindPainPoints(state.SentimentPoints))
        {
            var stage = placement.StageAt(pain.OccurredAt);
            if (!placement.Stages.TryGetValue(stage, out var facts))
            {
                continue;
            }

            var day = Day(facts.First!.Value);
            var metric = SegmentMetrics.Stage(stage) + SegmentMetrics.Pain + pain.Action;
            Add(day, metric, 1);
            if (!examples.TryGetValue(day, out var byMetric))
            {
                examples[day] = byMetric = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
            }

            if (!byMetric.TryGetValue(metric, out var list))
            {
                byMetric[metric] = list = [];
            }

            if (list.Count < MaxExamples)
            {
                list.Add(customerId + " " + pain.TouchpointId);
            }
        }

        var kpiDay = Day(firstAt);
        Add(kpiDay, SegmentMetrics.Customers, 1);
        if (converted)
        {
            Add(kpiDay, SegmentMetrics.ConvertedCustomers, 1);
            Add(kpiDay, SegmentMetrics.DaysToConvertHours + Hours(firstAt, decision!.First), 1);
        }

        if (ChurnHighFrom(state) is { } highFrom)
        {
            Add(kpiDay, SegmentMetrics.ChurnHighFrom + highFrom.ToString(CultureInfo.InvariantCulture), 1);
        }

        foreach (var (currency, value) in state.ValueByCurrency)
        {
            Add(kpiDay, SegmentMetrics.ValueCents(currency), (long)Math.Round(value.Sum * 100, MidpointRounding.AwayFromZero));
            Add(kpiDay, SegmentMetrics.ValuePurchases(currency), value.Count);
            Add(kpiDay, SegmentMetrics.ValueCustomers(currency), 1);
        }

        return new SegmentContribution { Segments = segments.Select(g => g.Key).ToList(), Days = days, Examples = examples };
    }

    /// <summary>Whole hours from <paramref name="from"/> to <paramref name="to"/> (never negative): the resolution of every median.</summary>
    public static long Hours(DateTimeOffset from, DateTimeOffset to) => Math.Max(0, (to - from).Ticks / TimeSpan.TicksPerHour);

    /// <summary>
    /// The first instant (UTC ticks) at which <see cref="ChurnRisk.From"/> calls the customer high risk if nothing new
    /// happens, or null when its rhythm is unknown. The level only rises with time, so the map counts "high now" as
    /// "this instant has passed" without touching any customer.
    /// </summary>
    public static long? ChurnHighFrom(JourneyState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.LastTouchAt is not { } last || ChurnRisk.From(state, last).Level == "unknown")
        {
            return null;
        }

        var usualGap = ChurnRisk.From(state, last).UsualGapDays ?? 1;
        var low = last.UtcTicks;
        var high = last.AddDays((4 * Math.Max(usualGap, 1)) + 1).UtcTicks;
        while (high - low > 1)
        {
            var middle = low + ((high - low) / 2);
            if (ChurnRisk.From(state, new DateTimeOffset(middle, TimeSpan.Zero)).Level == "high")
            {
                high = middle;
            }
            else
            {
                low = middle;
            }
        }

        return high;
    }
}

/// <summary>Counter names of the segment map. Stage counters start with the stage ("awareness."), KPIs with "kpi.".</summary>
public static class SegmentMetrics
{
    public const string Reached = "reached";
    public const string Converted = "converted";
    public const string ToNextHours = "toNextHours.";
    public const string InStageHours = "inStageHours.";
    public const string Touches = "touches";
    public const string Touch = "touch.";
    public const string Direct = "direct";
    public const string Indirect = "indirect";
    public const string SentimentCount = "sentiment.count";
    public const string SentimentSum = "sentiment.milliSum";
    public const string SentimentSquares = "sentiment.milliSquares";
    public const string Negative = "sentiment.negative";
    public const string Neutral = "sentiment.neutral";
    public const string Positive = "sentiment.positive";
    public const string Pain = "pain.";
    public const string Promoters = "nps.promoters";
    public const string Passives = "nps.passives";
    public const string Detractors = "nps.detractors";
    public const string CsatCount = "csat.count";
    public const string CsatSum = "csat.milliSum";
    public const string Customers = "kpi.customers";
    public const string ConvertedCustomers = "kpi.converted";
    public const string DaysToConvertHours = "kpi.toConvertHours.";
    public const string ChurnHighFrom = "kpi.churnHighFrom.";
    private const string Value = "kpi.value.";

    public static string Stage(JourneyStage stage) => JourneyJson.WireName(stage) + ".";

    public static string ValueCents(string currency) => Value + currency + ".cents";

    public static string ValuePurchases(string currency) => Value + currency + ".purchases";

    public static string ValueCustomers(string currency) => Value + currency + ".customers";
}
