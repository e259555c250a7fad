using System.Globalization;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Journey.Segments;
using JourneyHub.Core.Schema;

namespace JourneyHub.IntegrationTests.Journeys;

/// <summary>
/// The segment journey map computed the slow, obvious way: from every customer's full timeline, with the stage each
/// touchpoint happened in decided from the definition (not from any summary), and the figures counted directly.
/// </summary>
internal static class SegmentMapBruteForce
{
    public sealed record Customer(string CustomerId, IReadOnlyList<Touchpoint> Rows);

    public static JourneyStage Place(IReadOnlyList<Touchpoint> rows, DateTimeOffset at)
    {
        var decisions = rows.Where(r => r.Stage == JourneyStage.Decision).Select(r => r.OccurredAt).ToList();
        var considerations = rows.Where(r => r.Stage == JourneyStage.Consideration).Select(r => r.OccurredAt).ToList();
        if (decisions.Count == 0 || at < decisions.Min())
        {
            return considerations.Count > 0 && considerations.Min() <= at ? JourneyStage.Consideration : JourneyStage.Awareness;
        }

        var firstPurchase = decisions.Min();
        if (at == firstPurchase)
        {
            return JourneyStage.Decision;
        }

        var openers = rows.Where(r => JourneyRules.OpensCycle(r.Source, r.Action) && r.OccurredAt > firstPurchase && r.OccurredAt <= at).Select(r => r.OccurredAt).ToList();
        if (openers.Count == 0)
        {
            return JourneyStage.Retention;
        }

        var opened = openers.Max();
        var closing = decisions.Where(d => d >= opened && d <= at).ToList();
        return closing.Any(d => d < at) ? JourneyStage.Retention
            : closing.Any(d => d == at) ? JourneyStage.Decision
            : JourneyStage.Consideration;
    }

    public static IReadOnlyList<string> Segments(Customer customer)
    {
        var rows = customer.Rows;
        var first = rows.MinBy(r => r.OccurredAt)!;
        var segments = new List<string> { "all" };
        var persona = rows.Where(r => r.Attributes.ContainsKey("persona"))
            .OrderBy(r => r.OccurredAt).ThenBy(r => r.TouchpointId, StringComparer.Ordinal).LastOrDefault();
        if (persona is not null)
        {
            segments.Add("persona:" + persona.Attributes["persona"]);
        }

        segments.Add("source:" + first.Source);
        segments.Add("channel:" + JourneyJson.WireName(first.Channel));
        segments.Add("cohort:" + first.OccurredAt.ToString("yyyy-MM", CultureInfo.InvariantCulture));
        segments.Add("converted:" + (rows.Any(r => r.Stage == JourneyStage.Decision) ? "true" : "false"));
        return segments;
    }

    /// <summary>Pain points (as the customer summary defines them) with the stage each happened in.</summary>
    public static IReadOnlyList<(JourneyStage Stage, PainPoint Pain)> Pains(Customer customer)
    {
        var points = customer.Rows.Where(r => r.Sentiment is not null)
            .Select(r => new SentimentPoint(r.OccurredAt, r.Sentiment!.Score, r.TouchpointId, r.Source, r.Action))
            .OrderBy(p => p.At).ThenBy(p => p.TouchpointId, StringComparer.Ordinal)
            .ToList();
        return JourneySummary.FindPainPoints(points).Select(p => (Place(customer.Rows, p.OccurredAt), p)).ToList();
    }

