using System.Collections.Frozen;
using System.Globalization;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Timeline;

namespace JourneyHub.Core.Api;

/// <summary>A client error with the title and detail that the problem+json answer will carry.</summary>
public sealed record ApiError(int Status, string Title, string Detail);

/// <summary>Turns query-string values into typed queries, naming exactly which value was wrong.</summary>
public static class QueryParsing
{
    public static (TimelineQuery? Query, ApiError? Error) ParseTimeline(Func<string, string?> get)
    {
        var query = new TimelineQuery();
        if (get("limit") is { } limitText)
        {
            if (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit is < 1 or > TimelineQuery.MaxLimit)
            {
                return Bad("limit", $"must be a whole number from 1 to {TimelineQuery.MaxLimit}");
            }

            query = query with { Limit = limit };
        }

        if (get("from") is { } fromText)
        {
            if (!TryParseTime(fromText, out var from))
            {
                return Bad("from", "must be an ISO-8601 date or date-time, e.g. 2025-03-14T00:00:00Z");
            }

            query = query with { From = from };
        }

        if (get("to") is { } toText)
        {
            if (!TryParseTime(toText, out var to))
            {
                return Bad("to", "must be an ISO-8601 date or date-time, e.g. 2025-03-14T23:59:59Z");
            }

            query = query with { To = to };
        }

        if (query.From > query.To)
        {
            return Bad("from", "must not be later than 'to'");
        }

        if (get("stage") is { } stageText)
        {
            if (!TryParseEnum<JourneyStage>(stageText, out var stage))
            {
                return Bad("stage", "must be one of awareness, consideration, decision, retention");
            }

            query = query with { Stage = stage };
        }

        if (get("channel") is { } channelText)
        {
            if (!TryParseEnum<Channel>(channelText, out var channel))
            {
                return Bad("channel", "must be one of email, web, social, review, crm, phone, chat, meeting, survey, ads, in_store, other");
            }

            query = query with { Channel = channel };
        }

        if (get("source") is { } sourceText)
        {
            if (TryParseSource(sourceText) is not { } source)
            {
                return Bad("source", SourceRule);
            }

            query = query with { Source = source };
        }

        if (get("cursor") is { } cursor)
        {
            try
            {
                _ = Cursor.Decode(cursor);
            }
            catch (FormatException)
            {
                return Bad("cursor", "is not a cursor this API issued; pass nextCursor from the previous page unchanged");
            }

            query = query with { Cursor = cursor };
        }

        return (query, null);
    }

    /// <summary>Funnel window [from, to): both optional (default: the 30 days up to now), at most <see cref="FunnelQuery.MaxDays"/> days.</summary>
    public static (FunnelQuery? Query, ApiError? Error) ParseFunnel(Func<string, string?> get, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(get);
        var (from, to, error) = ParseWindow(get, now, defaultDays: 30, FunnelQuery.MaxDays);
        if (error is not null)
        {
            return (null, error);
        }

        string? source = null;
        if (get("source") is { } sourceText)
        {
            source = TryParseSource(sourceText);
            if (source is null)
            {
                return (null, Invalid("source", SourceRule));
            }
        }

        return (new FunnelQuery(from, to, source), null);
    }

    /// <summary>
    /// A report window [from, to) (funnel, segment map): <c>to</c> defaults to now and <c>from</c> to <paramref name="defaultDays"/>
    /// before <c>to</c>; <c>from</c> must be earlier than <c>to</c> and at most <paramref name="maxDays"/> days before it. Both are
    /// returned in UTC. <c>to</c> must leave a day before the end of the calendar, because readers round a time inside a day up to
    /// the next midnight; a default <c>from</c> stops at the first representable instant. So no value a client can send makes the
    /// date arithmetic overflow (which used to answer 500).
    /// </summary>
    public static (DateTimeOffset From, DateTimeOffset To, ApiError? Error) ParseWindow(Func<string, string?> get, DateTimeOffset now, int defaultDays, int maxDays)
    {
        ArgumentNullException.ThrowIfNull(get);
        var to = now;
        if (get("to") is { } toText && !TryParseTime(toText, out to))
        {
            return (default, default, Invalid("to", "must be an ISO-8601 date or date-time, e.g. 2025-03-31T00:00:00Z"));
        }

        if (to >= LatestWindowEnd)
        {
            return (default, default, Invalid("to", "must be earlier than 9999-12-31"));
        }

        DateTimeOffset from;
        if (get("from") is { } fromText)
        {
            if (!TryParseTime(fromText, out from))
            {
                return (default, default, Invalid("from", "must be an ISO-8601 date or date-time, e.g. 2025-03-01T00:00:00Z"));
            }
        }
        else
        {
            from = to.UtcTicks - DateTimeOffset.MinValue.UtcTicks > TimeSpan.TicksPerDay * defaultDays ? to.AddDays(-defaultDays) : DateTimeOffset.MinValue;
        }

        if (from >= to)
        {
            return (default, default, Invalid("from", "must be earlier than 'to'"));
        }

        if ((to - from).TotalDays > maxDays)
        {
            return (default, default, Invalid("to", $"must be at most {maxDays} days after 'from'"));
        }

        return (from.ToUniversalTime(), to.ToUniversalTime(), null);
    }

