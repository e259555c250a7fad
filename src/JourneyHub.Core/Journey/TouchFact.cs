using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Journey;

/// <summary>
/// What the journey map needs of one touchpoint, small enough that a summary can keep a customer's latest
/// <see cref="JourneyState.MaxTouches"/> of them: the stage the customer was in when it happened is decided at read
/// time from these (so a late purchase moves the boundary without rewriting anything).
/// Stored as one compact string (see <see cref="TouchFactJsonConverter"/>).
/// </summary>
[JsonConverter(typeof(TouchFactJsonConverter))]
public sealed record TouchFact(
    DateTimeOffset At,
    Channel Channel,
    TouchpointKind Kind,
    JourneyStage? Stage,
    string Source,
    string Action,
    bool OpensCycle,
    int? SentimentMilli,
    SentimentLabel? SentimentLabel,
    SurveyType? SurveyType,
    double? SurveyScore)
{
    /// <summary>A total order that does not depend on arrival: time, then the encoded fields.</summary>
    public static IComparer<TouchFact> Order { get; } = Comparer<TouchFact>.Create((a, b) =>
    {
        var byTime = a.At.UtcTicks.CompareTo(b.At.UtcTicks);
        return byTime != 0 ? byTime : string.CompareOrdinal(a.Encode(), b.Encode());
    });

    public static TouchFact From(Touchpoint touchpoint)
    {
        ArgumentNullException.ThrowIfNull(touchpoint);
        return new TouchFact(
            touchpoint.OccurredAt.ToUniversalTime(),
            touchpoint.Channel,
            touchpoint.Kind,
            touchpoint.Stage,
            touchpoint.Source,
            touchpoint.Action,
            JourneyRules.OpensCycle(touchpoint.Source, touchpoint.Action),
            touchpoint.Sentiment is { } s ? Milli(s.Score) : null,
            touchpoint.Sentiment?.Label,
            touchpoint.Survey?.Type,
            touchpoint.Survey?.Score);
    }

    /// <summary>Sentiment in thousandths: sums of these are exact integers, so adding and removing customers never drifts.</summary>
    public static int Milli(double score) => (int)Math.Round(Math.Clamp(score, -1.0, 1.0) * 1000, MidpointRounding.AwayFromZero);

    public string Encode()
    {
        var text = new StringBuilder(64);
        text.Append(At.UtcTicks.ToString(CultureInfo.InvariantCulture)).Append('|')
            .Append(JourneyJson.WireName(Channel)).Append('|')
            .Append(Kind == TouchpointKind.Direct ? 'd' : 'i').Append('|')
            .Append(Stage is { } stage ? ((int)stage).ToString(CultureInfo.InvariantCulture) : "").Append('|')
            .Append(OpensCycle ? '1' : '0').Append('|')
            .Append(SentimentMilli?.ToString(CultureInfo.InvariantCulture)).Append('|')
            .Append(SentimentLabel switch { Schema.SentimentLabel.Negative => "n", Schema.SentimentLabel.Neutral => "u", Schema.SentimentLabel.Positive => "p", _ => "" }).Append('|')
            .Append(SurveyType is { } type ? JourneyJson.WireName(type) + ":" + SurveyScore!.Value.ToString("R", CultureInfo.InvariantCulture) : "").Append('|')
            .Append(Uri.EscapeDataString(Source)).Append('|')
            .Append(Uri.EscapeDataString(Action));
        return text.ToString();
    }

    public static TouchFact Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var f = text.Split('|');
        if (f.Length != 10)
        {
            throw new FormatException($"A touch fact has 10 fields, not {f.Length}.");
        }

        SurveyType? surveyType = null;
        double? surveyScore = null;
        if (f[7].Length > 0)
        {
            var colon = f[7].IndexOf(':', StringComparison.Ordinal);
            surveyType = Parse<SurveyType>(f[7][..colon]);
            surveyScore = double.Parse(f[7][(colon + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        return new TouchFact(
            new DateTimeOffset(long.Parse(f[0], NumberStyles.None, CultureInfo.InvariantCulture), TimeSpan.Zero),
            Parse<Channel>(f[1]),
            f[2] == "d" ? TouchpointKind.Direct : TouchpointKind.Indirect,
            f[3].Length > 0 ? (JourneyStage)int.Parse(f[3], NumberStyles.None, CultureInfo.InvariantCulture) : null,
            Uri.UnescapeDataString(f[8]),
            Uri.UnescapeDataString(f[9]),
            f[4] == "1",
            f[5].Length > 0 ? int.Parse(f[5], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : null,
            f[6] switch { "n" => Schema.SentimentLabel.Negative, "u" => Schema.SentimentLabel.Neutral, "p" => Schema.SentimentLabel.Positive, _ => null },
            surveyType,
            surveyScore);
    }

    private static T Parse<T>(string wire) where T : struct, Enum =>
        JsonSerializer.Deserialize<T>("\"" + wire + "\"", JourneyJson.Options);
}

public sealed class TouchFactJsonConverter : JsonConverter<TouchFact>
{
    public override TouchFact Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        TouchFact.Decode(reader.GetString() ?? throw new JsonException("A touch fact is a string."));

    public override void Write(Utf8JsonWriter writer, TouchFact value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStringValue(value.Encode());
    }
}

/// <summary>
/// What a customer did while in one journey stage: how often, when first and last, through which channel and action,
/// how it felt and what it answered. Additive, so touches folded out of a summary's window keep counting.
/// Sentiment and CSAT are kept in thousandths so that sums are exact integers.
/// </summary>
public sealed record StageFacts
{
    public int Count { get; init; }
    public DateTimeOffset? First { get; init; }
    public DateTimeOffset? Last { get; init; }
    public string? FirstSource { get; init; }

    /// <summary>"channel action" → count, e.g. "web page.viewed".</summary>
    public Dictionary<string, int> ByTouch { get; init; } = new(StringComparer.Ordinal);
    public int Direct { get; init; }
    public int Indirect { get; init; }
    public int SentimentCount { get; init; }
    public long SentimentMilliSum { get; init; }
    public long SentimentMilliSquares { get; init; }
    public int Negative { get; init; }
    public int Neutral { get; init; }
    public int Positive { get; init; }
    public int NpsPromoters { get; init; }
    public int NpsPassives { get; init; }
    public int NpsDetractors { get; init; }
    public int CsatCount { get; init; }
    public long CsatMilliSum { get; init; }

    public static string TouchKey(Channel channel, string action) => JourneyJson.WireName(channel) + " " + action;

    public StageFacts Add(TouchFact touch)
    {
        ArgumentNullException.ThrowIfNull(touch);
        var byTouch = new Dictionary<string, int>(ByTouch, StringComparer.Ordinal);
        var key = TouchKey(touch.Channel, touch.Action);
        byTouch[key] = byTouch.GetValueOrDefault(key) + 1;
        var isFirst = First is null || touch.At < First || (touch.At == First && string.CompareOrdinal(touch.Source, FirstSource) < 0);
        var milli = touch.SentimentMilli ?? 0;
        return this with
        {
            Count = Count + 1,
            First = isFirst ? touch.At : First,
            Last = Last is null || touch.At > Last ? touch.At : Last,
            FirstSource = isFirst ? touch.Source : FirstSource,
            ByTouch = byTouch,
            Direct = Direct + (touch.Kind == TouchpointKind.Direct ? 1 : 0),
            Indirect = Indirect + (touch.Kind == TouchpointKind.Indirect ? 1 : 0),
            SentimentCount = SentimentCount + (touch.SentimentMilli is null ? 0 : 1),
            SentimentMilliSum = SentimentMilliSum + milli,
            SentimentMilliSquares = SentimentMilliSquares + ((long)milli * milli),
            Negative = Negative + (touch.SentimentLabel == SentimentLabel.Negative ? 1 : 0),
            Neutral = Neutral + (touch.SentimentLabel == SentimentLabel.Neutral ? 1 : 0),
            Positive = Positive + (touch.SentimentLabel == SentimentLabel.Positive ? 1 : 0),
            NpsPromoters = NpsPromoters + (touch.SurveyType == SurveyType.Nps && touch.SurveyScore >= 9 ? 1 : 0),
            NpsPassives = NpsPassives + (touch.SurveyType == SurveyType.Nps && touch.SurveyScore is > 6 and < 9 ? 1 : 0),
            NpsDetractors = NpsDetractors + (touch.SurveyType == SurveyType.Nps && touch.SurveyScore <= 6 ? 1 : 0),
            CsatCount = CsatCount + (touch.SurveyType == SurveyType.Csat ? 1 : 0),
            CsatMilliSum = CsatMilliSum + (touch.SurveyType == SurveyType.Csat ? (long)Math.Round(touch.SurveyScore!.Value * 1000, MidpointRounding.AwayFromZero) : 0),
        };
    }

    public StageFacts Add(StageFacts other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var byTouch = new Dictionary<string, int>(ByTouch, StringComparer.Ordinal);
        foreach (var (key, count) in other.ByTouch)
        {
            byTouch[key] = byTouch.GetValueOrDefault(key) + count;
        }

        var otherFirst = other.First is { } f && (First is null || f < First || (f == First && string.CompareOrdinal(other.FirstSource, FirstSource) < 0));
        return new StageFacts
        {
            Count = Count + other.Count,
            First = otherFirst ? other.First : First,
            Last = other.Last is { } l && (Last is null || l > Last) ? l : Last,
            FirstSource = otherFirst ? other.FirstSource : FirstSource,
            ByTouch = byTouch,
            Direct = Direct + other.Direct,
            Indirect = Indirect + other.Indirect,
            SentimentCount = SentimentCount + other.SentimentCount,
            SentimentMilliSum = SentimentMilliSum + other.SentimentMilliSum,
            SentimentMilliSquares = SentimentMilliSquares + other.SentimentMilliSquares,
            Negative = Negative + other.Negative,
            Neutral = Neutral + other.Neutral,
            Positive = Positive + other.Positive,
            NpsPromoters = NpsPromoters + other.NpsPromoters,
            NpsPassives = NpsPassives + other.NpsPassives,
            NpsDetractors = NpsDetractors + other.NpsDetractors,
            CsatCount = CsatCount + other.CsatCount,
            CsatMilliSum = CsatMilliSum + other.CsatMilliSum,
        };
    }
}

/// <summary>The latest persona a source named for the customer (latest by occurredAt, then touchpoint id).</summary>
public sealed record PersonaPoint(string Value, DateTimeOffset At, string TouchpointId);
