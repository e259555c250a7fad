using JourneyHub.Core.Schema;

namespace JourneyHub.Core.SentimentScoring;

/// <summary>
/// Exact sentiment from numbers the customer chose: star ratings and survey answers. These win over any text.
/// <code>
/// scale          range  score (-1..1)                   label
/// stars (of 5)   1..5   (stars - 3) / 2                 ≤2 negative, 3 neutral, ≥4 positive
/// rating (of n)  1..n   2 (value - 1) / (n - 1) - 1     from the score (±0.2 neutral band)
/// NPS            0..10  (score - 5) / 5                 0–6 detractor negative, 7–8 passive neutral, 9–10 promoter positive
/// CSAT           1..5   as stars                        as stars
/// CES            1..7   (4 - score) / 3                 1–3 low effort positive, 4 neutral, 5–7 high effort negative
/// </code>
/// Answers outside the range, or not whole numbers, have no sentiment (null): the caller rejects them.
/// </summary>
public static class SentimentRules
{
    public sealed record SurveyRule(int Min, int Max, Func<int, double> Score, Func<int, SentimentLabel> Label, string Explanation);

    public static IReadOnlyDictionary<SurveyType, SurveyRule> SurveyTable { get; } = new Dictionary<SurveyType, SurveyRule>
    {
        [SurveyType.Nps] = new(0, 10, s => (s - 5) / 5.0, s => s switch
        {
            <= 6 => SentimentLabel.Negative,
            <= 8 => SentimentLabel.Neutral,
            _ => SentimentLabel.Positive,
        }, "Net Promoter Score: detractors 0–6, passives 7–8, promoters 9–10"),
        [SurveyType.Csat] = new(1, 5, s => (s - 3) / 2.0, StarLabel, "Customer satisfaction 1–5, read like stars"),
        [SurveyType.Ces] = new(1, 7, s => (4 - s) / 3.0, s => s switch
        {
            <= 3 => SentimentLabel.Positive,
            4 => SentimentLabel.Neutral,
            _ => SentimentLabel.Negative,
        }, "Customer effort 1 (very easy) – 7 (very hard): low effort is good"),
    };

    /// <summary>The five star sentiments, made once: every review with stars reads one (a <see cref="Sentiment"/> is immutable).</summary>
    private static readonly Sentiment[] StarSentiments = [.. Enumerable.Range(1, 5).Select(stars => new Sentiment((stars - 3) / 2.0, StarLabel(stars)))];

    /// <summary>1..5 stars → -1, -0.5, 0, 0.5, 1.</summary>
    public static Sentiment? FromStars(int stars) =>
        stars is >= 1 and <= 5 ? StarSentiments[stars - 1] : null;

    /// <summary>A rating of <paramref name="value"/> on a 1..<paramref name="scale"/> scale, spread linearly over -1..1.</summary>
    public static Sentiment? FromRating(int value, int scale)
    {
        if (scale == 5)
        {
            return FromStars(value);
        }

        if (scale is < 2 or > 100 || value < 1 || value > scale)
        {
            return null;
        }

        return Sentiment.FromScore((2.0 * (value - 1) / (scale - 1)) - 1.0);
    }

    public static Sentiment? FromSurvey(SurveyType type, double score)
    {
        var rule = SurveyTable[type];
        if (double.IsNaN(score) || score != Math.Floor(score) || score < rule.Min || score > rule.Max)
        {
            return null;
        }

        var whole = (int)score;
        return new Sentiment(Math.Round(rule.Score(whole), 3), rule.Label(whole));
    }

    public static bool IsValidSurveyScore(SurveyType type, double score) => FromSurvey(type, score) is not null;

    private static SentimentLabel StarLabel(int stars) => stars switch
    {
        <= 2 => SentimentLabel.Negative,
        3 => SentimentLabel.Neutral,
        _ => SentimentLabel.Positive,
    };
}
