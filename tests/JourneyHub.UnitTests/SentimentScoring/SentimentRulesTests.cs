using JourneyHub.Core.Schema;
using JourneyHub.Core.SentimentScoring;

namespace JourneyHub.UnitTests.SentimentScoring;

public sealed class SentimentRulesTests
{
    [Theory]
    [InlineData(1, -1.0, SentimentLabel.Negative)]
    [InlineData(2, -0.5, SentimentLabel.Negative)]
    [InlineData(3, 0.0, SentimentLabel.Neutral)]
    [InlineData(4, 0.5, SentimentLabel.Positive)]
    [InlineData(5, 1.0, SentimentLabel.Positive)]
    public void Stars_map_linearly_onto_minus_one_to_one(int stars, double score, SentimentLabel label) =>
        Assert.Equal(new Sentiment(score, label), SentimentRules.FromStars(stars));

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    public void Stars_outside_one_to_five_have_no_sentiment(int stars) => Assert.Null(SentimentRules.FromStars(stars));

    [Theory]
    [InlineData(0, -1.0, SentimentLabel.Negative)]
    [InlineData(6, 0.2, SentimentLabel.Negative)]
    [InlineData(7, 0.4, SentimentLabel.Neutral)]
    [InlineData(8, 0.6, SentimentLabel.Neutral)]
    [InlineData(9, 0.8, SentimentLabel.Positive)]
    [InlineData(10, 1.0, SentimentLabel.Positive)]
    public void Nps_detractors_passives_and_promoters(int score, double expected, SentimentLabel label) =>
        Assert.Equal(new Sentiment(expected, label), SentimentRules.FromSurvey(SurveyType.Nps, score));

    [Theory]
    [InlineData(1, -1.0, SentimentLabel.Negative)]
    [InlineData(3, 0.0, SentimentLabel.Neutral)]
    [InlineData(5, 1.0, SentimentLabel.Positive)]
    public void Csat_reads_like_stars(int score, double expected, SentimentLabel label) =>
        Assert.Equal(new Sentiment(expected, label), SentimentRules.FromSurvey(SurveyType.Csat, score));

    [Theory]
    [InlineData(1, 1.0, SentimentLabel.Positive)]
    [InlineData(3, 0.333, SentimentLabel.Positive)]
    [InlineData(4, 0.0, SentimentLabel.Neutral)]
    [InlineData(5, -0.333, SentimentLabel.Negative)]
    [InlineData(7, -1.0, SentimentLabel.Negative)]
    public void Ces_low_effort_is_good(int score, double expected, SentimentLabel label) =>
        Assert.Equal(new Sentiment(expected, label), SentimentRules.FromSurvey(SurveyType.Ces, score));

    [Theory]
    [InlineData(SurveyType.Nps, -1)]
    [InlineData(SurveyType.Nps, 11)]
    [InlineData(SurveyType.Nps, 8.5)]
    [InlineData(SurveyType.Csat, 0)]
    [InlineData(SurveyType.Csat, 6)]
    [InlineData(SurveyType.Ces, 0)]
    [InlineData(SurveyType.Ces, 8)]
    [InlineData(SurveyType.Ces, double.NaN)]
    public void Out_of_range_or_fractional_answers_have_no_sentiment(SurveyType type, double score)
    {
        Assert.Null(SentimentRules.FromSurvey(type, score));
        Assert.False(SentimentRules.IsValidSurveyScore(type, score));
    }

    [Theory]
    [InlineData(1, 10, -1.0)]
    [InlineData(10, 10, 1.0)]
    [InlineData(3, 5, 0.0)]
    [InlineData(2, 3, 0.0)]
    public void Ratings_on_other_scales_spread_over_the_same_range(int value, int scale, double expected) =>
        Assert.Equal(expected, SentimentRules.FromRating(value, scale)!.Score);

    [Theory]
    [InlineData(0, 10)]
    [InlineData(11, 10)]
    [InlineData(1, 1)]
    public void Impossible_ratings_have_no_sentiment(int value, int scale) => Assert.Null(SentimentRules.FromRating(value, scale));

    [Fact]
    public void Every_survey_type_has_a_rule() =>
        Assert.All(Enum.GetValues<SurveyType>(), t => Assert.True(SentimentRules.SurveyTable.ContainsKey(t)));
}
