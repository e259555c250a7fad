using System.Text.RegularExpressions;
using JourneyHub.Core.Schema;
using JourneyHub.Core.SentimentScoring;

namespace JourneyHub.UnitTests.Reliability;

/// <summary>
/// The span tokenizer of <see cref="LexiconSentiment"/> replaced a regex one to stop allocating per word; this
/// pins it to the regex reference (the previous implementation, kept here) over generated text.
/// </summary>
public sealed partial class LexiconSentimentEquivalenceTests
{
    private static readonly string[] Words =
    [
        "love", "Love", "GREAT", "not", "never", "don't", "don’t", "isn't", "very", "Really", "but", "BUT", "slow", "terrible",
        "'good'", "''", "'", "bad'", "café", "naïve", "ÉTÉ", "Straße", "ok", "fine", "the", "it", "was", "service", "😀", "123",
        "really really", "no", "without", "extremely", "awful", "n't", "won't", "nothing", "recommend", "x",
    ];

    private static readonly string[] Separators = [" ", "  ", ". ", "! ", "?", ";", ",", ", ", "\n", "\t", "-", "…", " / "];

    [Fact]
    public void Scores_equal_the_regex_reference_on_generated_text()
    {
        var random = new Random(42);
        for (var n = 0; n < 5000; n++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(0, 25)).Select(_ => Words[random.Next(Words.Length)] + Separators[random.Next(Separators.Length)]));
            Assert.True(Reference(text) == LexiconSentiment.Score(text), $"'{text}': reference {Reference(text)}, got {LexiconSentiment.Score(text)}");
        }
    }

    [Theory]
    [InlineData("The café looked lovely but the service was really slow 🙁")]
    [InlineData("Not bad at all, really not bad!")]
    [InlineData("I don’t love it")]
    [InlineData("''''")]
    [InlineData("")]
    public void Scores_equal_the_regex_reference_on_known_text(string text) => Assert.Equal(Reference(text), LexiconSentiment.Score(text));

    [Fact]
    public void Long_text_is_scored_without_a_stack_buffer()
    {
        var text = string.Concat(Enumerable.Repeat("really great but not terrible. ", 200));
        Assert.Equal(Reference(text), LexiconSentiment.Score(text));
    }

    /// <summary>The previous implementation, verbatim in behaviour.</summary>
    private static Sentiment? Reference(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var tokens = TokenPattern().Matches(text.Replace('\u2019', '\'')).Select(m => m.Value.ToLowerInvariant().Trim('\'')).ToList();
        var negators = new HashSet<string>(StringComparer.Ordinal) { "not", "never", "no", "without", "nothing", "nobody", "neither", "nor", "dont", "doesnt", "didnt", "isnt", "wasnt", "arent", "werent", "cant", "cannot", "couldnt", "wont", "wouldnt", "shouldnt", "hasnt", "havent" };
        var intensifiers = new HashSet<string>(StringComparer.Ordinal) { "very", "really", "extremely", "super", "incredibly", "absolutely", "totally", "truly" };
        var lastBut = tokens.LastIndexOf("but");
        double weightedSum = 0;
        double weightTotal = 0;
        var negationLeft = 0;
        var intensity = 1.0;
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token is "." or "!" or "?" or ";" or "," or "but")
            {
                negationLeft = 0;
                intensity = 1.0;
                continue;
            }

            if (negators.Contains(token) || token.EndsWith("n't", StringComparison.Ordinal))
            {
                negationLeft = LexiconSentiment.NegationScope;
                continue;
            }

            if (intensifiers.Contains(token))
            {
                intensity *= LexiconSentiment.IntensifierFactor;
                continue;
            }

            if (LexiconSentiment.Lexicon.TryGetValue(token, out var value))
            {
                var wordValue = value * intensity * (negationLeft > 0 ? -1 : 1);
                var clauseWeight = lastBut < 0 ? 1.0 : i < lastBut ? LexiconSentiment.BeforeButWeight : LexiconSentiment.AfterButWeight;
                weightedSum += wordValue * clauseWeight;
                weightTotal += clauseWeight;
            }

            intensity = 1.0;
            if (negationLeft > 0)
            {
                negationLeft--;
            }
        }

        return weightTotal == 0 ? null : Sentiment.FromScore(weightedSum / weightTotal / 3.0);
    }

    [GeneratedRegex(@"[\p{L}']+|[.!?;,]", RegexOptions.CultureInvariant)]
    private static partial Regex TokenPattern();
}
