using System.Text.Json;
using JourneyHub.Core.Sources.Kit;

namespace JourneyHub.Core.Sources.Meta;

/// <summary>
/// Reads a Meta notification of changes by hand into the <see cref="MetaNotification"/> the serializer would make of it:
/// the serializer fills these init-only records through a constructor-argument buffer per object that boxes every value
/// type, reads each array into a list before copying it, and reads every change's value through a nested call with a
/// read stack of its own (about 470 B per change). Each value is read as <see cref="MetaChangeValueConverter"/> reads it,
/// with <see cref="MetaChangeValueReader"/> first.
/// <para>Whatever it does not take exactly as the serializer reads it (a property of another type, a number sent as a
/// string, a property given twice, messaging items, JSON it cannot read) makes it give up: the adapter then reads the body
/// through the serializer, whose outcome and errors count.</para>
/// </summary>
internal static class MetaNotificationReader
{
    /// <summary>The reader options the serializer uses for <see cref="MetaJsonContext"/> (depth 32, no comments, no trailing commas).</summary>
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 32 };

    private static readonly KnownWords ObjectTypes = new("page", "instagram");
    private static readonly KnownWords Fields = new("feed", "comments", "live_comments", "mentions");

    /// <returns>False when the serializer must read the body.</returns>
    public static bool TryRead(ReadOnlySpan<byte> body, out MetaNotification? notification)
    {
        notification = null;
        try
        {
            var reader = new Utf8JsonReader(body, Options);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            string? objectType = null;
            MetaEntry?[]? entries = null;
            var seen = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var property = reader.ValueTextEquals("object"u8) ? 0 : reader.ValueTextEquals("entry"u8) ? 1 : -1;
                if (!reader.Read() || !FirstTime(property, ref seen))
                {
                    return false;
                }

                var read = property switch
                {
                    0 => TryString(ref reader, out objectType, ObjectTypes),
                    1 => JsonArrayReader.TryRead(ref reader, TryEntry, out entries),
                    _ => reader.TrySkip(),
                };
                if (!read)
                {
                    return false;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                // Not an object, or something after it: the serializer says which.
                return false;
            }

            notification = new MetaNotification { ObjectType = objectType, Entry = entries };
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

    private static bool TryEntry(ref Utf8JsonReader reader, out MetaEntry? entry)
    {
        entry = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        string? id = null;
        long? time = null;
        MetaChange?[]? changes = null;
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = reader.ValueTextEquals("id"u8) ? 0 : reader.ValueTextEquals("time"u8) ? 1 : reader.ValueTextEquals("changes"u8) ? 2 : reader.ValueTextEquals("messaging"u8) ? 3 : -1;
            if (!reader.Read() || !FirstTime(property, ref seen))
            {
                return false;
            }

            var read = property switch
            {
                0 => TryString(ref reader, out id),
                1 => TryLong(ref reader, out time),
                2 => JsonArrayReader.TryRead(ref reader, TryChange, out changes),
                // Messaging items (extension data, attachments kept as JSON) are left to the serializer.
                3 => reader.TokenType == JsonTokenType.Null,
                _ => reader.TrySkip(),
            };
            if (!read)
            {
                return false;
            }
        }

        entry = new MetaEntry { Id = id, Time = time, Changes = changes };
        return reader.TokenType == JsonTokenType.EndObject;
    }

    private static bool TryChange(ref Utf8JsonReader reader, out MetaChange? change)
    {
        change = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        string? field = null;
        MetaChangeValue? value = null;
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = reader.ValueTextEquals("field"u8) ? 0 : reader.ValueTextEquals("value"u8) ? 1 : -1;
            if (!reader.Read() || !FirstTime(property, ref seen))
            {
                return false;
            }

            switch (property)
            {
                case 0:
                    if (!TryString(ref reader, out field, Fields))
                    {
                        return false;
                    }

                    break;
                case 1:
                    // As the serializer calls the value's converter: not for a JSON null.
                    value = reader.TokenType == JsonTokenType.Null ? null : MetaChangeValueConverter.ReadValue(ref reader, byHand: true);
                    break;
                default:
                    if (!reader.TrySkip())
                    {
                        return false;
                    }

                    break;
            }
        }

        change = new MetaChange { Field = field, Value = value };
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

    private static bool TryLong(ref Utf8JsonReader reader, out long? value)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number))
        {
            value = number;
            return true;
        }

        return false;
    }
}
