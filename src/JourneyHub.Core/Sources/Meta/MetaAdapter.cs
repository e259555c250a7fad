using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sentiment;

namespace JourneyHub.Core.Sources.Meta;

/// <summary>
/// Meta Graph webhooks. <c>object=page</c> → source <c>meta</c>: <c>changes[]</c> of field <c>feed</c> (comments and
/// visitor posts; verbs add / edited / remove) and <c>messaging[]</c> (Messenger messages). <c>object=instagram</c> →
/// source <c>instagram</c>: <c>changes[]</c> of field <c>comments</c>/<c>live_comments</c> and <c>mentions</c>, and
/// <c>messaging[]</c>. Every change or messaging item is one entry: an item that is not understood is rejected with
/// its reason and the others are kept. The body is parsed from the raw bytes (Meta escapes non-ASCII as \uXXXX).
/// </summary>
public sealed class MetaAdapter : ISourceAdapter
{
    public const string SourceName = "meta";
    public const string InstagramSource = "instagram";

    private static readonly HashSet<string> PostItems = new(StringComparer.Ordinal) { "post", "status", "photo", "video", "share" };

    public string Source => SourceName;

    public NormalizationResult Normalize(RawPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        MetaNotification? notification;
        try
        {
            notification = JsonSerializer.Deserialize(payload.Body.Span, MetaJsonContext.Default.MetaNotification);
        }
        catch (JsonException ex)
        {
            return NormalizationResult.Failed($"Meta payload is not a webhook notification object: {ex.Message}");
        }

        var source = notification?.ObjectType switch
        {
            "page" => SourceName,
            "instagram" => InstagramSource,
            _ => null,
        };
        if (notification is null || source is null)
        {
            return NormalizationResult.Failed($"Meta payload object '{notification?.ObjectType}' is not supported (page, instagram).");
        }

        var touchpoints = new List<Touchpoint>();
        var rejected = new List<RejectedEntry>();
        var index = 0;
        foreach (var entry in notification.Entry ?? [])
        {
            if (entry is null)
            {
                continue;
            }

            foreach (var change in entry.Changes ?? [])
            {
                Collect(index++, change is null ? AdapterOutcome.Fail("change is null") : MapChange(source, entry, change), $"change '{change?.Field}'");
            }

            foreach (var messaging in entry.Messaging ?? [])
            {
                Collect(index++, messaging is null ? AdapterOutcome.Fail("messaging item is null") : MapMessaging(source, entry, messaging), "messaging");
            }
        }

        if (index == 0)
        {
            rejected.Add(new RejectedEntry(null, $"Meta {notification.ObjectType} notification holds no changes or messaging items."));
        }

        return new NormalizationResult(touchpoints, rejected);

        void Collect(int i, AdapterOutcome outcome, string what)
        {
            if (outcome.Touchpoint is { } touchpoint)
            {
                touchpoints.Add(touchpoint);
            }
            else
            {
                rejected.Add(new RejectedEntry(i, $"Meta {notification.ObjectType} item {i} ({what}): {outcome.Error}"));
            }
        }
    }

    private static AdapterOutcome MapChange(string source, MetaEntry entry, MetaChange change)
    {
        if (change.Value.ValueKind != JsonValueKind.Object)
        {
            return AdapterOutcome.Fail("value is not an object");
        }

        try
        {
            return MapKnownChange(source, entry, change);
        }
        catch (JsonException ex)
        {
            return AdapterOutcome.Fail($"value does not have the documented shape: {ex.Message}");
        }
    }

    private static AdapterOutcome MapKnownChange(string source, MetaEntry entry, MetaChange change)
    {
        return (source, change.Field) switch
        {
            (SourceName, "feed") => MapFeed(entry, change.Value.Deserialize(MetaJsonContext.Default.MetaFeedValue)!),
            (InstagramSource, "comments" or "live_comments") => MapInstagramComment(entry, change.Field, change.Value.Deserialize(MetaJsonContext.Default.InstagramCommentValue)!),
            (InstagramSource, "mentions") => MapInstagramMention(entry, change.Value.Deserialize(MetaJsonContext.Default.InstagramMentionValue)!),
            _ => AdapterOutcome.Fail($"field '{change.Field}' is not supported for {source}"),
        };
    }

