using System.Globalization;
using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Journey;

/// <summary>
/// The journey summary kept per customer. Every field is built from commutative pieces (counts, sums, minima,
/// maxima, "latest by occurredAt" with a fixed tie-break, "the N latest by occurredAt"), so applying touchpoints in
/// any order gives the same state, and two states combine into the state of the union (<see cref="Combine"/>, used
/// by merges). Each touchpoint is applied once, when its timeline row is first written. Anything that needs order
/// (pain points, usual gap between visits) keeps a bounded, sorted sample and is derived at read time.
/// </summary>
public sealed record JourneyState
{
    /// <summary>Sentiment points kept for pain points: the latest by occurredAt. Bounded so the row stays far below 64 KiB.</summary>
    public const int MaxSentimentPoints = 60;

    /// <summary>Distinct active days kept for the usual gap between visits.</summary>
    public const int MaxActiveDays = 90;

    /// <summary>Actions that count as a purchase for value figures.</summary>
    public static readonly IReadOnlySet<string> PurchaseActions = new HashSet<string>(StringComparer.Ordinal)
    {
        "purchase.completed", "order.completed", "order.placed", "order.paid", "deal.won",
    };

    /// <summary>Actions whose amount was paid back: it lowers the value of the currency, not the number of purchases.</summary>
    public static readonly IReadOnlySet<string> RefundActions = new HashSet<string>(StringComparer.Ordinal)
    {
        "order.refunded", "purchase.refunded",
    };

    /// <summary>Attribute names read as the amount of a purchase, in this order (the custom source writes numbers as invariant strings).</summary>
    public static readonly IReadOnlyList<string> AmountAttributes = ["amount", "basketValue", "value"];

    /// <summary>ISO 4217 "no currency", for amounts that name none.</summary>
    public const string NoCurrency = "XXX";

    /// <summary>
    /// Touch facts kept for placing touchpoints in journey stages (<see cref="JourneyPlacement"/>): the latest by
    /// occurredAt. About 60 characters each, so the summary stays far below a table property's 64 KiB.
    /// </summary>
    public const int MaxTouches = 200;

    /// <summary>The touchpoint attribute that names the customer's persona (set by sources, or by the persona rules from their own fields).</summary>
    public const string PersonaAttribute = "persona";

    public int TouchpointCount { get; init; }
    public DateTimeOffset? FirstTouchAt { get; init; }
    public DateTimeOffset? LastTouchAt { get; init; }
    public JourneyStage? CurrentStage { get; init; }
    public DateTimeOffset? CurrentStageAt { get; init; }
    public Dictionary<JourneyStage, StageSpan> Stages { get; init; } = [];
    public Dictionary<Channel, int> ByChannel { get; init; } = [];
    public Dictionary<TouchpointKind, int> ByKind { get; init; } = [];

    /// <summary>Sentiment per calendar month (UTC, "yyyy-MM"): sum and count, so the mean is exact under any order.</summary>
    public Dictionary<string, SentimentBucket> SentimentByMonth { get; init; } = [];
    public SurveyPoint? LatestNps { get; init; }
    public SurveyPoint? LatestCsat { get; init; }
    public SurveyPoint? LatestCes { get; init; }

    /// <summary>The latest <see cref="MaxSentimentPoints"/> sentiment points, sorted by occurredAt then touchpoint id.</summary>
    public List<SentimentPoint> SentimentPoints { get; init; } = [];
    public int PurchaseCount { get; init; }

    /// <summary>Purchase amounts per currency (upper-case ISO 4217 as sent).</summary>
    public Dictionary<string, ValueBucket> ValueByCurrency { get; init; } = [];

    /// <summary>The latest <see cref="MaxActiveDays"/> distinct UTC days with a touchpoint ("yyyy-MM-dd"), sorted.</summary>
    public List<string> ActiveDays { get; init; } = [];

    /// <summary>The latest <see cref="MaxTouches"/> touch facts, sorted by <see cref="TouchFact.Order"/>.</summary>
    public List<TouchFact> Touches { get; init; } = [];

    /// <summary>Older touch facts, added up per journey stage as they were placed when they left <see cref="Touches"/>.</summary>
    public Dictionary<JourneyStage, StageFacts> FoldedTouches { get; init; } = [];

    /// <summary>The earliest touch fact (by <see cref="TouchFact.Order"/>): where the customer came from, for segments.</summary>
    public TouchFact? FirstTouch { get; init; }

    /// <summary>The latest persona named by any source (latest by occurredAt, then touchpoint id).</summary>
    public PersonaPoint? Persona { get; init; }

