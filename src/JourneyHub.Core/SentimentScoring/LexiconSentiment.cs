using JourneyHub.Core.Schema;

namespace JourneyHub.Core.SentimentScoring;

/// <summary>
/// A small English lexicon scorer for free text (comments, messages, review text without stars). Every result can be
/// explained by hand:
/// <list type="bullet">
/// <item>each word in <see cref="Lexicon"/> has a weight from -3 to +3;</item>
/// <item>a negator (<c>not, never, no, without</c>, any <c>…n't</c>) flips the sign of sentiment words among the next
///   3 words (punctuation ends the scope): "not bad" is positive, "not good" negative;</item>
/// <item>an intensifier (<c>very, really, extremely</c>, …) multiplies the next word by 1.5;</item>
/// <item>in "A but B", words before the last "but" count half and words after it count 1.5 times;</item>
/// <item>score = weighted mean of the word values / 3, clamped to -1..1; no sentiment word → null (not "neutral").</item>
/// </list>
/// </summary>
public static class LexiconSentiment
{
    public const int NegationScope = 3;
    public const double IntensifierFactor = 1.5;
    public const double BeforeButWeight = 0.5;
    public const double AfterButWeight = 1.5;

    public static IReadOnlyDictionary<string, int> Lexicon { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        // +3
        ["love"] = 3, ["loved"] = 3, ["loving"] = 3, ["amazing"] = 3, ["awesome"] = 3, ["excellent"] = 3, ["outstanding"] = 3,
        ["perfect"] = 3, ["fantastic"] = 3, ["wonderful"] = 3, ["brilliant"] = 3, ["superb"] = 3, ["exceptional"] = 3,
        ["best"] = 3, ["delighted"] = 3, ["great"] = 3,
        // +2
        ["good"] = 2, ["nice"] = 2, ["lovely"] = 2, ["happy"] = 2, ["glad"] = 2, ["pleased"] = 2, ["satisfied"] = 2,
        ["fast"] = 2, ["quick"] = 2, ["friendly"] = 2, ["helpful"] = 2, ["recommend"] = 2, ["recommended"] = 2,
        ["easy"] = 2, ["smooth"] = 2, ["beautiful"] = 2, ["impressed"] = 2, ["enjoy"] = 2, ["enjoyed"] = 2,
        ["reliable"] = 2, ["polite"] = 2, ["efficient"] = 2, ["favourite"] = 2, ["favorite"] = 2, ["fun"] = 2,
        ["comfortable"] = 2, ["professional"] = 2, ["responsive"] = 2, ["courteous"] = 2, 
        ["excited"] = 2, ["gorgeous"] = 2, ["solved"] = 2, ["resolved"] = 2, ["reasonable"] = 1,
        // +1
        ["fine"] = 1, ["better"] = 1, ["thanks"] = 1, ["thank"] = 1, ["worth"] = 1, ["affordable"] = 1, ["ok"] = 1,
        ["okay"] = 1, ["decent"] = 1, ["works"] = 1, ["useful"] = 1, ["clean"] = 1, ["fair"] = 1, ["pleasant"] = 2,
        ["cool"] = 1, ["interested"] = 1, ["liked"] = 1, ["safe"] = 1,
        // -1
        ["problem"] = -1, ["problems"] = -1, ["issue"] = -1, ["issues"] = -1, ["expensive"] = -1, ["sorry"] = -1,
        ["cancelled"] = -1, ["canceled"] = -1, ["confused"] = -1, ["meh"] = -1, ["mediocre"] = -1, ["average"] = -1,
        ["wait"] = -1, ["waiting"] = -1, ["refund"] = -1, ["complicated"] = -1, ["noisy"] = -1,
        // -2
        ["bad"] = -2, ["poor"] = -2, ["slow"] = -2, ["late"] = -2, ["broken"] = -2, ["damaged"] = -2, ["disappointed"] = -2,
        ["disappointing"] = -2, ["unhappy"] = -2, ["annoyed"] = -2, ["annoying"] = -2, ["frustrated"] = -2,
        ["frustrating"] = -2, ["waste"] = -2, ["complaint"] = -2, ["overpriced"] = -2, ["wrong"] = -2, ["missing"] = -2,
        ["lost"] = -2, ["delay"] = -2, ["delayed"] = -2, ["difficult"] = -2, ["confusing"] = -2, ["unreliable"] = -2,
        ["ridiculous"] = -2, ["sad"] = -2, ["fail"] = -2, ["failed"] = -2, ["faulty"] = -2, ["dirty"] = -2,
        ["ignored"] = -2, ["unhelpful"] = -2, ["avoid"] = -2, ["mess"] = -2, ["worse"] = -2, ["upset"] = -2,
        ["rude"] = -3, ["defective"] = -2, ["unprofessional"] = -2, ["wasted"] = -2,
        // -3
        ["terrible"] = -3, ["awful"] = -3, ["horrible"] = -3, ["worst"] = -3, ["hate"] = -3, ["hated"] = -3,
        ["useless"] = -3, ["scam"] = -3, ["fraud"] = -3, ["unacceptable"] = -3, ["nightmare"] = -3, ["angry"] = -3,
        ["furious"] = -3, ["disgusting"] = -3, ["pathetic"] = -3, ["appalling"] = -3, ["dreadful"] = -3,
    };

