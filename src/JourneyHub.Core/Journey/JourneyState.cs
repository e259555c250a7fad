using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Journey;

/// <summary>
/// The journey summary kept per customer. Every field is built from commutative pieces (counts, minima,
/// maxima, "latest by occurredAt"), so applying touchpoints in any order gives the same state; each
/// touchpoint is applied once, when its timeline row is first written.
/// </summary>
public sealed record JourneyState
{
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

    public JourneyState Apply(Touchpoint touchpoint)
    {
        var at = touchpoint.OccurredAt;
        var stages = new Dictionary<JourneyStage, StageSpan>(Stages);
        var currentStage = CurrentStage;
        var currentStageAt = CurrentStageAt;
        if (touchpoint.Stage is { } stage)
        {
            stages[stage] = stages.TryGetValue(stage, out var span) ? span.Include(at) : new StageSpan(at, at, 1);
            if (currentStageAt is null || at >= currentStageAt)
            {
                currentStage = stage;
                currentStageAt = at;
            }
        }

        var byChannel = new Dictionary<Channel, int>(ByChannel);
        byChannel[touchpoint.Channel] = byChannel.GetValueOrDefault(touchpoint.Channel) + 1;
        var byKind = new Dictionary<TouchpointKind, int>(ByKind);
        byKind[touchpoint.Kind] = byKind.GetValueOrDefault(touchpoint.Kind) + 1;

        var sentiment = new Dictionary<string, SentimentBucket>(SentimentByMonth);
        if (touchpoint.Sentiment is { } s)
        {
            var month = at.UtcDateTime.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
            var bucket = sentiment.GetValueOrDefault(month) ?? new SentimentBucket(0, 0);
            sentiment[month] = new SentimentBucket(bucket.Sum + s.Score, bucket.Count + 1);
        }

        return this with
        {
            TouchpointCount = TouchpointCount + 1,
            FirstTouchAt = Min(FirstTouchAt, at),
            LastTouchAt = Max(LastTouchAt, at),
            CurrentStage = currentStage,
            CurrentStageAt = currentStageAt,
            Stages = stages,
            ByChannel = byChannel,
            ByKind = byKind,
            SentimentByMonth = sentiment,
            LatestNps = Latest(LatestNps, touchpoint, SurveyType.Nps),
            LatestCsat = Latest(LatestCsat, touchpoint, SurveyType.Csat),
            LatestCes = Latest(LatestCes, touchpoint, SurveyType.Ces),
        };
    }

    private static SurveyPoint? Latest(SurveyPoint? current, Touchpoint touchpoint, SurveyType type) =>
        touchpoint.Survey is { } survey && survey.Type == type && (current is null || touchpoint.OccurredAt >= current.At)
            ? new SurveyPoint(survey.Score, touchpoint.OccurredAt, touchpoint.TouchpointId)
            : current;

    private static DateTimeOffset Min(DateTimeOffset? a, DateTimeOffset b) => a is null || b < a ? b : a.Value;

    private static DateTimeOffset Max(DateTimeOffset? a, DateTimeOffset b) => a is null || b > a ? b : a.Value;
}

public sealed record StageSpan(DateTimeOffset First, DateTimeOffset Last, int Count)
{
    public StageSpan Include(DateTimeOffset at) => new(at < First ? at : First, at > Last ? at : Last, Count + 1);
}

public sealed record SentimentBucket(double Sum, int Count);

public sealed record SurveyPoint(double Score, DateTimeOffset At, string TouchpointId);