    public JourneyState Apply(Touchpoint touchpoint)
    {
        ArgumentNullException.ThrowIfNull(touchpoint);
        var at = touchpoint.OccurredAt;
        var stages = new Dictionary<JourneyStage, StageSpan>(Stages);
        var (currentStage, currentStageAt) = (CurrentStage, CurrentStageAt);
        if (touchpoint.Stage is { } stage)
        {
            var single = new StageSpan(at, at, 1) { FirstSource = touchpoint.Source, FirstTouchpointId = touchpoint.TouchpointId };
            stages[stage] = stages.TryGetValue(stage, out var span) ? span.Combine(single) : single;
            (currentStage, currentStageAt) = LaterStage((currentStage, currentStageAt), (stage, at));
        }

        var byChannel = new Dictionary<Channel, int>(ByChannel);
        byChannel[touchpoint.Channel] = byChannel.GetValueOrDefault(touchpoint.Channel) + 1;
        var byKind = new Dictionary<TouchpointKind, int>(ByKind);
        byKind[touchpoint.Kind] = byKind.GetValueOrDefault(touchpoint.Kind) + 1;

        var sentimentByMonth = SentimentByMonth;
        var sentimentPoints = SentimentPoints;
        if (touchpoint.Sentiment is { } s)
        {
            sentimentByMonth = new Dictionary<string, SentimentBucket>(SentimentByMonth);
            var month = at.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);
            var bucket = sentimentByMonth.GetValueOrDefault(month) ?? new SentimentBucket(0, 0);
            sentimentByMonth[month] = new SentimentBucket(bucket.Sum + s.Score, bucket.Count + 1);
            sentimentPoints = LatestSorted(SentimentPoints, [new SentimentPoint(at, s.Score, touchpoint.TouchpointId, touchpoint.Source, touchpoint.Action)], MaxSentimentPoints, SentimentPoint.Order);
        }

        var purchaseCount = PurchaseCount;
        var value = ValueByCurrency;
        if (PurchaseActions.Contains(touchpoint.Action))
        {
            purchaseCount++;
            if (Amount(touchpoint) is { } amount)
            {
                value = new Dictionary<string, ValueBucket>(ValueByCurrency, StringComparer.Ordinal);
                var currency = Currency(touchpoint);
                var bucket = value.GetValueOrDefault(currency) ?? new ValueBucket(0, 0);
                value[currency] = new ValueBucket(bucket.Count + 1, bucket.Sum + amount);
            }
        }
        else if (RefundActions.Contains(touchpoint.Action) && Amount(touchpoint) is { } refunded)
        {
            // A sum, so it commutes: a refund applied before its order still nets out to the same value.
            value = new Dictionary<string, ValueBucket>(ValueByCurrency, StringComparer.Ordinal);
            var currency = Currency(touchpoint);
            var bucket = value.GetValueOrDefault(currency) ?? new ValueBucket(0, 0);
            value[currency] = new ValueBucket(bucket.Count, bucket.Sum - refunded);
        }

        var touches = new List<TouchFact>(Touches.Count + 1);
        touches.AddRange(Touches);
        var fact = TouchFact.From(touchpoint);
        var index = touches.BinarySearch(fact, TouchFact.Order);
        touches.Insert(index < 0 ? ~index : index, fact);

