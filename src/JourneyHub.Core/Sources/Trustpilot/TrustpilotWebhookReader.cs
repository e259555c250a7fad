using System.Text.Json;
using JourneyHub.Core.Sources.Kit;

namespace JourneyHub.Core.Sources.Trustpilot;

/// <summary>
/// Reads a Trustpilot delivery by hand (<see cref="WireReader"/>) into the <see cref="TrustpilotWebhook"/> the serializer
/// would make of it, without the serializer's boxed constructor arguments for these init-only records (about 300 B per
/// review) and its list copied into each array. Gives up on anything it does not take exactly as the serializer reads it
/// (a value of another type, a number sent as a string, a property given twice): the adapter then uses the serializer.
/// </summary>
internal static class TrustpilotWebhookReader
{
    private static readonly JsonReaderOptions Options = WireReader.ReaderOptionsOf(TrustpilotJsonContext.Default.Options);

    private static readonly KnownWords EventNameWords = new(TrustpilotAdapter.Created, TrustpilotAdapter.Updated, TrustpilotAdapter.Deleted);
    private static readonly KnownWords VersionWords = new("1");

    internal static readonly PropertyNames WebhookNames = new("events");
    internal static readonly PropertyNames EventNames = new("eventName", "version", "eventData");
    internal static readonly PropertyNames ReviewNames = new(
        "id", "language", "title", "text", "referenceId", "referralEmail", "stars", "createdAt", "updatedAt", "deletedAt", "isVerified", "locationId", "consumer", "tags");
    internal static readonly PropertyNames ConsumerNames = new("id", "name");
    internal static readonly PropertyNames TagNames = new("group", "value");

    /// <returns>False when the serializer must read the body.</returns>
    public static bool TryRead(ReadOnlySpan<byte> body, out TrustpilotWebhook? webhook) =>
        WireReader.TryReadBody<TrustpilotWebhook?>(body, Options, TryWebhook, out webhook) && webhook is not null;

    private static bool TryWebhook(ref Utf8JsonReader reader, out TrustpilotWebhook? webhook)
    {
        webhook = null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            // The JSON null, or not an object: the serializer says which.
            return false;
        }

        TrustpilotEvent?[]? events = null;
        var seen = 0;
        while (WireReader.NextProperty(ref reader, WebhookNames, ref seen, out var property))
        {
            if (!(property == 0 ? JsonArrayReader.TryRead(ref reader, TryEvent, out events) : reader.TrySkip()))
            {
                return false;
            }
        }

        webhook = new TrustpilotWebhook { Events = events };
        return WireReader.AtObjectEnd(ref reader);
    }

    private static bool TryEvent(ref Utf8JsonReader reader, out TrustpilotEvent? item)
    {
        item = null;
        if (!WireReader.TryStartObject(ref reader, out var isNull) || isNull)
        {
            return isNull;
        }

        string? eventName = null, version = null;
        TrustpilotReview? review = null;
        var seen = 0;
        while (WireReader.NextProperty(ref reader, EventNames, ref seen, out var property))
        {
            var read = property switch
            {
                0 => WireReader.TryString(ref reader, out eventName, EventNameWords),
                1 => WireReader.TryString(ref reader, out version, VersionWords),
                2 => TryReview(ref reader, out review),
                _ => reader.TrySkip(),
            };
            if (!read)
            {
                return false;
            }
        }

        item = new TrustpilotEvent { EventName = eventName, Version = version, EventData = review };
        return WireReader.AtObjectEnd(ref reader);
    }

    private static bool TryReview(ref Utf8JsonReader reader, out TrustpilotReview? review)
    {
        review = null;
        if (!WireReader.TryStartObject(ref reader, out var isNull) || isNull)
        {
            return isNull;
        }

        string? id = null, language = null, title = null, text = null, referenceId = null, referralEmail = null, locationId = null;
        int? stars = null;
        DateTimeOffset? createdAt = null, updatedAt = null, deletedAt = null;
        bool? isVerified = null;
        TrustpilotConsumer? consumer = null;
        TrustpilotTag?[]? tags = null;
        var seen = 0;
        while (WireReader.NextProperty(ref reader, ReviewNames, ref seen, out var property))
        {
            var read = property switch
            {
                0 => WireReader.TryString(ref reader, out id),
                1 => WireReader.TryString(ref reader, out language),
                2 => WireReader.TryString(ref reader, out title),
                3 => WireReader.TryString(ref reader, out text),
                4 => WireReader.TryString(ref reader, out referenceId),
                5 => WireReader.TryString(ref reader, out referralEmail),
                6 => WireReader.TryInt32(ref reader, out stars),
                7 => WireReader.TryDateTimeOffset(ref reader, out createdAt),
                8 => WireReader.TryDateTimeOffset(ref reader, out updatedAt),
                9 => WireReader.TryDateTimeOffset(ref reader, out deletedAt),
                10 => WireReader.TryBoolean(ref reader, out isVerified),
                11 => WireReader.TryString(ref reader, out locationId),
                12 => TryConsumer(ref reader, out consumer),
                13 => JsonArrayReader.TryRead(ref reader, TryTag, out tags),
                _ => reader.TrySkip(),
            };
            if (!read)
            {
                return false;
            }
        }

        review = new TrustpilotReview
        {
            Id = id,
            Language = language,
            Title = title,
            Text = text,
            ReferenceId = referenceId,
            ReferralEmail = referralEmail,
            Stars = stars,
            CreatedAt = createdAt,
            UpdatedAt = updatedAt,
            DeletedAt = deletedAt,
            IsVerified = isVerified,
            LocationId = locationId,
            Consumer = consumer,
            Tags = tags,
        };
        return WireReader.AtObjectEnd(ref reader);
    }

    private static bool TryConsumer(ref Utf8JsonReader reader, out TrustpilotConsumer? consumer)
    {
        consumer = null;
        if (!WireReader.TryStartObject(ref reader, out var isNull) || isNull)
        {
            return isNull;
        }

        string? id = null, name = null;
        var seen = 0;
        while (WireReader.NextProperty(ref reader, ConsumerNames, ref seen, out var property))
        {
            if (!(property switch
            {
                0 => WireReader.TryString(ref reader, out id),
                1 => WireReader.TryString(ref reader, out name),
                _ => reader.TrySkip(),
            }))
            {
                return false;
            }
        }

        consumer = new TrustpilotConsumer { Id = id, Name = name };
        return WireReader.AtObjectEnd(ref reader);
    }

    private static bool TryTag(ref Utf8JsonReader reader, out TrustpilotTag? tag)
    {
        tag = null;
        if (!WireReader.TryStartObject(ref reader, out var isNull) || isNull)
        {
            return isNull;
        }

        string? group = null, value = null;
        var seen = 0;
        while (WireReader.NextProperty(ref reader, TagNames, ref seen, out var property))
        {
            if (!(property switch
            {
                0 => WireReader.TryString(ref reader, out group),
                1 => WireReader.TryString(ref reader, out value),
                _ => reader.TrySkip(),
            }))
            {
                return false;
            }
        }

        tag = new TrustpilotTag { Group = group, Value = value };
        return WireReader.AtObjectEnd(ref reader);
    }
}