    private static readonly HashSet<string> Negators = new(StringComparer.Ordinal)
    {
        "not", "never", "no", "without", "nothing", "nobody", "neither", "nor",
        "dont", "doesnt", "didnt", "isnt", "wasnt", "arent", "werent", "cant", "cannot", "couldnt", "wont", "wouldnt", "shouldnt", "hasnt", "havent",
    };

    private static readonly HashSet<string> Intensifiers = new(StringComparer.Ordinal)
    {
        "very", "really", "extremely", "super", "incredibly", "absolutely", "totally", "truly",
    };

    private static readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> LexiconBySpan =
        ((Dictionary<string, int>)Lexicon).GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> NegatorsBySpan = Negators.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> IntensifiersBySpan = Intensifiers.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The weighted result, or null when the text holds no sentiment word.</summary>
    /// <remarks>
    /// Tokens are runs of letters and apostrophes (’ read as '), lower-cased and trimmed of apostrophes, and the
    /// punctuation marks . ! ? ; , — scanned twice over spans (once for the last "but", once to score), so scoring
    /// allocates nothing per word: it runs for every comment, message and review the hub normalizes.
    /// </remarks>
    public static Sentiment? Score(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var buffer = text.Length <= 512 ? stackalloc char[text.Length] : new char[text.Length];
        var lastBut = -1;
        var count = 0;
        for (var tokens = new Tokens(text, buffer); tokens.MoveNext(); count++)
        {
            if (tokens.Current.SequenceEqual("but"))
            {
                lastBut = count;
            }
        }

        double weightedSum = 0;
        double weightTotal = 0;
        var negationLeft = 0;
        var intensity = 1.0;
        var i = 0;
        for (var tokens = new Tokens(text, buffer); tokens.MoveNext(); i++)
        {
            var token = tokens.Current;
            if (tokens.IsPunctuation || token.SequenceEqual("but"))
            {
                negationLeft = 0;
                intensity = 1.0;
                continue;
            }

            if (NegatorsBySpan.Contains(token) || token.EndsWith("n't", StringComparison.Ordinal))
            {
                negationLeft = NegationScope;
                continue;
            }

            if (IntensifiersBySpan.Contains(token))
            {
                intensity *= IntensifierFactor;
                continue;
            }

            if (LexiconBySpan.TryGetValue(token, out var value))
            {
                var wordValue = value * intensity * (negationLeft > 0 ? -1 : 1);
                var clauseWeight = lastBut < 0 ? 1.0 : i < lastBut ? BeforeButWeight : AfterButWeight;
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

    /// <summary>The tokenizer: what the pattern <c>[\p{L}']+|[.!?;,]</c> matches, lower-cased invariantly and trimmed of apostrophes.</summary>
    private ref struct Tokens(string text, Span<char> buffer)
    {
        private readonly string text = text;
        private readonly Span<char> buffer = buffer;
        private int position;

        public ReadOnlySpan<char> Current { get; private set; }

        public bool IsPunctuation { get; private set; }

        public bool MoveNext()
        {
            while (position < text.Length)
            {
                var c = text[position];
                if (c is '.' or '!' or '?' or ';' or ',')
                {
                    Current = text.AsSpan(position++, 1);
                    IsPunctuation = true;
                    return true;
                }

                if (IsWordChar(c))
                {
                    var length = 0;
                    while (position < text.Length && IsWordChar(text[position]))
                    {
                        var w = text[position++];
                        buffer[length++] = w == '\u2019' ? '\'' : char.ToLowerInvariant(w);
                    }

                    Current = ((ReadOnlySpan<char>)buffer[..length]).Trim('\'');
                    IsPunctuation = false;
                    return true;
                }

                position++;
            }

            return false;
        }

        private static bool IsWordChar(char c) => c is '\'' or '\u2019' || char.IsLetter(c);
    }
}
