using System.Globalization;
using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Journey.Segments;

/// <summary>
/// The aggregates behind the segment journey map, read per segment and window; they are kept exact as summaries change
/// through <see cref="ICustomerAggregates"/>.
/// </summary>
public interface ISegmentAggregates
{
    Task<SegmentMapReport> MapAsync(SegmentMapQuery query, CancellationToken cancellationToken);

    /// <summary>Customers of the segment whose part holds <paramref name="metric"/> in the window (touchpoint type or pain point drill-down).</summary>
    Task<SegmentCustomers> CustomersAsync(SegmentMapQuery query, string metric, int limit, CancellationToken cancellationToken);
}

/// <summary>Window [From, To) on the first time in each stage, in whole UTC days.</summary>
public sealed record SegmentMapQuery(DateTimeOffset From, DateTimeOffset To, Segment Segment)
{
    public const int MaxDays = 400;

    /// <summary>First day counted ("yyyyMMdd").</summary>
    public string FromDay => SegmentContribution.Day(From);

    /// <summary>First day no longer counted: the day of <see cref="To"/>, or the next one when <see cref="To"/> is not midnight.</summary>
    public string ToDay => SegmentContribution.Day(To.UtcDateTime.TimeOfDay == TimeSpan.Zero ? To : To.UtcDateTime.Date.AddDays(1));
}

public sealed record SegmentCustomers(string Segment, string Metric, IReadOnlyList<SegmentCustomer> Customers, bool More);

public sealed record SegmentCustomer(string CustomerId, long Count);

public sealed record SegmentMapReport
{
    public required DateTimeOffset From { get; init; }
    public required DateTimeOffset To { get; init; }
    public required string Segment { get; init; }
    public required IReadOnlyList<SegmentStageReport> Stages { get; init; }
    public required SegmentKpis Kpis { get; init; }
}

public sealed record SegmentStageReport
{
    public required JourneyStage Stage { get; init; }
    public required long Reached { get; init; }
    public StageConversion? Conversion { get; init; }
    public double? MedianDaysInStage { get; init; }
    public required long Touchpoints { get; init; }
    public required IReadOnlyList<TouchpointTypeFigures> TopTouchpoints { get; init; }
    public required long Direct { get; init; }
    public required long Indirect { get; init; }
    public required EmotionFigures Emotions { get; init; }
    public required IReadOnlyList<PainPointFigures> PainPoints { get; init; }
    public required NpsFigures Nps { get; init; }
    public required CsatFigures Csat { get; init; }
}

public sealed record StageConversion(JourneyStage To, long Count, double? Rate, double? MedianDays);

public sealed record TouchpointTypeFigures(Channel Channel, string Action, long Count, double Share)
{
    /// <summary>The counter to ask the drill-down for.</summary>
    public required string Metric { get; init; }
}

/// <summary>Mean sentiment, its spread (population standard deviation) and the share of each label, over touchpoints with a sentiment.</summary>
public sealed record EmotionFigures(long Responses, double? Mean, double? Spread, double? NegativeShare, double? NeutralShare, double? PositiveShare);

public sealed record PainPointFigures(string Action, long Count, IReadOnlyList<PainExample> Examples)
{
    public required string Metric { get; init; }
}

public sealed record PainExample(string CustomerId, string TouchpointId);

public sealed record SegmentKpis
{
    public required long Customers { get; init; }
    public required long Converted { get; init; }
    public double? ConversionRate { get; init; }
    public double? MedianDaysToConvert { get; init; }
    public required long ChurnRiskHigh { get; init; }
    public double? ChurnRiskShare { get; init; }
    public required IReadOnlyList<CurrencyKpis> Value { get; init; }
}

/// <summary>Average order value (revenue / purchases) and lifetime value (revenue / customers who bought) in one currency.</summary>
public sealed record CurrencyKpis(string Currency, long Purchases, long Customers, double Revenue, double AverageOrderValue, double LifetimeValue);

/// <summary>The map arithmetic over summed counters, separate from storage so it can be checked on known answers.</summary>
public static class SegmentMapCalculator
{
    public const int TopTouchpoints = 10;
    public const int TopPainPoints = 5;