    private static AdapterOutcome MapFeed(MetaEntry entry, MetaFeedValue value)
    {
        var isComment = value.Item == "comment";
        if (!isComment && !PostItems.Contains(value.Item ?? ""))
        {
            return AdapterOutcome.Fail($"feed item '{value.Item}' is not supported (comment, post, status, photo, video, share)");
        }

        if (value.Verb is not ("add" or "edited" or "remove"))
        {
            return AdapterOutcome.Fail($"feed verb '{value.Verb}' is not supported (add, edited, remove)");
        }

        var objectId = isComment ? value.CommentId : value.PostId;
        if (string.IsNullOrEmpty(objectId))
        {
            return AdapterOutcome.Fail(isComment ? "comment_id is missing" : "post_id is missing");
        }

        if (value.From?.Id is not { Length: > 0 } fromId)
        {
            return AdapterOutcome.Fail("from.id is missing: the author cannot be identified");
        }

        if (fromId == entry.Id)
        {
            return AdapterOutcome.Fail("the page's own activity, not a customer's");
        }

        var occurredAt = UnixOrIso(value.CreatedTime) ?? EntryTime(entry);
        var noun = isComment ? "comment" : "post";
        var (action, sourceEventId) = value.Verb switch
        {
            "add" => (isComment ? "comment.posted" : "post.published", objectId),
            "edited" => ($"{noun}.edited", $"{objectId}:edited:{occurredAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}"),
            _ => ($"{noun}.removed", $"{objectId}:remove"),
        };

        var attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["pageId"] = entry.Id ?? "", ["item"] = value.Item!, ["verb"] = value.Verb };
        Add(attributes, "authorName", value.From.Name);
        Add(attributes, "postId", value.PostId);
        Add(attributes, "parentId", value.ParentId);
        if (isComment)
        {
            attributes["commentId"] = objectId;
        }

