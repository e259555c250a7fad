using System.Globalization;
using System.Text.Json;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Schema;
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

        if (get("source") is { } source)
        {
            if (source.Length is 0 or > 100 || source.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
            {
                return Bad("source", "must be a source name such as hubspot, salesforce, meta, instagram, trustpilot, google or custom:<name>");
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
        var to = now;
        if (get("to") is { } toText && !TryParseTime(toText, out to))
        {
            return BadFunnel("to", "must be an ISO-8601 date or date-time, e.g. 2025-03-31T00:00:00Z");
        }

        var from = to.AddDays(-30);
        if (get("from") is { } fromText && !TryParseTime(fromText, out from))
        {
            return BadFunnel("from", "must be an ISO-8601 date or date-time, e.g. 2025-03-01T00:00:00Z");
        }

        if (from >= to)
        {
            return BadFunnel("from", "must be earlier than 'to'");
        }

        if ((to - from).TotalDays > FunnelQuery.MaxDays)
        {
            return BadFunnel("to", $"must be at most {FunnelQuery.MaxDays} days after 'from'");
        }

        string? source = null;
        if (get("source") is { } sourceText)
        {
            if (!IsValidSource(sourceText))
            {
                return BadFunnel("source", "must be a source name such as hubspot, salesforce, meta, instagram, trustpilot, google or custom:<name>");
            }

            source = sourceText;
        }

        return (new FunnelQuery(from.ToUniversalTime(), to.ToUniversalTime(), source), null);
    }

    private static bool IsValidSource(string source) =>
        source.Length is > 0 and <= 100 && !source.Any(c => char.IsControl(c) || char.IsWhiteSpace(c));

    private static (FunnelQuery?, ApiError?) BadFunnel(string parameter, string detail) =>
        (null, new ApiError(400, $"Invalid query parameter '{parameter}'", $"'{parameter}' {detail}."));

    public static bool TryParseTime(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);

    public static bool TryParseEnum<T>(string text, out T value) where T : struct, Enum
    {
        try
        {
            value = JsonSerializer.Deserialize<T>("\"" + JsonEncodedText.Encode(text.Trim().ToLowerInvariant()) + "\"", JourneyJson.Options);
            return true;
        }
        catch (JsonException)
        {
            value = default;
            return false;
        }
    }

    public static bool IsValidCustomerId(string? customerId) =>
        customerId is { Length: > 4 and <= 64 } && customerId.StartsWith("cus_", StringComparison.Ordinal) && customerId.Skip(4).All(char.IsAsciiLetterOrDigit);

    private static (TimelineQuery?, ApiError?) Bad(string parameter, string detail) =>
        (null, new ApiError(400, $"Invalid query parameter '{parameter}'", $"'{parameter}' {detail}."));
}
