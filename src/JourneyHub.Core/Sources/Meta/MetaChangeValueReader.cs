using System.Text.Json;
using JourneyHub.Core.Sources.Kit;

namespace JourneyHub.Core.Sources.Meta;

/// <summary>
/// Reads a change's <c>value</c> object by hand into the <see cref="MetaChangeValue"/> the serializer would make of it:
/// the same snake_case property names, matched exactly; unknown properties skipped; strings and objects or null. Whatever
/// it does not take exactly so (a property of another type, a property given twice, JSON it cannot read) makes it give up,
/// and the caller reads the value through the serializer from the same start, whose outcome and errors then count.
/// </summary>
internal static class MetaChangeValueReader
{
    private static readonly KnownWords Items = new("comment", "post", "status", "photo", "video", "share");
    private static readonly KnownWords Verbs = new("add", "edited", "remove");
    private static readonly KnownWords MediaProductTypes = new("FEED", "REELS", "STORY", "AD");

    /// <summary>The value at the reader's <see cref="JsonTokenType.StartObject"/>, with the reader at its end; null when the serializer must read it.</summary>
    public static MetaChangeValue? TryRead(ref Utf8JsonReader reader)
    {
        try
        {
            return Read(ref reader);
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            // A string that is not valid UTF-8, or a value not all in the buffer: the serializer's read decides.
            return null;
        }
    }

    private static MetaChangeValue? Read(ref Utf8JsonReader reader)
    {
        string? item = null, verb = null, id = null, commentId = null, postId = null, parentId = null, mediaId = null, message = null, text = null;
        MetaUser? from = null;
        InstagramMedia? media = null;
        JsonElement? createdTime = null;
        long? createdUnixTime = null;
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = Property(ref reader);
            if (!reader.Read())
            {
                return null;
            }

            if (property < 0)
            {
                if (!reader.TrySkip())
                {
                    return null;
                }

                continue;
            }

            if ((seen & (1 << property)) != 0)
            {
                return null;
            }

            seen |= 1 << property;
            var read = property switch
            {
                0 => TryString(ref reader, Items, out item),
                1 => TryString(ref reader, Verbs, out verb),
                2 => TryString(ref reader, null, out id),
                3 => TryString(ref reader, null, out commentId),
                4 => TryStringLike(ref reader, parentId, out postId),
                5 => TryStringLike(ref reader, postId, out parentId),
                6 => TryString(ref reader, null, out mediaId),
                7 => TryUser(ref reader, out from),
                8 => TryString(ref reader, null, out message),
                9 => TryString(ref reader, null, out text),
                10 => TryMedia(ref reader, out media),
                _ => TryTime(ref reader, out createdTime, out createdUnixTime),
            };
            if (!read)
            {
                return null;
            }
        }

        return reader.TokenType != JsonTokenType.EndObject ? null : new MetaChangeValue
        {
            Item = item,
            Verb = verb,
            Id = id,
            CommentId = commentId,
            PostId = postId,
            ParentId = parentId,
            MediaId = mediaId,
            From = from,
            Message = message,
            Text = text,
            Media = media,
            CreatedTime = createdTime,
            CreatedUnixTime = createdUnixTime,
        };
    }

    private static int Property(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("item"u8) ? 0
        : reader.ValueTextEquals("verb"u8) ? 1
        : reader.ValueTextEquals("id"u8) ? 2
        : reader.ValueTextEquals("comment_id"u8) ? 3
        : reader.ValueTextEquals("post_id"u8) ? 4
        : reader.ValueTextEquals("parent_id"u8) ? 5
        : reader.ValueTextEquals("media_id"u8) ? 6
        : reader.ValueTextEquals("from"u8) ? 7
        : reader.ValueTextEquals("message"u8) ? 8
        : reader.ValueTextEquals("text"u8) ? 9
        : reader.ValueTextEquals("media"u8) ? 10
        : reader.ValueTextEquals("created_time"u8) ? 11
        : -1;

    private static bool TryString(ref Utf8JsonReader reader, KnownWords? words, out string? value)
    {
        value = reader.TokenType switch
        {
            JsonTokenType.String => words is null ? reader.GetString() : words.Read(ref reader),
            _ => null,
        };
        return reader.TokenType is JsonTokenType.String or JsonTokenType.Null;
    }

    /// <summary>A string that is often equal to one read before (a top-level comment's parent is its post): that instance when equal.</summary>
    private static bool TryStringLike(ref Utf8JsonReader reader, string? other, out string? value)
    {
        if (reader.TokenType == JsonTokenType.String && other is not null && reader.ValueTextEquals(other))
        {
            value = other;
            return true;
        }

        return TryString(ref reader, null, out value);
    }

    private static bool TryUser(ref Utf8JsonReader reader, out MetaUser? user)
    {
        user = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        string? id = null, name = null, username = null;
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = reader.ValueTextEquals("id"u8) ? 0 : reader.ValueTextEquals("name"u8) ? 1 : reader.ValueTextEquals("username"u8) ? 2 : -1;
            if (!reader.Read())
            {
                return false;
            }

            var read = property switch
            {
                0 => TryProperty(ref reader, property, ref seen, ref id),
                1 => TryProperty(ref reader, property, ref seen, ref name),
                2 => TryProperty(ref reader, property, ref seen, ref username),
                _ => reader.TrySkip(),
            };
            if (!read)
            {
                return false;
            }
        }

        user = new MetaUser { Id = id, Name = name, Username = username };
        return reader.TokenType == JsonTokenType.EndObject;
    }

    private static bool TryMedia(ref Utf8JsonReader reader, out InstagramMedia? media)
    {
        media = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        string? id = null, productType = null;
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = reader.ValueTextEquals("id"u8) ? 0 : reader.ValueTextEquals("media_product_type"u8) ? 1 : -1;
            if (!reader.Read())
            {
                return false;
            }

            var read = property switch
            {
                0 => TryProperty(ref reader, property, ref seen, ref id),
                1 => TryProperty(ref reader, property, ref seen, ref productType, MediaProductTypes),
                _ => reader.TrySkip(),
            };
            if (!read)
            {
                return false;
            }
        }

        media = new InstagramMedia { Id = id, MediaProductType = productType };
        return reader.TokenType == JsonTokenType.EndObject;
    }

    /// <summary>One string property of a nested object, not given before.</summary>
    private static bool TryProperty(ref Utf8JsonReader reader, int property, ref int seen, ref string? value, KnownWords? words = null)
    {
        if ((seen & (1 << property)) != 0)
        {
            return false;
        }

        seen |= 1 << property;
        return TryString(ref reader, words, out value);
    }

    /// <summary>A whole number as <paramref name="unixTime"/>; anything else as the <see cref="JsonElement"/> the serializer keeps.</summary>
    private static bool TryTime(ref Utf8JsonReader reader, out JsonElement? element, out long? unixTime)
    {
        element = null;
        unixTime = null;
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var whole))
        {
            unixTime = whole;
        }
        else if (reader.TokenType != JsonTokenType.Null)
        {
            element = JsonElement.ParseValue(ref reader);
        }

        return true;
    }
}
