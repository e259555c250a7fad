using System.Text.Json;
using JourneyHub.Core.Sources.Kit;

namespace JourneyHub.Core.Sources.Meta;

/// <summary>
/// Reads a Meta notification of changes by hand (<see cref="WireReader"/>) into the <see cref="MetaNotification"/> the
/// serializer would make of it, without the serializer's boxed constructor arguments for these init-only records, its list
/// copied into each array, and its nested call per change value with a read stack of its own (about 470 B per change).
/// Each value is read as <see cref="MetaChangeValueConverter"/> reads it, with <see cref="MetaChangeValueReader"/> first.
/// Gives up on anything it does not take exactly as the serializer reads it (a property of another type, a number sent as a
/// string, a property given twice, messaging items): the adapter then uses the serializer.
/// </summary>
internal static class MetaNotificationReader
{
    private static readonly JsonReaderOptions Options = WireReader.ReaderOptionsOf(MetaJsonContext.Default.Options);

    private static readonly KnownWords ObjectTypes = new("page", "instagram");
    private static readonly KnownWords Fields = new("feed", "comments", "live_comments", "mentions");

    internal static readonly PropertyNames NotificationNames = new("object", "entry");
    internal static readonly PropertyNames EntryNames = new("id", "time", "changes", "messaging");
    internal static readonly PropertyNames ChangeNames = new("field", "value");

    /// <returns>False when the serializer must read the body.</returns>
    public static bool TryRead(ReadOnlySpan<byte> body, out MetaNotification? notification) =>
        WireReader.TryReadBody<MetaNotification?>(body, Options, TryNotification, out notification) && notification is not null;

    private static bool TryNotification(ref Utf8JsonReader reader, out MetaNotification? notification)
    {
        notification = null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            // The JSON null, or not an object: the serializer says which.
            return false;
        }

        string? objectType = null;
        MetaEntry?[]? entries = null;
        var seen = 0;
        while (WireReader.NextProperty(ref reader, NotificationNames, ref seen, out var property))
        {
            if (!(property switch
            {
                0 => WireReader.TryString(ref reader, out objectType, ObjectTypes),
                1 => JsonArrayReader.TryRead(ref reader, TryEntry, out entries),
                _ => reader.TrySkip(),
            }))
            {
                return false;
            }
        }

        notification = new MetaNotification { ObjectType = objectType, Entry = entries };
        return WireReader.AtObjectEnd(ref reader);
    }

    private static bool TryEntry(ref Utf8JsonReader reader, out MetaEntry? entry)
    {
        entry = null;
        if (!WireReader.TryStartObject(ref reader, out var isNull) || isNull)
        {
            return isNull;
        }

        string? id = null;
        long? time = null;
        MetaChange?[]? changes = null;
        var seen = 0;
        while (WireReader.NextProperty(ref reader, EntryNames, ref seen, out var property))
        {
            if (!(property switch
            {
                0 => WireReader.TryString(ref reader, out id),
                1 => WireReader.TryInt64(ref reader, out time),
                2 => JsonArrayReader.TryRead(ref reader, TryChange, out changes),
                // Messaging items (extension data, attachments kept as JSON) are left to the serializer.
                3 => reader.TokenType == JsonTokenType.Null,
                _ => reader.TrySkip(),
            }))
            {
                return false;
            }
        }

        entry = new MetaEntry { Id = id, Time = time, Changes = changes };
        return WireReader.AtObjectEnd(ref reader);
    }

    private static bool TryChange(ref Utf8JsonReader reader, out MetaChange? change)
    {
        change = null;
        if (!WireReader.TryStartObject(ref reader, out var isNull) || isNull)
        {
            return isNull;
        }

        string? field = null;
        MetaChangeValue? value = null;
        var seen = 0;
        while (WireReader.NextProperty(ref reader, ChangeNames, ref seen, out var property))
        {
            if (property == 1)
            {
                // As the serializer calls the value's converter: not for a JSON null.
                // The hand reader first (a nested serializer call per change costs a new read stack, ~470 B, and boxes its
                // init-only properties); what it leaves, the serializer reads from the same start.
                value = reader.TokenType == JsonTokenType.Null ? null : MetaChangeValueReader.TryRead(ref reader) ?? MetaChangeValueConverter.ReadValue(ref reader);
            }
            else if (!(property == 0 ? WireReader.TryString(ref reader, out field, Fields) : reader.TrySkip()))
            {
                return false;
            }
        }

        change = new MetaChange { Field = field, Value = value };
        return WireReader.AtObjectEnd(ref reader);
    }
}
