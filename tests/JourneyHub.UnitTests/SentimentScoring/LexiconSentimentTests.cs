using JourneyHub.Core.Schema;
using JourneyHub.Core.SentimentScoring;

namespace JourneyHub.UnitTests.SentimentScoring;

public sealed class LexiconSentimentTests
{
    [Theory]
    [InlineData("The tent is good")]
    [InlineData("Love this! Is it available in size M?")]
    [InlineData("Great service at your Berlin store today!")]
    public void Praise_is_positive(string text) => Assert.Equal(SentimentLabel.Positive, LexiconSentiment.Score(text)!.Label);

    [Theory]
    [InlineData("Terrible delivery, the box arrived damaged")]
    [InlineData("Worst support ever")]
    public void Complaints_are_negative(string text) => Assert.Equal(SentimentLabel.Negative, LexiconSentiment.Score(text)!.Label);

    [Fact]
    public void Not_good_is_negative() => Assert.True(LexiconSentiment.Score("not good")!.Score < -0.2);

    [Fact]
    public void Not_bad_is_positive_ish() => Assert.True(LexiconSentiment.Score("not bad")!.Score > 0);

    [Theory]
    [InlineData("The jacket isn't good")]
    [InlineData("The jacket isn’t good")]
    [InlineData("It was never good")]
    [InlineData("Delivered without any good packaging")]
    public void Every_negator_flips_the_next_words(string text) => Assert.True(LexiconSentiment.Score(text)!.Score < 0);

    [Fact]
    public void Negation_reaches_only_three_words_ahead() =>
        Assert.True(LexiconSentiment.Score("not one of the good ones")!.Score > 0);

    [Fact]
    public void Punctuation_ends_the_negation() =>
        Assert.True(LexiconSentiment.Score("No. Good service")!.Score > 0);

    [Fact]
    public void Intensifier_multiplies_by_one_and_a_half()
    {
        var plain = LexiconSentiment.Score("good")!.Score;
        var very = LexiconSentiment.Score("very good")!.Score;
        Assert.Equal(0.667, plain);
        Assert.Equal(1.0, very);
        Assert.Equal(-1.0, LexiconSentiment.Score("really bad")!.Score);
    }

    [Fact]
    public void The_part_after_but_counts_more()
    {
        Assert.Equal(SentimentLabel.Negative, LexiconSentiment.Score("The staff were nice but the delivery was slow")!.Label);
        Assert.Equal(SentimentLabel.Positive, LexiconSentiment.Score("The delivery was slow but the staff were nice")!.Label);
    }

    [Theory]
    [InlineData("Hi, I need help with order #A-10442")]
    [InlineData("Do you ship to Norway?")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("   ")]
    public void Text_without_sentiment_words_has_no_sentiment(string? text) => Assert.Null(LexiconSentiment.Score(text));

    [Fact]
    public void Scores_stay_within_minus_one_to_one() =>
        Assert.Equal(1.0, LexiconSentiment.Score("extremely extremely really amazing")!.Score);

    [Fact]
    public void Lexicon_stays_small_and_within_minus_three_to_three()
    {
        Assert.InRange(LexiconSentiment.Lexicon.Count, 50, 400);
        Assert.All(LexiconSentiment.Lexicon.Values, v => Assert.InRange(v, -3, 3));
        Assert.DoesNotContain(0, LexiconSentiment.Lexicon.Values);
    }
}
