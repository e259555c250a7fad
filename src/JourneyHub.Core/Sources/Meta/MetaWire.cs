using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace JourneyHub.Core.Sources.Meta;

/// <summary>A Meta Graph webhook notification (<c>object</c> page or instagram) as Meta sends it.</summary>
public sealed record MetaNotification
{
    [JsonPropertyName("object")]
    public string? ObjectType { get; init; }
    public MetaEntry?[]? Entry { get; init; }
}

public sealed record MetaEntry
{
    public string? Id { get; init; }
    public long? Time { get; init; }
    public MetaChange?[]? Changes { get; init; }
    public MetaMessaging?[]? Messaging { get; init; }
}

public sealed record MetaChange
{
    public string? Field { get; init; }

    /// <summary>Read in the notification's one pass (<see cref="MetaChangeValueConverter"/>); null when absent or JSON null.</summary>
    [JsonConverter(typeof(MetaChangeValueConverter))]
    public MetaChangeValue? Value { get; init; }
}

/// <summary>
/// A change's <c>value</c>, read once, in the same pass as the notification: it holds every property that the supported
/// fields document (feed, comments and live_comments, mentions; none of them names a property another types
/// differently), so mapping it needs no second deserialization, whether <c>field</c> comes before or after it.
/// A value that does not read this way (not an object, or a property with another type than documented) is kept as
/// <see cref="Unread"/> JSON and read into its field's own record when mapped: that gives the record's exact error, or
/// succeeds when the odd property belongs to another field. Only such values are parsed twice.
/// </summary>
public sealed record MetaChangeValue
{
    public string? Item { get; init; }
    public string? Verb { get; init; }
    public string? Id { get; init; }
    public string? CommentId { get; init; }
    public string? PostId { get; init; }
    public string? ParentId { get; init; }
    public string? MediaId { get; init; }
    public MetaUser? From { get; init; }
    public string? Message { get; init; }
    public string? Text { get; init; }
    public InstagramMedia? Media { get; init; }
    public JsonElement? CreatedTime { get; init; }

    /// <summary>
    /// <c>created_time</c> when it is a whole number (Unix time, as webhooks send it) and the hand reader read the value,
    /// without the <see cref="JsonElement"/> (a document per change) that <see cref="CreatedTime"/> holds otherwise. The
    /// serializer's path leaves it null and keeps the number in <see cref="CreatedTime"/>: read the time through the
    /// adapter's one reading of both, never from one property alone.
    /// </summary>
    [JsonIgnore]
    public long? CreatedUnixTime { get; init; }

    /// <summary>The value as JSON when it did not read in one pass; null when it did.</summary>
    [JsonIgnore]
    public JsonElement? Unread { get; init; }

    [JsonIgnore]
    public bool IsObject => Unread is not { } json || json.ValueKind == JsonValueKind.Object;

    /// <summary>The value as the record of a feed change; a value kept as JSON is read into that record (its errors are the change's).</summary>
    public MetaChangeValue AsFeed() => Unread is { } json ? Of(json.Deserialize(MetaJsonContext.Default.MetaFeedValue)!) : this;

    /// <summary>The value as the record of an Instagram comment change (comments, live_comments).</summary>
    public MetaChangeValue AsInstagramComment() => Unread is { } json ? Of(json.Deserialize(MetaJsonContext.Default.InstagramCommentValue)!) : this;

    /// <summary>The value as the record of an Instagram mention change.</summary>
    public MetaChangeValue AsInstagramMention() => Unread is { } json ? Of(json.Deserialize(MetaJsonContext.Default.InstagramMentionValue)!) : this;

    private static MetaChangeValue Of(MetaFeedValue feed) => new()
    {
        Item = feed.Item,
        Verb = feed.Verb,
        CommentId = feed.CommentId,
        PostId = feed.PostId,
        ParentId = feed.ParentId,
        From = feed.From,
        Message = feed.Message,
        CreatedTime = feed.CreatedTime,
    };