        return (this with
        {
            TouchpointCount = TouchpointCount + 1,
            FirstTouchAt = Min(FirstTouchAt, at),
            LastTouchAt = Max(LastTouchAt, at),
            CurrentStage = currentStage,
            CurrentStageAt = currentStageAt,
            Stages = stages,
            ByChannel = byChannel,
            ByKind = byKind,
            SentimentByMonth = sentimentByMonth,
            SentimentPoints = sentimentPoints,
            LatestNps = Latest(LatestNps, Point(touchpoint, SurveyType.Nps)),
            LatestCsat = Latest(LatestCsat, Point(touchpoint, SurveyType.Csat)),
            LatestCes = Latest(LatestCes, Point(touchpoint, SurveyType.Ces)),
            PurchaseCount = purchaseCount,
            ValueByCurrency = value,
            ActiveDays = LatestSorted(ActiveDays, [at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)], MaxActiveDays, StringComparer.Ordinal),
            Touches = touches,
            FirstTouch = Earliest(FirstTouch, fact),
            Persona = LatestPersona(Persona, PersonaOf(touchpoint)),
        }).FoldExcessTouches();
    }

    /// <summary>The state of both sets of touchpoints together (they must not overlap), as if each had been applied to one state.</summary>
    public JourneyState Combine(JourneyState other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var stages = new Dictionary<JourneyStage, StageSpan>(Stages);
        foreach (var (stage, span) in other.Stages)
        {
            stages[stage] = stages.TryGetValue(stage, out var mine) ? mine.Combine(span) : span;
        }

        var current = (CurrentStage, CurrentStageAt);
        if (other.CurrentStage is { } otherStage && other.CurrentStageAt is { } otherAt)
        {
            current = LaterStage(current, (otherStage, otherAt));
        }

        var month = new Dictionary<string, SentimentBucket>(SentimentByMonth);
        foreach (var (key, bucket) in other.SentimentByMonth)
        {
            var mine = month.GetValueOrDefault(key) ?? new SentimentBucket(0, 0);
            month[key] = new SentimentBucket(mine.Sum + bucket.Sum, mine.Count + bucket.Count);
        }

        var value = new Dictionary<string, ValueBucket>(ValueByCurrency, StringComparer.Ordinal);
        foreach (var (currency, bucket) in other.ValueByCurrency)
        {
            var mine = value.GetValueOrDefault(currency) ?? new ValueBucket(0, 0);
            value[currency] = new ValueBucket(mine.Count + bucket.Count, mine.Sum + bucket.Sum);
        }

        var folded = new Dictionary<JourneyStage, StageFacts>(FoldedTouches);
        foreach (var (stage, facts) in other.FoldedTouches)
        {
            folded[stage] = folded.TryGetValue(stage, out var mine) ? mine.Add(facts) : facts;
        }

        var touches = Touches.Concat(other.Touches).ToList();
        touches.Sort(TouchFact.Order);

        return new JourneyState
        {
            TouchpointCount = TouchpointCount + other.TouchpointCount,
            FirstTouchAt = other.FirstTouchAt is { } f ? Min(FirstTouchAt, f) : FirstTouchAt,
            LastTouchAt = other.LastTouchAt is { } l ? Max(LastTouchAt, l) : LastTouchAt,
            CurrentStage = current.Item1,
            CurrentStageAt = current.Item2,
            Stages = stages,
            ByChannel = Sum(ByChannel, other.ByChannel),
            ByKind = Sum(ByKind, other.ByKind),
            SentimentByMonth = month,
            SentimentPoints = LatestSorted(SentimentPoints, other.SentimentPoints, MaxSentimentPoints, SentimentPoint.Order),
            LatestNps = Latest(LatestNps, other.LatestNps),
            LatestCsat = Latest(LatestCsat, other.LatestCsat),
            LatestCes = Latest(LatestCes, other.LatestCes),
            PurchaseCount = PurchaseCount + other.PurchaseCount,
            ValueByCurrency = value,
            ActiveDays = LatestSorted(ActiveDays, other.ActiveDays, MaxActiveDays, StringComparer.Ordinal),
            Touches = touches,
            FoldedTouches = folded,
            FirstTouch = other.FirstTouch is { } otherFirst ? Earliest(FirstTouch, otherFirst) : FirstTouch,
            Persona = LatestPersona(Persona, other.Persona),
        }.FoldExcessTouches();
    }

    /// <summary>Where each touchpoint sits in the journey, and what the customer did per journey stage.</summary>
    public JourneyPlacement Placement() => JourneyPlacement.Of(this);

    /// <summary>Keeps the latest <see cref="MaxTouches"/> facts; older ones are added to <see cref="FoldedTouches"/> in the stage they are in now.</summary>
    private JourneyState FoldExcessTouches()
    {
        if (Touches.Count <= MaxTouches)
        {
            return this;
        }

        var placement = JourneyPlacement.Of(this);
        var excess = Touches.Count - MaxTouches;
        var folded = new Dictionary<JourneyStage, StageFacts>(FoldedTouches);
        foreach (var touch in Touches.Take(excess))
        {
            var stage = placement.StageAt(touch.At);
            folded[stage] = (folded.GetValueOrDefault(stage) ?? new StageFacts()).Add(touch);
        }

        return this with { Touches = Touches.GetRange(excess, MaxTouches), FoldedTouches = folded };
    }

    private static TouchFact Earliest(TouchFact? a, TouchFact b) => a is null || TouchFact.Order.Compare(b, a) < 0 ? b : a;

    private static PersonaPoint? PersonaOf(Touchpoint touchpoint) =>
        touchpoint.Attributes.TryGetValue(PersonaAttribute, out var value) && value.Trim() is { Length: > 0 } persona
            ? new PersonaPoint(persona.Length > 100 ? persona[..100] : persona, touchpoint.OccurredAt, touchpoint.TouchpointId)
            : null;

    /// <summary>The later value wins; at the same instant the larger touchpoint id, so order never matters.</summary>
    private static PersonaPoint? LatestPersona(PersonaPoint? a, PersonaPoint? b) =>
        a is null ? b
        : b is null ? a
        : b.At > a.At || (b.At == a.At && string.CompareOrdinal(b.TouchpointId, a.TouchpointId) > 0) ? b : a;

    /// <summary>The amount of a purchase (or of a refund, paid back) from <c>amount</c>, <c>basketValue</c> or <c>value</c>, read with the invariant culture; never negative.</summary>
    public static double? Amount(Touchpoint touchpoint)
    {
        ArgumentNullException.ThrowIfNull(touchpoint);
        foreach (var name in AmountAttributes)
        {
            if (touchpoint.Attributes.TryGetValue(name, out var text)
                && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount)
                && double.IsFinite(amount) && amount >= 0)
            {
                return amount;
            }
        }

        return null;
    }

    private static string Currency(Touchpoint touchpoint) =>
        touchpoint.Attributes.TryGetValue("currency", out var c) && c.Trim() is { Length: 3 } code && code.All(char.IsAsciiLetter)
            ? code.ToUpperInvariant()
            : NoCurrency;

    /// <summary>The later stage event wins; at the same instant the further stage wins, so order never matters.</summary>
    private static (JourneyStage?, DateTimeOffset?) LaterStage((JourneyStage? Stage, DateTimeOffset? At) current, (JourneyStage Stage, DateTimeOffset At) candidate) =>
        current.At is null || candidate.At > current.At || (candidate.At == current.At && candidate.Stage > current.Stage)
            ? (candidate.Stage, candidate.At)
            : current;

    private static SurveyPoint? Point(Touchpoint touchpoint, SurveyType type) =>
        touchpoint.Survey is { } survey && survey.Type == type ? new SurveyPoint(survey.Score, touchpoint.OccurredAt, touchpoint.TouchpointId) : null;

    /// <summary>The later answer wins; at the same instant the larger touchpoint id, so order never matters.</summary>
    private static SurveyPoint? Latest(SurveyPoint? a, SurveyPoint? b) =>
        a is null ? b
        : b is null ? a
        : b.At > a.At || (b.At == a.At && string.CompareOrdinal(b.TouchpointId, a.TouchpointId) > 0) ? b : a;

    private static List<T> LatestSorted<T>(IEnumerable<T> a, IEnumerable<T> b, int max, IComparer<T> order)
    {
        var all = a.Concat(b).Distinct().ToList();
        all.Sort(order);
        return all.Count > max ? all.GetRange(all.Count - max, max) : all;
    }

    private static Dictionary<TKey, int> Sum<TKey>(Dictionary<TKey, int> a, Dictionary<TKey, int> b)
        where TKey : notnull
    {
        var sum = new Dictionary<TKey, int>(a);
        foreach (var (key, count) in b)
        {
            sum[key] = sum.GetValueOrDefault(key) + count;
        }

        return sum;
    }

    private static DateTimeOffset Min(DateTimeOffset? a, DateTimeOffset b) => a is null || b < a ? b : a.Value;

    private static DateTimeOffset Max(DateTimeOffset? a, DateTimeOffset b) => a is null || b > a ? b : a.Value;
}