    public static SegmentMapReport Map(IReadOnlyList<Customer> population, SegmentMapQuery query, DateTimeOffset now)
    {
        var members = population.Where(c => Segments(c).Contains(query.Segment.Key)).ToList();
        bool InWindow(DateTimeOffset at) => at >= query.From && at < query.To;
        var stages = new List<SegmentStageReport>();
        foreach (var stage in FunnelCalculator.Order)
        {
            var cohort = members
                .Select(c => (Customer: c, Rows: c.Rows.Where(r => Place(c.Rows, r.OccurredAt) == stage).ToList()))
                .Where(x => x.Rows.Count > 0 && InWindow(x.Rows.Min(r => r.OccurredAt)))
                .ToList();
            var rows = cohort.SelectMany(x => x.Rows).ToList();
            var prefix = SegmentMetrics.Stage(stage);

            StageConversion? conversion = null;
            if (stage < JourneyStage.Retention)
            {
                var hours = new List<long>();
                foreach (var (customer, stageRows) in cohort)
                {
                    var first = stageRows.Min(r => r.OccurredAt);
                    var next = customer.Rows.Where(r => Place(customer.Rows, r.OccurredAt) == stage + 1).Select(r => r.OccurredAt).ToList();
                    if (next.Count > 0 && next.Min() >= first)
                    {
                        hours.Add((long)Math.Floor((next.Min() - first).TotalHours));
                    }
                }

                conversion = new StageConversion(stage + 1, hours.Count, cohort.Count == 0 ? null : Math.Round((double)hours.Count / cohort.Count, 4), Median(hours));
            }

            var sentiments = rows.Where(r => r.Sentiment is not null).ToList();
            var milli = sentiments.Select(r => (long)Math.Round(r.Sentiment!.Score * 1000, MidpointRounding.AwayFromZero)).ToList();
            double? mean = null, spread = null;
            if (milli.Count > 0)
            {
                var m = milli.Sum() / 1000.0 / milli.Count;
                mean = Math.Round(m, 3);
                spread = Math.Round(Math.Sqrt(Math.Max(0, (milli.Sum(x => x * x) / 1_000_000.0 / milli.Count) - (m * m))), 3);
            }

            var byType = rows.GroupBy(r => JourneyJson.WireName(r.Channel) + " " + r.Action)
                .Select(g => (Key: g.Key, Count: (long)g.Count()))
                .OrderByDescending(g => g.Count).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Take(SegmentMapCalculator.TopTouchpoints)
                .Select(g => new TouchpointTypeFigures(Enum.GetValues<Channel>().Single(c => JourneyJson.WireName(c) == g.Key.Split(' ')[0]), g.Key[(g.Key.IndexOf(' ', StringComparison.Ordinal) + 1)..], g.Count, Math.Round((double)g.Count / rows.Count, 4)) { Metric = prefix + "touch." + g.Key })
                .ToList();
            var pains = cohort.SelectMany(x => Pains(x.Customer)).Where(p => p.Stage == stage)
                .GroupBy(p => p.Pain.Action)
                .Select(g => (Action: g.Key, Count: (long)g.Count()))
                .OrderByDescending(g => g.Count).ThenBy(g => prefix + "pain." + g.Action, StringComparer.Ordinal)
                .Take(SegmentMapCalculator.TopPainPoints)
                .Select(g => new PainPointFigures(g.Action, g.Count, []) { Metric = prefix + "pain." + g.Action })
                .ToList();
            var nps = rows.Where(r => r.Survey?.Type == SurveyType.Nps).Select(r => r.Survey!.Score).ToList();
            var (promoters, detractors) = (nps.Count(s => s >= 9), nps.Count(s => s <= 6));
            var csat = rows.Where(r => r.Survey?.Type == SurveyType.Csat).Select(r => r.Survey!.Score).ToList();
            stages.Add(new SegmentStageReport
            {
                Stage = stage,
                Reached = cohort.Count,
                Conversion = conversion,
                MedianDaysInStage = Median(cohort.Select(x => (long)Math.Floor((x.Rows.Max(r => r.OccurredAt) - x.Rows.Min(r => r.OccurredAt)).TotalHours)).ToList()),
                Touchpoints = rows.Count,
                TopTouchpoints = byType,
                Direct = rows.Count(r => r.Kind == TouchpointKind.Direct),
                Indirect = rows.Count(r => r.Kind == TouchpointKind.Indirect),
                Emotions = new EmotionFigures(
                    sentiments.Count,
                    mean,
                    spread,
                    Share(sentiments.Count(r => r.Sentiment!.Label == SentimentLabel.Negative), sentiments.Count),
                    Share(sentiments.Count(r => r.Sentiment!.Label == SentimentLabel.Neutral), sentiments.Count),
                    Share(sentiments.Count(r => r.Sentiment!.Label == SentimentLabel.Positive), sentiments.Count)),
                PainPoints = pains,
                Nps = new NpsFigures(nps.Count, promoters, nps.Count - promoters - detractors, detractors, nps.Count == 0 ? null : Math.Round(100.0 * (promoters - detractors) / nps.Count, 1)),
                Csat = new CsatFigures(csat.Count, csat.Count == 0 ? null : Math.Round(csat.Sum() / csat.Count, 2)),
            });
        }

        var customers = members.Where(c => InWindow(c.Rows.Min(r => r.OccurredAt))).ToList();
        var converted = customers.Where(c => c.Rows.Any(r => r.Stage == JourneyStage.Decision)).ToList();
        var churnHigh = customers.Count(c => ChurnRisk.From(c.Rows.OrderBy(r => r.OccurredAt).Aggregate(new JourneyState(), (s, r) => s.Apply(r)), now).Level == "high");
        var value = customers
            .SelectMany(c => c.Rows
                .Where(r => JourneyState.PurchaseActions.Contains(r.Action) && JourneyState.Amount(r) is not null)
                .GroupBy(r => r.Attributes.TryGetValue("currency", out var cur) ? cur.ToUpperInvariant() : JourneyState.NoCurrency)
                .Select(g => (Currency: g.Key, Purchases: g.Count(), Cents: (long)Math.Round(g.Sum(r => JourneyState.Amount(r)!.Value) * 100, MidpointRounding.AwayFromZero))))
            .GroupBy(v => v.Currency)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var cents = g.Sum(v => v.Cents);
                var purchases = g.Sum(v => v.Purchases);
                return new CurrencyKpis(g.Key, purchases, g.Count(), cents / 100.0, Math.Round(cents / 100.0 / purchases, 2), Math.Round(cents / 100.0 / g.Count(), 2));
            })
            .ToList();

        return new SegmentMapReport
        {
            From = query.From,
            To = query.To,
            Segment = query.Segment.Key,
            Stages = stages,
            Kpis = new SegmentKpis
            {
                Customers = customers.Count,
                Converted = converted.Count,
                ConversionRate = Share(converted.Count, customers.Count),
                MedianDaysToConvert = Median(converted.Select(c => (long)Math.Floor((c.Rows.Where(r => r.Stage == JourneyStage.Decision).Min(r => r.OccurredAt) - c.Rows.Min(r => r.OccurredAt)).TotalHours)).ToList()),
                ChurnRiskHigh = churnHigh,
                ChurnRiskShare = Share(churnHigh, customers.Count),
                Value = value,
            },
        };
    }

    private static double? Share(int part, int whole) => whole == 0 ? null : Math.Round((double)part / whole, 4);

    private static double? Median(List<long> hours)
    {
        if (hours.Count == 0)
        {
            return null;
        }

        hours.Sort();
        var median = hours.Count % 2 == 1 ? hours[hours.Count / 2] : (hours[(hours.Count / 2) - 1] + hours[hours.Count / 2]) / 2.0;
        return Math.Round(median / 24.0, 2);
    }
}
