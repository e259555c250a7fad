using System.Text.Json;
using JourneyHub.Core.Sources.Kit;

namespace JourneyHub.Core.Sources.Trustpilot;

/// <summary>
/// Reads a Trustpilot webhook body by hand into the <see cref="TrustpilotWebhook"/> the serializer would make of it: the
/// serializer fills these init-only records through a constructor-argument buffer per object that boxes every value type
/// (about 300 B per review), and reads each array into a list before copying it (<see cref="JsonArrayReader"/> does not).
/// <para>Whatever it does not take exactly as the serializer reads it (a value of another type, a number sent as a string,
/// a property given twice, JSON it cannot read) makes it give up: the adapter then reads the body through the serializer,
/// whose outcome and errors count.</para>
/// </summary>
internal static class TrustpilotWebhookReader
{
    /// <summary>The reader options the serializer uses for <see cref="TrustpilotJsonContext"/> (depth 16, no comments, no trailing commas).</summary>
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 16 };

    private static readonly KnownWords EventNames = new(TrustpilotAdapter.Created, TrustpilotAdapter.Updated, TrustpilotAdapter.Deleted);
    private static readonly KnownWords Versions = new("1");

    /// <returns>False when the serializer must read the body.</returns>
    public static bool TryRead(ReadOnlySpan<byte> body, out TrustpilotWebhook? webhook)
    {
        webhook = null;
        try
        {
            var reader = new Utf8JsonReader(body, Options);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            TrustpilotEvent?[]? events = null;
            var seen = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var property = reader.ValueTextEquals("events"u8) ? 0 : -1;
                if (!reader.Read() || !FirstTime(property, ref seen))
                {
                    return false;
                }

                if (!(property == 0 ? JsonArrayReader.TryRead(ref reader, TryEvent, out events) : reader.TrySkip()))
                {
                    return false;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                // Not an object, or something after it: the serializer says which.
                return false;
            }

            webhook = new TrustpilotWebhook { Events = events };
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            // A string that is not valid UTF-8: the serializer's read decides.
            return false;
        }
    }

    private static bool TryEvent(ref Utf8JsonReader reader, out TrustpilotEvent? item)
    {
        item = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        string? eventName = null, version = null;
        TrustpilotReview? review = null;
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = reader.ValueTextEquals("eventName"u8) ? 0 : reader.ValueTextEquals("version"u8) ? 1 : reader.ValueTextEquals("eventData"u8) ? 2 : -1;
            if (!reader.Read() || !FirstTime(property, ref seen))
            {
                return false;
            }

            var read = property switch
            {
                0 => TryString(ref reader, out eventName, EventNames),
                1 => TryString(ref reader, out version, Versions),
                2 => TryReview(ref reader, out review),
                _ => reader.TrySkip(),
            };
            if (!read)
            {
                return false;
            }
        }

        item = new TrustpilotEvent { EventName = eventName, Version = version, EventData = review };
        return reader.TokenType == JsonTokenType.EndObject;
    }

    private static bool TryReview(ref Utf8JsonReader reader, out TrustpilotReview? review)
    {
        review = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        string? id = null, language = null, title = null, text = null, referenceId = null, referralEmail = null, locationId = null;
        int? stars = null;
        DateTimeOffset? createdAt = null, updatedAt = null, deletedAt = null;
        bool? isVerified = null;
        TrustpilotConsumer? consumer = null;
        TrustpilotTag?[]? tags = null;
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = ReviewProperty(ref reader);
            if (!reader.Read() || !FirstTime(property, ref seen))
            {
                return false;
            }

            var read = property switch
            {
                0 => TryString(ref reader, out id),
                1 => TryString(ref reader, out language),
                2 => TryString(ref reader, out title),
                3 => TryString(ref reader, out text),
                4 => TryString(ref reader, out referenceId),
                5 => TryString(ref reader, out referralEmail),
                6 => TryInt(ref reader, out stars),
                7 => TryTime(ref reader, out createdAt),
                8 => TryTime(ref reader, out updatedAt),
                9 => TryTime(ref reader, out deletedAt),
                10 => TryBool(ref reader, out isVerified),
                11 => TryString(ref reader, out locationId),
                12 => TryConsumer(ref reader, out consumer),
                13 => TryTags(ref reader, out tags),
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
        return reader.TokenType == JsonTokenType.EndObject;
    }

    private static int ReviewProperty(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("id"u8) ? 0
        : reader.ValueTextEquals("language"u8) ? 1
        : reader.ValueTextEquals("title"u8) ? 2
        : reader.ValueTextEquals("text"u8) ? 3
        : reader.ValueTextEquals("referenceId"u8) ? 4
        : reader.ValueTextEquals("referralEmail"u8) ? 5
        : reader.ValueTextEquals("stars"u8) ? 6
        : reader.ValueTextEquals("createdAt"u8) ? 7
        : reader.ValueTextEquals("updatedAt"u8) ? 8
        : reader.ValueTextEquals("deletedAt"u8) ? 9
        : reader.ValueTextEquals("isVerified"u8) ? 10
        : reader.ValueTextEquals("locationId"u8) ? 11
        : reader.ValueTextEquals("consumer"u8) ? 12
        : reader.ValueTextEquals("tags"u8) ? 13
        : -1;

    private static bool TryConsumer(ref Utf8JsonReader reader, out TrustpilotConsumer? consumer)
    {
        consumer = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        string? id = null, name = null;
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = reader.ValueTextEquals("id"u8) ? 0 : reader.ValueTextEquals("name"u8) ? 1 : -1;
            if (!reader.Read() || !FirstTime(property, ref seen))
            {
                return false;
            }

            var read = property switch
            {
                0 => TryString(ref reader, out id),
                1 => TryString(ref reader, out name),
                _ => reader.TrySkip(),
            };
            if (!read)
            {
                return false;
            }
        }

        consumer = new TrustpilotConsumer { Id = id, Name = name };
        return reader.TokenType == JsonTokenType.EndObject;
    }

    /// <summary>The tags (a review has a few): counted on a copy of the reader first, so the array is made once at its size.</summary>
    private static bool TryTags(ref Utf8JsonReader reader, out TrustpilotTag?[]? tags)
    {
        tags = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        var counter = reader;
        var count = 0;
        while (counter.Read() && counter.TokenType != JsonTokenType.EndArray)
        {
            count++;
            if (!counter.TrySkip())
            {
                return false;
            }
        }

        tags = count == 0 ? [] : new TrustpilotTag?[count];
        for (var i = 0; i < count; i++)
        {
            if (!reader.Read() || !TryTag(ref reader, out tags[i]))
            {
                return false;
            }
        }

        return reader.Read() && reader.TokenType == JsonTokenType.EndArray;
    }

    private static bool TryTag(ref Utf8JsonReader reader, out TrustpilotTag? tag)
    {
        tag = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        string? group = null, value = null;
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = reader.ValueTextEquals("group"u8) ? 0 : reader.ValueTextEquals("value"u8) ? 1 : -1;
            if (!reader.Read() || !FirstTime(property, ref seen))
            {
                return false;
            }

            var read = property switch
            {
                0 => TryString(ref reader, out group),
                1 => TryString(ref reader, out value),
                _ => reader.TrySkip(),
            };
            if (!read)
            {
                return false;
            }
        }

        tag = new TrustpilotTag { Group = group, Value = value };
        return reader.TokenType == JsonTokenType.EndObject;
    }

    private static bool FirstTime(int property, ref int seen)
    {
        if (property < 0)
        {
            return true;
        }

        if ((seen & (1 << property)) != 0)
        {
            return false;
        }

        seen |= 1 << property;
        return true;
    }

    private static bool TryString(ref Utf8JsonReader reader, out string? value, KnownWords? words = null)
    {
        value = reader.TokenType == JsonTokenType.String ? words?.Read(ref reader) ?? reader.GetString() : null;
        return reader.TokenType is JsonTokenType.String or JsonTokenType.Null;
    }

    private static bool TryTime(ref Utf8JsonReader reader, out DateTimeOffset? value)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var time))
        {
            value = time;
            return true;
        }

        return false;
    }

    private static bool TryInt(ref Utf8JsonReader reader, out int? value)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var number))
        {
            value = number;
            return true;
        }

        return false;
    }

    private static bool TryBool(ref Utf8JsonReader reader, out bool? value)
    {
        value = reader.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            _ => null,
        };
        return reader.TokenType is JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null;
    }
}
