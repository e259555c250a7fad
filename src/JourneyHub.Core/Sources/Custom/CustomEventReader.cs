using System.Text;
using System.Text.Json;
using JourneyHub.Core.Sources.Kit;

namespace JourneyHub.Core.Sources.Custom;

/// <summary>
/// Reads a Standard Webhooks body by hand (<see cref="WireReader"/>) into the <see cref="CustomEvent"/> the serializer would
/// make of it, except the attributes: they are read straight into their texts (<see cref="AttributeDictionary"/>, handed
/// out beside the event; <see cref="CustomEventData.Attributes"/> stays null) instead of a dictionary of
/// <see cref="JsonElement"/>s, each a document of its own. Code reading attributes must take them from the adapter's
/// dictionary, which both paths fill. One event per delivery makes the serializer's fixed
/// cost per call (a read stack, boxed constructor arguments for these init-only records) most of the allocation. Gives up
/// on anything it does not take exactly as the serializer reads it (a value of another type, a number sent as a string, a
/// property or attribute given twice, a null attribute or one the adapter leaves out): the adapter then uses the serializer.
/// </summary>
internal static class CustomEventReader
{
    /// <summary>The longest attribute key the adapter keeps.</summary>
    public const int MaxKeyLength = 128;

    private static readonly JsonReaderOptions Options = WireReader.ReaderOptionsOf(CustomJsonContext.Default.Options);

    private static readonly KnownWords EventTypes = new(CustomSourceAdapter.EventType);

    internal static readonly PropertyNames EventNames = new("type", "timestamp", "data");
    internal static readonly PropertyNames DataNames = new(
        "sourceSystem", "externalId", "channel", "occurredAt", "action", "stage", "summary", "person", "survey", "rating", "attributes");
    internal static readonly PropertyNames PersonNames = new("id", "email", "phone", "externalIds");
    internal static readonly PropertyNames SurveyNames = new("type", "score", "comment");
    internal static readonly PropertyNames RatingNames = new("value", "scale");

    /// <param name="attributes">The event's attribute texts as the adapter keeps them; null when the event has none.</param>
    /// <returns>False when the serializer must read the body (and then both are null).</returns>
    public static bool TryRead(ReadOnlySpan<byte> body, out CustomEvent? value, out AttributeDictionary? attributes)
    {
        if (WireReader.TryReadBody<(CustomEvent, AttributeDictionary?)?>(body, Options, TryEvent, out var read) && read is var (e, a))
        {
            (value, attributes) = (e, a);
            return true;
        }

        (value, attributes) = (null, null);
        return false;
    }

    private static bool TryEvent(ref Utf8JsonReader reader, out (CustomEvent, AttributeDictionary?)? read)
    {
        read = null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            // The JSON null, or not an object: the serializer says which.
            return false;
        }

        string? type = null;
        DateTimeOffset? timestamp = null;
        CustomEventData? data = null;
        AttributeDictionary? attributes = null;
        var seen = 0;
        while (WireReader.NextProperty(ref reader, EventNames, ref seen, out var property))
        {
            if (!(property switch
            {
                0 => WireReader.TryString(ref reader, out type, EventTypes),
                1 => WireReader.TryDateTimeOffset(ref reader, out timestamp),
                2 => TryData(ref reader, out data, out attributes),
                _ => reader.TrySkip(),
            }))
            {
                return false;
            }
        }