    /// <summary>
    /// A source name as the read API's filters take it: trimmed and lower-cased (source names are lower-case), then one a
    /// touchpoint can carry (<see cref="SourceId.IsTouchpointSource"/>). Null for anything else, e.g. a misspelt name that would
    /// silently filter everything away.
    /// </summary>
    public static string? TryParseSource(string? text)
    {
        var name = text?.Trim().ToLowerInvariant();
        return SourceId.IsTouchpointSource(name) ? name : null;
    }

    /// <summary>What <see cref="TryParseSource"/> accepts, for the problem detail.</summary>
    public static string SourceRule { get; } =
        $"must be a source name: {string.Join(", ", SourceId.TouchpointSources.Select(s => s.Name))} or custom:<name>";

    private static readonly DateTimeOffset LatestWindowEnd = new(9999, 12, 31, 0, 0, 0, TimeSpan.Zero);

    private static ApiError Invalid(string parameter, string detail) =>
        new(400, $"Invalid query parameter '{parameter}'", $"'{parameter}' {detail}.");

    public static bool TryParseTime(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);

    /// <summary>
    /// An enum value by its wire name (<c>in_store</c>, <c>consideration</c>), ignoring case and surrounding spaces. Numbers
    /// and comma lists, which a general enum parser would take (<c>stage=1</c>, <c>channel=web,email</c>), are not names.
    /// </summary>
    public static bool TryParseEnum<T>(string text, out T value) where T : struct, Enum
    {
        ArgumentNullException.ThrowIfNull(text);
        return WireNames<T>.Values.TryGetValue(text.Trim(), out value);
    }

    /// <summary>
    /// The lookup's <c>identity=&lt;type&gt;:&lt;value&gt;</c>, normalized as on ingestion (<see cref="IdentityNormalizer.Parse"/>).
    /// A '+' written unencoded in a query string arrives as a space, and an e-mail address never holds a space, so
    /// <c>email:jane tag@example.com</c> is read as <c>jane+tag@example.com</c> (what <c>curl "…?identity=email:jane+tag@example.com"</c>
    /// sends). A phone number loses its '+' the same way and is read right already, since only its digits count.
    /// </summary>
    public static Identity? ParseIdentity(string? text)
    {
        if (IdentityNormalizer.Parse(text) is { } identity)
        {
            return identity;
        }

        const string EmailPrefix = IdentityTypes.Email + ":";
        var trimmed = text?.Trim();
        return trimmed is not null && trimmed.StartsWith(EmailPrefix, StringComparison.OrdinalIgnoreCase)
            ? IdentityNormalizer.Parse(EmailPrefix + trimmed[EmailPrefix.Length..].Trim().Replace(' ', '+'))
            : null;
    }

    public static bool IsValidCustomerId(string? customerId) =>
        customerId is { Length: > 4 and <= 64 } && customerId.StartsWith("cus_", StringComparison.Ordinal) && customerId.Skip(4).All(char.IsAsciiLetterOrDigit);

    private static (TimelineQuery?, ApiError?) Bad(string parameter, string detail) => (null, Invalid(parameter, detail));

    /// <summary>Each value of <typeparamref name="T"/> by its wire name, built once per enum type.</summary>
    private static class WireNames<T> where T : struct, Enum
    {
        public static readonly FrozenDictionary<string, T> Values =
            Enum.GetValues<T>().ToFrozenDictionary(v => JourneyJson.WireName(v), StringComparer.OrdinalIgnoreCase);
    }
}