    public static SegmentMapReport Compute(SegmentMapQuery query, IReadOnlyDictionary<string, long> counters, IReadOnlyDictionary<string, IReadOnlyList<string>> examples, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentNullException.ThrowIfNull(examples);
        long Get(string metric) => counters.GetValueOrDefault(metric);

        var stages = new List<SegmentStageReport>();
        foreach (var stage in FunnelCalculator.Order)
        {
            var s = SegmentMetrics.Stage(stage);
            var reached = Get(s + SegmentMetrics.Reached);
            var touches = Get(s + SegmentMetrics.Touches);
            StageConversion? conversion = null;
            if (stage < JourneyStage.Retention)
            {
                var converted = Get(s + SegmentMetrics.Converted);
                conversion = new StageConversion(stage + 1, converted, Rate(converted, reached, 4), MedianDays(Histogram(counters, s + SegmentMetrics.ToNextHours)));
            }

            var sentimentCount = Get(s + SegmentMetrics.SentimentCount);
            double? mean = null, spread = null;
            if (sentimentCount > 0)
            {
                var sum = Get(s + SegmentMetrics.SentimentSum) / 1000.0;
                var squares = Get(s + SegmentMetrics.SentimentSquares) / 1_000_000.0;
                var m = sum / sentimentCount;
                mean = Math.Round(m, 3);
                spread = Math.Round(Math.Sqrt(Math.Max(0, (squares / sentimentCount) - (m * m))), 3);
            }

            var promoters = Get(s + SegmentMetrics.Promoters);
            var passives = Get(s + SegmentMetrics.Passives);
            var detractors = Get(s + SegmentMetrics.Detractors);
            var npsCount = promoters + passives + detractors;
            var csatCount = Get(s + SegmentMetrics.CsatCount);
            stages.Add(new SegmentStageReport
            {
                Stage = stage,
                Reached = reached,
                Conversion = conversion,
                MedianDaysInStage = MedianDays(Histogram(counters, s + SegmentMetrics.InStageHours)),
                Touchpoints = touches,
                TopTouchpoints = counters
                    .Where(c => c.Key.StartsWith(s + SegmentMetrics.Touch, StringComparison.Ordinal) && c.Value > 0)
                    .OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal)
                    .Take(TopTouchpoints)
                    .Select(c => TouchType(c.Key, c.Value, touches, s.Length + SegmentMetrics.Touch.Length))
                    .ToList(),
                Direct = Get(s + SegmentMetrics.Direct),
                Indirect = Get(s + SegmentMetrics.Indirect),
                Emotions = new EmotionFigures(
                    sentimentCount,
                    mean,
                    spread,
                    Rate(Get(s + SegmentMetrics.Negative), sentimentCount, 4),
                    Rate(Get(s + SegmentMetrics.Neutral), sentimentCount, 4),
                    Rate(Get(s + SegmentMetrics.Positive), sentimentCount, 4)),
                PainPoints = counters
                    .Where(c => c.Key.StartsWith(s + SegmentMetrics.Pain, StringComparison.Ordinal) && c.Value > 0)
                    .OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal)
                    .Take(TopPainPoints)
                    .Select(c => new PainPointFigures(
                        c.Key[(s.Length + SegmentMetrics.Pain.Length)..],
                        c.Value,
                        (examples.GetValueOrDefault(c.Key) ?? []).Take(SegmentContribution.MaxExamples).Select(Example).ToList())
                    { Metric = c.Key })
                    .ToList(),
                Nps = new NpsFigures((int)npsCount, (int)promoters, (int)passives, (int)detractors, npsCount == 0 ? null : Math.Round(100.0 * (promoters - detractors) / npsCount, 1)),
                Csat = new CsatFigures((int)csatCount, csatCount == 0 ? null : Math.Round(Get(s + SegmentMetrics.CsatSum) / 1000.0 / csatCount, 2)),
            });
        }

        var customers = Get(SegmentMetrics.Customers);
        var convertedCustomers = Get(SegmentMetrics.ConvertedCustomers);
        var nowTicks = now.UtcTicks;
        var churnHigh = Histogram(counters, SegmentMetrics.ChurnHighFrom).Where(h => h.Key <= nowTicks).Sum(h => h.Value);
        var currencies = counters.Keys
            .Where(k => k.StartsWith("kpi.value.", StringComparison.Ordinal) && k.EndsWith(".cents", StringComparison.Ordinal))
            .Select(k => k["kpi.value.".Length..^".cents".Length])
            .Order(StringComparer.Ordinal)
            .Select(currency =>
            {
                var cents = Get(SegmentMetrics.ValueCents(currency));
                var purchases = Get(SegmentMetrics.ValuePurchases(currency));
                var buyers = Get(SegmentMetrics.ValueCustomers(currency));
                return new CurrencyKpis(
                    currency,
                    purchases,
                    buyers,
                    cents / 100.0,
                    purchases == 0 ? 0 : Math.Round(cents / 100.0 / purchases, 2),
                    buyers == 0 ? 0 : Math.Round(cents / 100.0 / buyers, 2));
            })
            .Where(c => c.Purchases > 0)
            .ToList();

        return new SegmentMapReport
        {
            From = query.From,
            To = query.To,
            Segment = query.Segment.Key,
            Stages = stages,
            Kpis = new SegmentKpis
            {
                Customers = customers,
                Converted = convertedCustomers,
                ConversionRate = Rate(convertedCustomers, customers, 4),
                MedianDaysToConvert = MedianDays(Histogram(counters, SegmentMetrics.DaysToConvertHours)),
                ChurnRiskHigh = churnHigh,
                ChurnRiskShare = Rate(churnHigh, customers, 4),
                Value = currencies,
            },
        };
    }

    /// <summary>The median of values given as a histogram of whole hours, in days (2 decimals).</summary>
    public static double? MedianDays(IReadOnlyList<KeyValuePair<long, long>> histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        var total = histogram.Sum(h => h.Value);
        if (total <= 0)
        {
            return null;
        }

        long At(long index)
        {
            foreach (var (hours, count) in histogram)
            {
                if (index < count)
                {
                    return hours;
                }

                index -= count;
            }

            return histogram[^1].Key;
        }

        var median = total % 2 == 1 ? At(total / 2) : (At((total / 2) - 1) + At(total / 2)) / 2.0;
        return Math.Round(median / 24.0, 2);
    }

    /// <summary>Counters "prefix&lt;number&gt;" as (number, count), sorted by number.</summary>
    public static IReadOnlyList<KeyValuePair<long, long>> Histogram(IReadOnlyDictionary<string, long> counters, string prefix)
    {
        ArgumentNullException.ThrowIfNull(counters);
        return counters
            .Where(c => c.Value > 0 && c.Key.StartsWith(prefix, StringComparison.Ordinal))
            .Select(c => new KeyValuePair<long, long>(long.Parse(c.Key[prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture), c.Value))
            .OrderBy(c => c.Key)
            .ToList();
    }

    private static double? Rate(long part, long whole, int digits) => whole == 0 ? null : Math.Round((double)part / whole, digits);

    private static TouchpointTypeFigures TouchType(string metric, long count, long total, int prefixLength)
    {
        var key = metric[prefixLength..];
        var space = key.IndexOf(' ', StringComparison.Ordinal);
        var channel = Api.QueryParsing.TryParseEnum<Channel>(key[..space], out var parsed) ? parsed : Channel.Other;
        return new TouchpointTypeFigures(channel, key[(space + 1)..], count, total == 0 ? 0 : Math.Round((double)count / total, 4)) { Metric = metric };
    }

    private static PainExample Example(string text)
    {
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        return new PainExample(text[..space], text[(space + 1)..]);
    }
}