        read = (new CustomEvent { Type = type, Timestamp = timestamp, Data = data }, attributes);
        return WireReader.AtObjectEnd(ref reader);
    }

    private static bool TryData(ref Utf8JsonReader reader, out CustomEventData? data, out AttributeDictionary? attributes)
    {
        data = null;
        attributes = null;
        if (!WireReader.TryStartObject(ref reader, out var isNull) || isNull)
        {
            return isNull;
        }

        string? sourceSystem = null, externalId = null, channel = null, action = null, stage = null, summary = null;
        DateTimeOffset? occurredAt = null;
        CustomPerson? person = null;
        CustomSurvey? survey = null;
        CustomRating? rating = null;
        var seen = 0;
        while (WireReader.NextProperty(ref reader, DataNames, ref seen, out var property))
        {
            var read = property switch
            {
                0 => WireReader.TryString(ref reader, out sourceSystem),
                1 => WireReader.TryString(ref reader, out externalId),
                2 => WireReader.TryString(ref reader, out channel),
                3 => WireReader.TryDateTimeOffset(ref reader, out occurredAt),
                4 => WireReader.TryString(ref reader, out action),
                5 => WireReader.TryString(ref reader, out stage),
                6 => WireReader.TryString(ref reader, out summary),
                7 => TryPerson(ref reader, out person),
                8 => TrySurvey(ref reader, out survey),
                9 => TryRating(ref reader, out rating),
                10 => TryAttributes(ref reader, out attributes),
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
        return WireReader.AtObjectEnd(ref reader);
    }

    private static bool TryPerson(ref Utf8JsonReader reader, out CustomPerson? person)
    {
        person = null;
        if (!WireReader.TryStartObject(ref reader, out var isNull) || isNull)
        {
            return isNull;
        }

        string? id = null, email = null, phone = null;
        JsonElement? externalIds = null;
        var seen = 0;
        while (WireReader.NextProperty(ref reader, PersonNames, ref seen, out var property))
        {
            if (property == 3)
            {
                // Kept as the serializer keeps it: a document of its own (a string, an array or an object of ids).
                externalIds = reader.TokenType == JsonTokenType.Null ? null : JsonElement.ParseValue(ref reader);
            }
            else if (!(property switch
            {
                0 => WireReader.TryString(ref reader, out id),
                1 => WireReader.TryString(ref reader, out email),
                2 => WireReader.TryString(ref reader, out phone),
                _ => reader.TrySkip(),
            }))
            {
                return false;
            }
        }

        person = new CustomPerson { Id = id, Email = email, Phone = phone, ExternalIds = externalIds };
        return WireReader.AtObjectEnd(ref reader);
    }

    private static bool TrySurvey(ref Utf8JsonReader reader, out CustomSurvey? survey)
    {
        survey = null;
        if (!WireReader.TryStartObject(ref reader, out var isNull) || isNull)
        {
            return isNull;
        }

        string? type = null, comment = null;
        double? score = null;
        var seen = 0;
        while (WireReader.NextProperty(ref reader, SurveyNames, ref seen, out var property))
        {
            if (!(property switch
            {
                0 => WireReader.TryString(ref reader, out type),
                1 => WireReader.TryDouble(ref reader, out score),
                2 => WireReader.TryString(ref reader, out comment),
                _ => reader.TrySkip(),
            }))
            {
                return false;
            }
        }

        survey = new CustomSurvey { Type = type, Score = score, Comment = comment };
        return WireReader.AtObjectEnd(ref reader);
    }

    private static bool TryRating(ref Utf8JsonReader reader, out CustomRating? rating)
    {
        rating = null;
        if (!WireReader.TryStartObject(ref reader, out var isNull) || isNull)
        {
            return isNull;
        }

        int? value = null, scale = null;
        var seen = 0;
        while (WireReader.NextProperty(ref reader, RatingNames, ref seen, out var property))
        {
            if (!(property switch
            {
                0 => WireReader.TryInt32(ref reader, out value),
                1 => WireReader.TryInt32(ref reader, out scale),
                _ => reader.TrySkip(),
            }))
            {
                return false;
            }
        }

        rating = new CustomRating { Value = value, Scale = scale };
        return WireReader.AtObjectEnd(ref reader);
    }

    /// <summary>
    /// The attributes as <see cref="CustomSourceAdapter"/> keeps them from the serializer's dictionary: in the order sent,
    /// strings as they are, numbers, objects and arrays as their JSON text, booleans as true/false.
    /// </summary>
    private static bool TryAttributes(ref Utf8JsonReader reader, out AttributeDictionary? attributes)
    {
        attributes = null;
        if (!WireReader.TryStartObject(ref reader, out var isNull) || isNull)
        {
            return isNull;
        }

        // The dictionary grows as it fills: one pass over what the sender wrote, not a counting pass before it.
        attributes = new AttributeDictionary();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            if (!reader.Read() || key.Length is 0 or > MaxKeyLength || attributes.ContainsKey(key))
            {
                // A key the adapter leaves out (it may come twice unseen) or one given twice (the serializer's dictionary
                // keeps its first place and last value): the serializer's read places them.
                return false;
            }

            string? text = reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString(),
                JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
                JsonTokenType.True => "true",
                JsonTokenType.False => "false",
                JsonTokenType.StartObject or JsonTokenType.StartArray => JsonElement.ParseValue(ref reader).GetRawText(),
                // A null attribute is left out of the texts but takes its key's place: the serializer's read places it.
                _ => null,
            };
            if (text is null)
            {
                return false;
            }

            attributes[key] = text;
        }

        return WireReader.AtObjectEnd(ref reader);
    }
}
