using System.Text.Json;
using JourneyHub.Core.Sources.Kit;

namespace JourneyHub.Core.Sources.Meta;

/// <summary>
/// Reads a change's <c>value</c> object by hand (<see cref="WireReader"/>) into the <see cref="MetaChangeValue"/> the
/// serializer would make of it. Gives up on anything it does not take exactly so (a property of another type, a property
/// given twice, JSON it cannot read): the caller then reads the value through the serializer from the same start.
/// </summary>
internal static class MetaChangeValueReader
{
    private static readonly KnownWords Items = new("comment", "post", "status", "photo", "video", "share");
    private static readonly KnownWords Verbs = new("add", "edited", "remove");
    private static readonly KnownWords MediaProductTypes = new("FEED", "REELS", "STORY", "AD");

    internal static readonly PropertyNames ValueNames = new(
        "item", "verb", "id", "comment_id", "post_id", "parent_id", "media_id", "from", "message", "text", "media", "created_time");
    internal static readonly PropertyNames UserNames = new("id", "name", "username");
    internal static readonly PropertyNames MediaNames = new("id", "media_product_type");

    /// <summary>
    /// The value at the reader's <see cref="JsonTokenType.StartObject"/>, with the reader at its end; null when the serializer
    /// must read it, with the reader back where it was.
    /// </summary>
    public static MetaChangeValue? TryRead(ref Utf8JsonReader reader)
    {
        var start = reader;
        try
        {
            if (reader.TokenType == JsonTokenType.StartObject && Read(ref reader) is { } value)
            {
                return value;
            }
        }
        catch (JsonException)
        {
        }
        catch (InvalidOperationException)
        {
            // A string that is not valid UTF-8: the serializer's read decides.
        }

        reader = start;
        return null;
    }

    private static MetaChangeValue? Read(ref Utf8JsonReader reader)
    {
        string? item = null, verb = null, id = null, commentId = null, postId = null, parentId = null, mediaId = null, message = null, text = null;
        MetaUser? from = null;
        InstagramMedia? media = null;
        JsonElement? createdTime = null;
        long? createdUnixTime = null;
        var seen = 0;
        while (WireReader.NextProperty(ref reader, ValueNames, ref seen, out var property))
        {
            var read = property switch
            {
                0 => WireReader.TryString(ref reader, out item, Items),
                1 => WireReader.TryString(ref reader, out verb, Verbs),
                2 => WireReader.TryString(ref reader, out id),
                3 => WireReader.TryString(ref reader, out commentId),
                4 => TryStringLike(ref reader, parentId, out postId),
                5 => TryStringLike(ref reader, postId, out parentId),
                6 => WireReader.TryString(ref reader, out mediaId),
                7 => TryUser(ref reader, out from),
                8 => WireReader.TryString(ref reader, out message),
                9 => WireReader.TryString(ref reader, out text),
                10 => TryMedia(ref reader, out media),
                11 => TryTime(ref reader, out createdTime, out createdUnixTime),
                _ => reader.TrySkip(),
            };
            if (!read)
            {
                return null;
            }
        }

        return !WireReader.AtObjectEnd(ref reader) ? null : new MetaChangeValue
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

    /// <summary>A string that is often equal to one read before (a top-level comment's parent is its post): that instance when equal.</summary>
    private static bool TryStringLike(ref Utf8JsonReader reader, string? other, out string? value)
    {
        if (reader.TokenType == JsonTokenType.String && other is not null && reader.ValueTextEquals(other))
        {
            value = other;
            return true;
        }

        return WireReader.TryString(ref reader, out value);
    }

    private static bool TryUser(ref Utf8JsonReader reader, out MetaUser? user)
    {
        user = null;
        if (!WireReader.TryStartObject(ref reader, out var isNull) || isNull)
        {
            return isNull;
        }

        string? id = null, name = null, username = null;
        var seen = 0;
        while (WireReader.NextProperty(ref reader, UserNames, ref seen, out var property))
        {
            if (!(property switch
            {
                0 => WireReader.TryString(ref reader, out id),
                1 => WireReader.TryString(ref reader, out name),
                2 => WireReader.TryString(ref reader, out username),
                _ => reader.TrySkip(),
            }))
            {
                return false;
            }
        }

        user = new MetaUser { Id = id, Name = name, Username = username };
        return WireReader.AtObjectEnd(ref reader);
    }

    private static bool TryMedia(ref Utf8JsonReader reader, out InstagramMedia? media)
    {
        media = null;
        if (!WireReader.TryStartObject(ref reader, out var isNull) || isNull)
        {
            return isNull;
        }

        string? id = null, productType = null;
        var seen = 0;
        while (WireReader.NextProperty(ref reader, MediaNames, ref seen, out var property))
        {
            if (!(property switch
            {
                0 => WireReader.TryString(ref reader, out id),
                1 => WireReader.TryString(ref reader, out productType, MediaProductTypes),
                _ => reader.TrySkip(),
            }))
            {
                return false;
            }
        }

        media = new InstagramMedia { Id = id, MediaProductType = productType };
        return WireReader.AtObjectEnd(ref reader);
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