/// <summary>First and last time in a stage, how often, and which touchpoint (and source) got the customer there first.</summary>
public sealed record StageSpan(DateTimeOffset First, DateTimeOffset Last, int Count)
{
    public string? FirstSource { get; init; }
    public string? FirstTouchpointId { get; init; }

    public StageSpan Combine(StageSpan other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var otherFirst = other.First < First || (other.First == First && string.CompareOrdinal(other.FirstTouchpointId, FirstTouchpointId) < 0);
        return new StageSpan(otherFirst ? other.First : First, other.Last > Last ? other.Last : Last, Count + other.Count)
        {
            FirstSource = otherFirst ? other.FirstSource : FirstSource,
            FirstTouchpointId = otherFirst ? other.FirstTouchpointId : FirstTouchpointId,
        };
    }
}

public sealed record SentimentBucket(double Sum, int Count);

public sealed record SurveyPoint(double Score, DateTimeOffset At, string TouchpointId);

public sealed record ValueBucket(int Count, double Sum);

public sealed record SentimentPoint(DateTimeOffset At, double Score, string TouchpointId, string Source, string Action)
{
    public static IComparer<SentimentPoint> Order { get; } = Comparer<SentimentPoint>.Create((a, b) =>
    {
        var byTime = a.At.CompareTo(b.At);
        return byTime != 0 ? byTime : string.CompareOrdinal(a.TouchpointId, b.TouchpointId);
    });
}