        // A removal keeps the fact, not the words.
        var text = value.Verb == "remove" ? null : value.Message;
        var summary = value.Verb switch
        {
            "remove" => $"Facebook {noun} removed",
            "edited" => $"Facebook {noun} edited: \"{AdapterText.Clip(text)}\"",
            _ => $"Facebook {noun}: \"{AdapterText.Clip(text)}\"",
        };
        return Build(SourceName, sourceEventId, occurredAt, Channel.Social, action, summary, text, IdentityTypes.Meta, fromId, attributes);
    }

    private static AdapterOutcome MapInstagramComment(MetaEntry entry, string field, InstagramCommentValue value)
    {
        if (string.IsNullOrEmpty(value.Id))
        {
            return AdapterOutcome.Fail("the comment id is missing");
        }

        if (value.From?.Id is not { Length: > 0 } fromId)
        {
            return AdapterOutcome.Fail("from.id is missing: the author cannot be identified");
        }

        if (fromId == entry.Id)
        {
            return AdapterOutcome.Fail("the account's own comment, not a customer's");
        }

        var attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["accountId"] = entry.Id ?? "", ["commentId"] = value.Id };
        Add(attributes, "username", value.From.Username);
        Add(attributes, "mediaId", value.Media?.Id);
        Add(attributes, "mediaProductType", value.Media?.MediaProductType);
        Add(attributes, "parentId", value.ParentId);
        if (field == "live_comments")
        {
            attributes["live"] = "true";
        }

        var by = value.From.Username is { Length: > 0 } username ? $" by @{username}" : "";
        return Build(InstagramSource, value.Id, EntryTime(entry), Channel.Social, "comment.posted", $"Instagram comment{by}: \"{AdapterText.Clip(value.Text)}\"", value.Text, IdentityTypes.Instagram, fromId, attributes);
    }

    /// <summary>
    /// A mention notification carries only the media and comment ids, no author: the touchpoint is kept without
    /// identities so that enrichment (GET /{ig-user-id}?fields=mentioned_comment) can name the author.
    /// </summary>
    private static AdapterOutcome MapInstagramMention(MetaEntry entry, InstagramMentionValue value)
    {
        var sourceEventId = value.CommentId is { Length: > 0 } commentId ? commentId
            : value.MediaId is { Length: > 0 } mediaId ? $"media:{mediaId}" : null;
        if (sourceEventId is null)
        {
            return AdapterOutcome.Fail("neither comment_id nor media_id is present");
        }

        var attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["accountId"] = entry.Id ?? "" };
        Add(attributes, "mediaId", value.MediaId);
        Add(attributes, "commentId", value.CommentId);
        var where = value.CommentId is null ? "a caption" : "a comment";
        return Build(InstagramSource, sourceEventId, EntryTime(entry), Channel.Social, "mention.posted", $"Mentioned on Instagram in {where}", null, null, null, attributes);
    }

    private static AdapterOutcome MapMessaging(string source, MetaEntry entry, MetaMessaging item)
    {
        if (item.Message is null)
        {
            var kinds = item.Other is { Count: > 0 } other ? string.Join(", ", other.Keys) : "no message";
            return AdapterOutcome.Fail($"messaging event without a message ({kinds}) is not supported");
        }

        if (item.Message.IsEcho == true)
        {
            return AdapterOutcome.Fail("an echo of a message the business sent, not a customer's");
        }

        if (string.IsNullOrEmpty(item.Message.Mid))
        {
            return AdapterOutcome.Fail("message.mid is missing");
        }

        if (item.Sender?.Id is not { Length: > 0 } senderId)
        {
            return AdapterOutcome.Fail("sender.id is missing: the sender cannot be identified");
        }

        var attributes = new Dictionary<string, string>(StringComparer.Ordinal) { [source == SourceName ? "pageId" : "accountId"] = entry.Id ?? "" };
        Add(attributes, "recipientId", item.Recipient?.Id);
        if (item.Message.Attachments is { ValueKind: JsonValueKind.Array } attachments)
        {
            attributes["attachments"] = attachments.GetArrayLength().ToString(CultureInfo.InvariantCulture);
        }

        var occurredAt = item.Timestamp is { } ts ? FromUnix(ts) : EntryTime(entry);
        var network = source == SourceName ? "Messenger" : "Instagram";
        var summary = item.Message.Text is { Length: > 0 } text ? $"{network} message: \"{AdapterText.Clip(text)}\"" : $"{network} message (attachment)";
        var identityType = source == SourceName ? IdentityTypes.Meta : IdentityTypes.Instagram;
        return Build(source, item.Message.Mid, occurredAt, Channel.Chat, "message.received", summary, item.Message.Text, identityType, senderId, attributes);
    }

    private static AdapterOutcome Build(
        string source,
        string sourceEventId,
        DateTimeOffset occurredAt,
        Channel channel,
        string action,
        string summary,
        string? text,
        string? identityType,
        string? identityValue,
        Dictionary<string, string> attributes)
    {
        var identities = new List<Identity>();
        if (identityType is not null)
        {
            AdapterText.AddIdentity(identities, identityType, identityValue);
        }

        return AdapterOutcome.Ok(new Touchpoint
        {
            TouchpointId = TouchpointIds.For(source, sourceEventId),
            Source = source,
            SourceEventId = sourceEventId,
            OccurredAt = occurredAt,
            Channel = channel,
            Kind = JourneyRules.KindFor(channel),
            Stage = JourneyRules.StageForAction(source, action),
            Action = action,
            Summary = summary,
            Sentiment = LexiconSentiment.Score(text),
            Identities = identities,
            Attributes = attributes,
        });
    }

    /// <summary>Meta sends <c>entry.time</c> in seconds for changes and in milliseconds for messaging.</summary>
    private static DateTimeOffset EntryTime(MetaEntry entry) => entry.Time is { } time ? FromUnix(time) : DateTimeOffset.UnixEpoch;

    private static DateTimeOffset FromUnix(long value) =>
        value > 100_000_000_000 ? DateTimeOffset.FromUnixTimeMilliseconds(value) : DateTimeOffset.FromUnixTimeSeconds(Math.Max(0, value));

    /// <summary>Feed <c>created_time</c> is Unix seconds in webhooks, ISO-8601 in Graph reads: accept both.</summary>
    private static DateTimeOffset? UnixOrIso(JsonElement? value) => value switch
    {
        { ValueKind: JsonValueKind.Number } number when number.TryGetInt64(out var unix) => FromUnix(unix),
        { ValueKind: JsonValueKind.String } text when long.TryParse(text.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var unix) => FromUnix(unix),
        { ValueKind: JsonValueKind.String } text when DateTimeOffset.TryParse(text.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) => at,
        _ => null,
    };

    private static void Add(Dictionary<string, string> attributes, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            attributes[key] = value;
        }
    }
}

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
