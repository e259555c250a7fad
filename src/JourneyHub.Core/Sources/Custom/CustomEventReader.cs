using System.Text;
using System.Text.Json;
using JourneyHub.Core.Sources.Kit;

namespace JourneyHub.Core.Sources.Custom;

/// <summary>
/// Reads a Standard Webhooks body by hand into the <see cref="CustomEvent"/> the serializer would make of it, with the
/// attributes read straight into their texts (<see cref="AttributeDictionary"/>) instead of a dictionary of
/// <see cref="JsonElement"/>s, each a document of its own. One event per delivery makes the serializer's fixed cost per call
/// (a read stack, init-only properties boxed) most of the normalization's allocations.
/// <para>Whatever it does not take exactly as the serializer reads it (a value of another type, a number sent as a string,
/// a property or attribute given twice, a null attribute, JSON it cannot read) makes it give up: the adapter then reads the
/// body through the serializer, whose outcome and errors count.</para>
/// </summary>
internal static class CustomEventReader
{
    /// <summary>The reader options the serializer uses for <see cref="CustomJsonContext"/> (depth 16, no comments, no trailing commas).</summary>
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 16 };

    /// <summary>The longest attribute key the adapter keeps.</summary>
    public const int MaxKeyLength = 128;

    private static readonly KnownWords EventTypes = new(CustomSourceAdapter.EventType);

    /// <param name="attributes">The event's attribute texts as the adapter keeps them; null when the event has none.</param>
    /// <returns>False when the serializer must read the body.</returns>
    public static bool TryRead(ReadOnlySpan<byte> body, out CustomEvent? value, out AttributeDictionary? attributes)
    {
        if (TryReadEvent(body, out value, out attributes))
        {
            return true;
        }

        // Nothing half read is handed on.
        value = null;
        attributes = null;
        return false;
    }

    private static bool TryReadEvent(ReadOnlySpan<byte> body, out CustomEvent? value, out AttributeDictionary? attributes)
    {
        value = null;
        attributes = null;
        try
        {
            var reader = new Utf8JsonReader(body, Options);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject || !TryEvent(ref reader, body, out value, out attributes))
            {
                return false;
            }

            // One JSON value and nothing after it, as the serializer requires.
            return !reader.Read();
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

    private static bool TryEvent(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, out CustomEvent? value, out AttributeDictionary? attributes)
    {
        value = null;
        attributes = null;
        string? type = null;
        DateTimeOffset? timestamp = null;
        CustomEventData? data = null;
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = reader.ValueTextEquals("type"u8) ? 0 : reader.ValueTextEquals("timestamp"u8) ? 1 : reader.ValueTextEquals("data"u8) ? 2 : -1;
            if (!reader.Read() || !FirstTime(property, ref seen))
            {
                return false;
            }

            var read = property switch
            {
                0 => TryString(ref reader, out type, EventTypes),
                1 => TryTime(ref reader, out timestamp),
                2 => TryData(ref reader, body, out data, out attributes),
                _ => reader.TrySkip(),
            };
            if (!read)
            {
                return false;
            }
        }

        value = new CustomEvent { Type = type, Timestamp = timestamp, Data = data };
        return reader.TokenType == JsonTokenType.EndObject;
    }

    private static bool TryData(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, out CustomEventData? data, out AttributeDictionary? attributes)
    {
        data = null;
        attributes = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        string? sourceSystem = null, externalId = null, channel = null, action = null, stage = null, summary = null;
        DateTimeOffset? occurredAt = null;
        CustomPerson? person = null;
        CustomSurvey? survey = null;
        CustomRating? rating = null;
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = DataProperty(ref reader);
            if (!reader.Read() || !FirstTime(property, ref seen))
            {
                return false;
            }

            var read = property switch
            {
                0 => TryString(ref reader, out sourceSystem),
                1 => TryString(ref reader, out externalId),
                2 => TryString(ref reader, out channel),
                3 => TryTime(ref reader, out occurredAt),
                4 => TryString(ref reader, out action),
                5 => TryString(ref reader, out stage),
                6 => TryString(ref reader, out summary),
                7 => TryPerson(ref reader, out person),
                8 => TrySurvey(ref reader, out survey),
                9 => TryRating(ref reader, out rating),
                10 => TryAttributes(ref reader, body, out attributes),
                _ => reader.TrySkip(),
            };
            if (!read)
            {
                return false;
            }
        }

        data = new CustomEventData
        {
            SourceSystem = sourceSystem,
            ExternalId = externalId,
            Channel = channel,
            OccurredAt = occurredAt,
            Action = action,
            Stage = stage,
            Summary = summary,
            Person = person,
            Survey = survey,
            Rating = rating,
        };
        return reader.TokenType == JsonTokenType.EndObject;
    }

    private static int DataProperty(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("sourceSystem"u8) ? 0
        : reader.ValueTextEquals("externalId"u8) ? 1
        : reader.ValueTextEquals("channel"u8) ? 2
        : reader.ValueTextEquals("occurredAt"u8) ? 3
        : reader.ValueTextEquals("action"u8) ? 4
        : reader.ValueTextEquals("stage"u8) ? 5
        : reader.ValueTextEquals("summary"u8) ? 6
        : reader.ValueTextEquals("person"u8) ? 7
        : reader.ValueTextEquals("survey"u8) ? 8
        : reader.ValueTextEquals("rating"u8) ? 9
        : reader.ValueTextEquals("attributes"u8) ? 10
        : -1;

    private static bool TryPerson(ref Utf8JsonReader reader, out CustomPerson? person)
    {
        person = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        string? id = null, email = null, phone = null;
        JsonElement? externalIds = null;
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = reader.ValueTextEquals("id"u8) ? 0 : reader.ValueTextEquals("email"u8) ? 1 : reader.ValueTextEquals("phone"u8) ? 2 : reader.ValueTextEquals("externalIds"u8) ? 3 : -1;
            if (!reader.Read() || !FirstTime(property, ref seen))
            {
                return false;
            }

            var read = property switch
            {
                0 => TryString(ref reader, out id),
                1 => TryString(ref reader, out email),
                2 => TryString(ref reader, out phone),
                3 => TryElement(ref reader, out externalIds),
                _ => reader.TrySkip(),
            };
            if (!read)
            {
                return false;
            }
        }

        person = new CustomPerson { Id = id, Email = email, Phone = phone, ExternalIds = externalIds };
        return reader.TokenType == JsonTokenType.EndObject;
    }

    private static bool TrySurvey(ref Utf8JsonReader reader, out CustomSurvey? survey)
    {
        survey = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        string? type = null, comment = null;
        double? score = null;
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = reader.ValueTextEquals("type"u8) ? 0 : reader.ValueTextEquals("score"u8) ? 1 : reader.ValueTextEquals("comment"u8) ? 2 : -1;
            if (!reader.Read() || !FirstTime(property, ref seen))
            {
                return false;
            }

            var read = property switch
            {
                0 => TryString(ref reader, out type),
                1 => TryDouble(ref reader, out score),
                2 => TryString(ref reader, out comment),
                _ => reader.TrySkip(),
            };
            if (!read)
            {
                return false;
            }
        }

        survey = new CustomSurvey { Type = type, Score = score, Comment = comment };
        return reader.TokenType == JsonTokenType.EndObject;
    }

    private static bool TryRating(ref Utf8JsonReader reader, out CustomRating? rating)
    {
        rating = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        int? value = null, scale = null;
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = reader.ValueTextEquals("value"u8) ? 0 : reader.ValueTextEquals("scale"u8) ? 1 : -1;
            if (!reader.Read() || !FirstTime(property, ref seen))
            {
                return false;
            }

            var read = property switch
            {
                0 => TryInt(ref reader, out value),
                1 => TryInt(ref reader, out scale),
                _ => reader.TrySkip(),
            };
            if (!read)
            {
                return false;
            }
        }

        rating = new CustomRating { Value = value, Scale = scale };
        return reader.TokenType == JsonTokenType.EndObject;
    }

    /// <summary>
    /// The attributes as <see cref="CustomSourceAdapter"/> keeps them from the serializer's dictionary: in the order sent,
    /// strings as they are, numbers, objects and arrays as their JSON text, booleans as true/false, keys of 1–128 characters.
    /// </summary>
    private static bool TryAttributes(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, out AttributeDictionary? attributes)
    {
        attributes = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        // Counted on a copy of the reader first, so the array has room for them and the two attributes the adapter adds.
        var counter = reader;
        var count = 0;
        while (counter.Read() && counter.TokenType == JsonTokenType.PropertyName)
        {
            count++;
            if (!counter.Read() || !counter.TrySkip())
            {
                return false;
            }
        }

        attributes = new AttributeDictionary(count + 2);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            if (!reader.Read())
            {
                return false;
            }

            var start = (int)reader.TokenStartIndex;
            string? text;
            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    text = reader.GetString();
                    break;
                case JsonTokenType.Number:
                    text = Encoding.UTF8.GetString(reader.ValueSpan);
                    break;
                case JsonTokenType.True:
                    text = "true";
                    break;
                case JsonTokenType.False:
                    text = "false";
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    if (!reader.TrySkip())
                    {
                        return false;
                    }

                    text = Encoding.UTF8.GetString(body[start..((int)reader.TokenStartIndex + 1)]);
                    break;
                default:
                    // A null attribute is left out of the dictionary's texts but still takes its key: the serializer's read places it.
                    return false;
            }

            if (key.Length is 0 or > MaxKeyLength || attributes.ContainsKey(key))
            {
                // A key the adapter leaves out (it may come twice unseen) or one given twice (the serializer's dictionary
                // keeps its first place and last value): the serializer's read places them.
                return false;
            }

            attributes[key] = text!;
        }

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

    private static bool TryDouble(ref Utf8JsonReader reader, out double? value)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var number))
        {
            value = number;
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

    private static bool TryElement(ref Utf8JsonReader reader, out JsonElement? value)
    {
        value = reader.TokenType == JsonTokenType.Null ? null : JsonElement.ParseValue(ref reader);
        return true;
    }
}
