using System.Text;
using System.Text.Json;

namespace JourneyHub.Core.Sources.Kit;

/// <summary>
/// What the adapters' hand readers of wire JSON share. A hand reader reads a well-formed body into the same wire records
/// the serializer would make, without the serializer's cost per object (a constructor-argument buffer that boxes every
/// value of an init-only record, a list copied into each array, a read stack per nested call), and gives up on anything it
/// does not take exactly as the serializer reads it: then the adapter reads the body through the serializer, whose outcome
/// and errors count. Each method here reads one value at the reader's current token and returns false for "give up".
/// </summary>
public static class WireReader
{
    /// <summary>
    /// The reader options a serializer context reads a body with (depth, comments, trailing commas), so a hand reader
    /// accepts and refuses the same JSON as the serializer it stands in for, however the context is changed later.
    /// </summary>
    public static JsonReaderOptions ReaderOptionsOf(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new JsonReaderOptions
        {
            // 0 is the serializer's "default depth", 64.
            MaxDepth = options.MaxDepth == 0 ? 64 : options.MaxDepth,
            AllowTrailingCommas = options.AllowTrailingCommas,
            CommentHandling = options.ReadCommentHandling,
        };
    }

    /// <summary>
    /// Reads a whole body: one JSON value, read by <paramref name="readRoot"/>, and nothing after it, as the serializer
    /// requires. JSON the reader cannot read (it throws as the serializer's reader would) and strings that are not UTF-8
    /// make it give up too.
    /// </summary>
    /// <param name="options">The serializer context's reader options (its depth; no comments, no trailing commas).</param>
    public static bool TryReadBody<T>(ReadOnlySpan<byte> body, JsonReaderOptions options, JsonItemReader<T> readRoot, out T? value)
    {
        ArgumentNullException.ThrowIfNull(readRoot);
        value = default;
        try
        {
            var reader = new Utf8JsonReader(body, options);
            if (reader.Read() && readRoot(ref reader, out var root) && !reader.Read())
            {
                value = root;
                return true;
            }

            return false;
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>At an object's start: true with <paramref name="isNull"/> false; at a JSON null: true with it true; otherwise false.</summary>
    public static bool TryStartObject(ref Utf8JsonReader reader, out bool isNull)
    {
        isNull = reader.TokenType == JsonTokenType.Null;
        return isNull || reader.TokenType == JsonTokenType.StartObject;
    }

    /// <summary>
    /// Moves to the next property's value of the object being read. <paramref name="property"/> is its index in
    /// <paramref name="names"/>, or -1 for a property the record does not have (the caller skips it). False at the object's
    /// end, and also at a property given twice (<paramref name="seen"/> holds those read): the reader is then not at the
    /// object's end, which is how the caller tells them apart.
    /// </summary>
    public static bool NextProperty(ref Utf8JsonReader reader, PropertyNames names, ref int seen, out int property)
    {
        ArgumentNullException.ThrowIfNull(names);
        property = -1;
        if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName)
        {
            return false;
        }

        property = names.IndexOf(ref reader);
        if (!reader.Read())
        {
            return false;
        }

        if (property >= 0)
        {
            if ((seen & (1 << property)) != 0)
            {
                return false;
            }

            seen |= 1 << property;
        }

        return true;
    }

    /// <summary>After the loop over <see cref="NextProperty"/>: whether it ended at the object's end, the record complete.</summary>
    public static bool AtObjectEnd(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.EndObject;

    /// <summary>A string or null; a known word as its shared instance.</summary>
    public static bool TryString(ref Utf8JsonReader reader, out string? value, KnownWords? words = null)
    {
        value = reader.TokenType == JsonTokenType.String ? words?.Read(ref reader) ?? reader.GetString() : null;
        return reader.TokenType is JsonTokenType.String or JsonTokenType.Null;
    }

    /// <summary>A time as the serializer reads <see cref="DateTimeOffset"/> (ISO 8601 text) or null.</summary>
    public static bool TryDateTimeOffset(ref Utf8JsonReader reader, out DateTimeOffset? value)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var time))
        {
            value = time;
        }

        return value is not null || reader.TokenType == JsonTokenType.Null;
    }

    /// <summary>A JSON number that is an <see cref="int"/>, or null; a number sent as a string is left to the serializer.</summary>
    public static bool TryInt32(ref Utf8JsonReader reader, out int? value)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var number))
        {
            value = number;
        }

        return value is not null || reader.TokenType == JsonTokenType.Null;
    }

    /// <summary>A JSON number that is a <see cref="long"/>, or null; a number sent as a string is left to the serializer.</summary>
    public static bool TryInt64(ref Utf8JsonReader reader, out long? value)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number))
        {
            value = number;
        }

        return value is not null || reader.TokenType == JsonTokenType.Null;
    }

    /// <summary>A JSON number as the serializer reads a <see cref="double"/>, or null; a number sent as a string is left to the serializer.</summary>
    public static bool TryDouble(ref Utf8JsonReader reader, out double? value)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var number))
        {
            value = number;
        }

        return value is not null || reader.TokenType == JsonTokenType.Null;
    }

    /// <summary>true, false or null.</summary>
    public static bool TryBoolean(ref Utf8JsonReader reader, out bool? value)
    {
        value = reader.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            _ => null,
        };
        return value is not null || reader.TokenType == JsonTokenType.Null;
    }
}

/// <summary>A record's JSON property names, matched as the serializer matches them (exactly, escapes read).</summary>
public sealed class PropertyNames
{
    private readonly byte[][] names;

    /// <param name="names">The names in the order of the indexes a reader switches on (at most 32).</param>
    public PropertyNames(params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(names.Length, 32);
        Names = names;
        this.names = [.. names.Select(Encoding.UTF8.GetBytes)];
    }

    /// <summary>The names, in index order: a test compares them with the serializer's properties of the record.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The index of the property name at the reader; -1 for another name.</summary>
    public int IndexOf(ref Utf8JsonReader reader)
    {
        for (var i = 0; i < names.Length; i++)
        {
            if (reader.ValueTextEquals(names[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