/// <summary>Reads the map's query string, naming exactly which value was wrong.</summary>
public static class SegmentMapQueryParser
{
    public const int DefaultDays = 90;
    public const int MaxCustomersLimit = 200;

    /// <summary>Window [from, to): both optional (default: the <see cref="DefaultDays"/> days up to now), at most <see cref="SegmentMapQuery.MaxDays"/> days; segment optional (default all).</summary>
    public static (SegmentMapQuery? Query, Api.ApiError? Error) Parse(Func<string, string?> get, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(get);
        var (from, to, windowError) = Api.QueryParsing.ParseWindow(get, now, DefaultDays, SegmentMapQuery.MaxDays);
        if (windowError is not null)
        {
            return (null, windowError);
        }

        var segment = Segment.All;
        if (get("segment") is { } segmentText)
        {
            segment = Segment.TryParse(segmentText, out var error)!;
            if (error is not null)
            {
                return Bad("segment", error);
            }

            // A first-touch source must be one a touchpoint can carry: a misspelt one would only ever draw an empty map.
            // (Checked here, on the request, not in Segment.TryParse, which also reads the segment keys of stored rows.)
            if (segment.Kind == SegmentKind.Source)
            {
                if (Api.QueryParsing.TryParseSource(segment.Value) is not { } source)
                {
                    return Bad("segment", "'source:' " + Api.QueryParsing.SourceRule);
                }

                segment = Segment.FirstSource(source);
            }
        }

        return (new SegmentMapQuery(from, to, segment), null);
    }

    /// <summary>The drill-down's counter: a touchpoint type or pain point metric as the map answer names it.</summary>
    public static (string? Metric, int Limit, Api.ApiError? Error) ParseDrillDown(Func<string, string?> get)
    {
        ArgumentNullException.ThrowIfNull(get);
        var metric = get("metric");
        var stagePrefixes = FunnelCalculator.Order.Select(SegmentMetrics.Stage).ToList();
        if (metric is null || metric.Length > 300 || metric.Any(char.IsControl)
            || !stagePrefixes.Any(p => metric.StartsWith(p + SegmentMetrics.Touch, StringComparison.Ordinal) || metric.StartsWith(p + SegmentMetrics.Pain, StringComparison.Ordinal)))
        {
            return (null, 0, new Api.ApiError(400, "Invalid query parameter 'metric'", "'metric' must be a touchpoint type or pain point of the map, e.g. consideration.touch.web page.viewed or retention.pain.review.posted (the map answer names it as 'metric')."));
        }

        var limit = 50;
        if (get("limit") is { } limitText
            && (!int.TryParse(limitText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxCustomersLimit))
        {
            return (null, 0, new Api.ApiError(400, "Invalid query parameter 'limit'", $"'limit' must be a whole number from 1 to {MaxCustomersLimit}."));
        }

        return (metric, limit, null);
    }

    private static (SegmentMapQuery?, Api.ApiError?) Bad(string parameter, string detail) =>
        (null, new Api.ApiError(400, $"Invalid query parameter '{parameter}'", $"'{parameter}' {detail}."));
}