    private static MetaChangeValue Of(InstagramCommentValue comment) => new()
    {
        Id = comment.Id,
        Text = comment.Text,
        From = comment.From,
        Media = comment.Media,
        ParentId = comment.ParentId,
    };

    private static MetaChangeValue Of(InstagramMentionValue mention) => new()
    {
        MediaId = mention.MediaId,
        CommentId = mention.CommentId,
    };
}

/// <summary>
/// Reads <see cref="MetaChange.Value"/> straight into <see cref="MetaChangeValue"/>; when that fails, rewinds and keeps the
/// value as JSON instead, so one malformed change is rejected on its own and never fails the whole delivery.
/// </summary>
public sealed class MetaChangeValueConverter : JsonConverter<MetaChangeValue>
{
    public override MetaChangeValue? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadValue(ref reader);

    /// <summary>
    /// The serializer's read of a value. <see cref="MetaNotificationReader"/> tries the adapter's own reader
    /// (<see cref="MetaChangeValueReader"/>) first and comes here only with what that one leaves, from the same start, so the
    /// outcome and its errors are the serializer's either way.
    /// </summary>
    internal static MetaChangeValue? ReadValue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            var start = reader;
            try
            {
                return JsonSerializer.Deserialize(ref reader, MetaJsonContext.Default.MetaChangeValue);
            }
            catch (JsonException)
            {
                // Not the documented shape (or cut off: then the JSON parse below fails the delivery as before).
                reader = start;
            }
        }

        return new MetaChangeValue { Unread = JsonElement.ParseValue(ref reader) };
    }

    public override void Write(Utf8JsonWriter writer, MetaChangeValue value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        if (value.Unread is { } json)
        {
            json.WriteTo(writer);
            return;
        }

        // A whole-number created_time read by hand is held as a number: written back as the JSON number it was.
        var written = value.CreatedUnixTime is { } unixTime
            ? value with { CreatedTime = JsonElement.Parse(unixTime.ToString(CultureInfo.InvariantCulture)), CreatedUnixTime = null }
            : value;
        JsonSerializer.Serialize(writer, written, MetaJsonContext.Default.MetaChangeValue);
    }
}

public sealed record MetaUser
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? Username { get; init; }
}

public sealed record MetaFeedValue
{
    public string? Item { get; init; }
    public string? Verb { get; init; }
    public string? CommentId { get; init; }
    public string? PostId { get; init; }
    public string? ParentId { get; init; }
    public MetaUser? From { get; init; }
    public string? Message { get; init; }
    public JsonElement? CreatedTime { get; init; }
}

public sealed record InstagramCommentValue
{
    public string? Id { get; init; }
    public string? Text { get; init; }
    public MetaUser? From { get; init; }
    public InstagramMedia? Media { get; init; }
    public string? ParentId { get; init; }
}

public sealed record InstagramMedia
{
    public string? Id { get; init; }
    public string? MediaProductType { get; init; }
}

public sealed record InstagramMentionValue
{
    public string? MediaId { get; init; }
    public string? CommentId { get; init; }
}

public sealed record MetaMessaging
{
    public MetaUser? Sender { get; init; }
    public MetaUser? Recipient { get; init; }
    public long? Timestamp { get; init; }
    public MetaMessage? Message { get; init; }

    /// <summary>read, delivery, postback, reaction, …: named in the rejection reason.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }
}

public sealed record MetaMessage
{
    public string? Mid { get; init; }
    public string? Text { get; init; }
    public bool? IsEcho { get; init; }
    public JsonElement? Attachments { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowReadingFromString, MaxDepth = 32)]
[JsonSerializable(typeof(MetaNotification))]
[JsonSerializable(typeof(MetaFeedValue))]
[JsonSerializable(typeof(InstagramCommentValue))]
[JsonSerializable(typeof(InstagramMentionValue))]
[JsonSerializable(typeof(MetaChangeValue))]
internal sealed partial class MetaJsonContext : JsonSerializerContext;
