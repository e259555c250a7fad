using System.Globalization;
using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Journey.Segments;

public enum SegmentKind
{
    All,
    Persona,
    Source,
    Channel,
    Cohort,
    Converted,
}

/// <summary>
/// A group of customers the journey map can be drawn for: everyone, a persona, the source or channel of the first
/// touch, the month of the first touch (cohort), or whether the customer converted (reached decision).
/// Written <c>&lt;kind&gt;:&lt;value&gt;</c>, or <c>all</c>.
/// </summary>
public sealed record Segment(SegmentKind Kind, string Value)
{
    public const int MaxValueLength = 100;

    public static Segment All { get; } = new(SegmentKind.All, "");

    /// <summary>How the segment is written in the query string and in the API answer, e.g. "persona:Budget shopper".</summary>
    public string Key => Kind == SegmentKind.All ? "all" : Name(Kind) + ":" + Value;

    public override string ToString() => Key;

    public static Segment Persona(string value) => new(SegmentKind.Persona, value);

    public static Segment FirstSource(string source) => new(SegmentKind.Source, source);

    public static Segment FirstChannel(Channel channel) => new(SegmentKind.Channel, JourneyJson.WireName(channel));

    public static Segment Cohort(DateTimeOffset firstTouch) => new(SegmentKind.Cohort, firstTouch.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture));

    public static Segment Converted(bool converted) => new(SegmentKind.Converted, converted ? "true" : "false");

    /// <summary>Parses <c>all</c> or <c>&lt;kind&gt;:&lt;value&gt;</c>; the error names what is wrong.</summary>
    public static Segment? TryParse(string text, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        error = null;
        if (text == "all")
        {
            return All;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var kindText = colon < 0 ? text : text[..colon];
        var value = colon < 0 ? "" : text[(colon + 1)..];
        SegmentKind? kind = kindText switch
        {
            "persona" => SegmentKind.Persona,
            "source" => SegmentKind.Source,
            "channel" => SegmentKind.Channel,
            "cohort" => SegmentKind.Cohort,
            "converted" => SegmentKind.Converted,
            _ => null,
        };
        if (kind is null)
        {
            error = "must be 'all' or <kind>:<value> with a kind of persona, source, channel, cohort or converted";
            return null;
        }

        if (value.Length is 0 or > MaxValueLength || value.Any(char.IsControl) || value.Trim().Length != value.Length)
        {
            error = $"needs a value after '{kindText}:' (1 to {MaxValueLength} characters, no surrounding spaces)";
            return null;
        }

        switch (kind)
        {
            case SegmentKind.Channel when !Enum.GetValues<Channel>().Any(c => JourneyJson.WireName(c) == value):
                error = "'channel:' takes a channel such as email, web, social, review, crm, phone, chat, meeting, survey, ads, in_store or other";
                return null;
            case SegmentKind.Cohort when !DateTime.TryParseExact(value, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out _):
                error = "'cohort:' takes the month of the first touch as YYYY-MM, e.g. cohort:2025-03";
                return null;
            case SegmentKind.Converted when value is not ("true" or "false"):
                error = "'converted:' takes true or false";
                return null;
            case SegmentKind.Source when value.Any(char.IsWhiteSpace):
                error = "'source:' takes a source name such as hubspot, salesforce, meta or custom:<name>";
                return null;
            default:
                return new Segment(kind.Value, value);
        }
    }

    private static string Name(SegmentKind kind) => kind switch
    {
        SegmentKind.Persona => "persona",
        SegmentKind.Source => "source",
        SegmentKind.Channel => "channel",
        SegmentKind.Cohort => "cohort",
        SegmentKind.Converted => "converted",
        _ => "all",
    };
}
