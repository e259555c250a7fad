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
    public JsonElement Value { get; init; }
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
internal sealed partial class MetaJsonContext : JsonSerializerContext;
