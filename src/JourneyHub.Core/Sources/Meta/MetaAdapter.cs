using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Schema;
using JourneyHub.Core.SentimentScoring;
using JourneyHub.Core.Sources.Kit;

namespace JourneyHub.Core.Sources.Meta;

/// <summary>
/// Meta Graph webhooks. <c>object=page</c> → source <c>meta</c>: <c>changes[]</c> of field <c>feed</c> (comments and
/// visitor posts; verbs add / edited / remove) and <c>messaging[]</c> (Messenger messages). <c>object=instagram</c> →
/// source <c>instagram</c>: <c>changes[]</c> of field <c>comments</c>/<c>live_comments</c> and <c>mentions</c>, and
/// <c>messaging[]</c>. Every change or messaging item is one entry: an item that is not understood is rejected with
/// its reason and the others are kept. The body is parsed from the raw bytes (Meta escapes non-ASCII as \uXXXX).
/// A rejected item names its person when the payload says who it is (the commenter's <c>from.id</c>, the sender of a
/// messaging event, the customer an echo was sent to), never the page or account itself: its dead letter then records
/// whose it is, so erasing that person finds it.
/// </summary>
public sealed class MetaAdapter : ISourceAdapter
{
    private static readonly TouchpointFactory Page = new(SourceId.Meta);
    private static readonly TouchpointFactory Instagram = new(SourceId.Instagram);

    private static readonly HashSet<string> PostItems = new(StringComparer.Ordinal) { "post", "status", "photo", "video", "share" };

    public SourceId Source => SourceId.Meta;

    public NormalizationResult Normalize(RawPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        // The hand reader takes a well-formed notification of changes; anything else is read by the serializer, whose errors are the dead letter's.
        if (!MetaNotificationReader.TryRead(payload.Body.Span, out var notification)
            && !WirePayload.TryRead(payload, MetaJsonContext.Default.MetaNotification, "Meta payload is not a webhook notification object", out notification, out var failure))
        {
            return failure;
        }

        var source = notification?.ObjectType switch
        {
            "page" => SourceId.Meta,
            "instagram" => SourceId.Instagram,
            _ => default,
        };
        if (notification is null || source == default)
        {
            return NormalizationResult.Failed($"Meta payload object '{notification?.ObjectType}' is not supported (page, instagram).");
        }

        // Changes and messaging items of every entry are numbered together, in order: that number is the entry index.
        // Counted first, so the list is allocated once at its size instead of grown by copies.
        var itemCount = 0;
        foreach (var entry in notification.Entry ?? [])
        {
            itemCount += (entry?.Changes?.Length ?? 0) + (entry?.Messaging?.Length ?? 0);
        }

        var items = new List<MetaItem>(itemCount);
        foreach (var entry in notification.Entry ?? [])
        {
            if (entry is null)
            {
                continue;
            }

            foreach (var change in entry.Changes ?? [])
            {
                items.Add(new MetaItem(entry, change, null, IsChange: true));
            }

            foreach (var messaging in entry.Messaging ?? [])
            {
                items.Add(new MetaItem(entry, null, messaging, IsChange: false));
            }
        }

        if (items.Count == 0)
        {
            return NormalizationResult.Failed($"Meta {notification.ObjectType} notification holds no changes or messaging items.");
        }

        var objectType = notification.ObjectType;
        return EntryCollector.Collect(
            items,
            item => item switch
            {
                { IsChange: true, Change: null } => AdapterOutcome.Fail("change is null"),
                { IsChange: true, Change: { } change } => MapChange(source, item.Entry, change),
                { Messaging: null } => AdapterOutcome.Fail("messaging item is null"),
                { Messaging: { } messaging } => MapMessaging(source, item.Entry, messaging),
            },
            (i, item) => $"Meta {objectType} item {i} ({(item.IsChange ? $"change '{item.Change?.Field}'" : "messaging")})");
    }

    private static AdapterOutcome MapChange(SourceId source, MetaEntry entry, MetaChange change)
    {
        if (change.Value is not { IsObject: true })
        {
            return AdapterOutcome.Fail("value is not an object");
        }

        try
        {
            return MapKnownChange(source, entry, change);
        }
        catch (JsonException ex)
        {
            return Reject($"value does not have the documented shape: {ex.Message}", source, entry, AuthorOf(change.Value));
        }
    }

    private static AdapterOutcome MapKnownChange(SourceId source, MetaEntry entry, MetaChange change)
    {
        return change.Field switch
        {
            "feed" when source == SourceId.Meta => MapFeed(entry, change.Value!.AsFeed()),
            "comments" or "live_comments" when source == SourceId.Instagram => MapInstagramComment(entry, change.Field, change.Value!.AsInstagramComment()),
            "mentions" when source == SourceId.Instagram => MapInstagramMention(entry, change.Value!.AsInstagramMention()),
            _ => Reject($"field '{change.Field}' is not supported for {source}", source, entry, AuthorOf(change.Value)),
        };
    }

    private static AdapterOutcome MapFeed(MetaEntry entry, MetaChangeValue value)
    {
        var isComment = value.Item == "comment";
        if (!isComment && !PostItems.Contains(value.Item ?? ""))
        {
            return Reject($"feed item '{value.Item}' is not supported (comment, post, status, photo, video, share)", SourceId.Meta, entry, value.From?.Id);
        }

        if (value.Verb is not ("add" or "edited" or "remove"))
        {
            return Reject($"feed verb '{value.Verb}' is not supported (add, edited, remove)", SourceId.Meta, entry, value.From?.Id);
        }

        var objectId = isComment ? value.CommentId : value.PostId;
        if (string.IsNullOrEmpty(objectId))
        {
            return Reject(isComment ? "comment_id is missing" : "post_id is missing", SourceId.Meta, entry, value.From?.Id);
        }

        if (value.From?.Id is not { Length: > 0 } fromId)
        {
            return AdapterOutcome.Fail("from.id is missing: the author cannot be identified");
        }

        if (fromId == entry.Id)
        {
            return AdapterOutcome.Fail("the page's own activity, not a customer's");
        }

        var occurredAt = (value.CreatedUnixTime is { } unixTime ? FromUnix(unixTime) : UnixOrIso(value.CreatedTime)) ?? EntryTime(entry);
        var noun = isComment ? "comment" : "post";
        var (action, sourceEventId) = value.Verb switch
        {
            "add" => (isComment ? "comment.posted" : "post.published", objectId),
            "edited" => ($"{noun}.edited", $"{objectId}:edited:{occurredAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}"),
            _ => ($"{noun}.removed", $"{objectId}:remove"),
        };

        var attributes = new AttributeDictionary(3 + AttributeDictionary.CountPresent(value.From.Name, value.PostId, value.ParentId) + (isComment ? 1 : 0))
            .Set("pageId", entry.Id ?? "")
            .Set("item", value.Item!)
            .Set("verb", value.Verb)
            .AddIfPresent("authorName", value.From.Name)
            .AddIfPresent("postId", value.PostId)
            .AddIfPresent("parentId", value.ParentId);
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
        return Build(Page, sourceEventId, occurredAt, Channel.Social, action, summary, text, IdentityTypes.Meta, fromId, attributes);
    }

    private static AdapterOutcome MapInstagramComment(MetaEntry entry, string field, MetaChangeValue value)
    {
        if (string.IsNullOrEmpty(value.Id))
        {
            return Reject("the comment id is missing", SourceId.Instagram, entry, value.From?.Id);
        }

        if (value.From?.Id is not { Length: > 0 } fromId)
        {
            return AdapterOutcome.Fail("from.id is missing: the author cannot be identified");
        }

        if (fromId == entry.Id)
        {
            return AdapterOutcome.Fail("the account's own comment, not a customer's");
        }

        var live = field == "live_comments";
        var attributes = new AttributeDictionary(2 + AttributeDictionary.CountPresent(value.From.Username, value.Media?.Id, value.Media?.MediaProductType, value.ParentId) + (live ? 1 : 0))
            .Set("accountId", entry.Id ?? "")
            .Set("commentId", value.Id)
            .AddIfPresent("username", value.From.Username)
            .AddIfPresent("mediaId", value.Media?.Id)
            .AddIfPresent("mediaProductType", value.Media?.MediaProductType)
            .AddIfPresent("parentId", value.ParentId);
        if (live)
        {
            attributes["live"] = "true";
        }

        var summary = value.From.Username is { Length: > 0 } username
            ? $"Instagram comment by @{username}: \"{AdapterText.Clip(value.Text)}\""
            : $"Instagram comment: \"{AdapterText.Clip(value.Text)}\"";
        return Build(Instagram, value.Id, EntryTime(entry), Channel.Social, "comment.posted", summary, value.Text, IdentityTypes.Instagram, fromId, attributes);
    }

    /// <summary>
    /// A mention notification carries only the media and comment ids, no author: the touchpoint is kept without
    /// identities so that enrichment (GET /{ig-user-id}?fields=mentioned_comment) can name the author.
    /// </summary>
    private static AdapterOutcome MapInstagramMention(MetaEntry entry, MetaChangeValue value)
    {
        var sourceEventId = value.CommentId is { Length: > 0 } commentId ? commentId
            : value.MediaId is { Length: > 0 } mediaId ? $"media:{mediaId}" : null;
        if (sourceEventId is null)
        {
            return AdapterOutcome.Fail("neither comment_id nor media_id is present");
        }

        var attributes = new AttributeDictionary()
            .Set("accountId", entry.Id ?? "")
            .AddIfPresent("mediaId", value.MediaId)
            .AddIfPresent("commentId", value.CommentId);
        var where = value.CommentId is null ? "a caption" : "a comment";
        return Build(Instagram, sourceEventId, EntryTime(entry), Channel.Social, "mention.posted", $"Mentioned on Instagram in {where}", null, null, null, attributes);
    }

    private static AdapterOutcome MapMessaging(SourceId source, MetaEntry entry, MetaMessaging item)
    {
        if (item.Message is null)
        {
            var kinds = item.Other is { Count: > 0 } other ? string.Join(", ", other.Keys) : "no message";
            return Reject($"messaging event without a message ({kinds}) is not supported", source, entry, item.Sender?.Id);
        }

        if (item.Message.IsEcho == true)
        {
            // The business wrote to a customer: the echo is about the recipient.
            return Reject("an echo of a message the business sent, not a customer's", source, entry, item.Recipient?.Id);
        }

        if (string.IsNullOrEmpty(item.Message.Mid))
        {
            return Reject("message.mid is missing", source, entry, item.Sender?.Id);
        }

        if (item.Sender?.Id is not { Length: > 0 } senderId)
        {
            return AdapterOutcome.Fail("sender.id is missing: the sender cannot be identified");
        }

        var attributes = new AttributeDictionary()
            .Set(source == SourceId.Meta ? "pageId" : "accountId", entry.Id ?? "")
            .AddIfPresent("recipientId", item.Recipient?.Id);
        if (item.Message.Attachments is { ValueKind: JsonValueKind.Array } attachments)
        {
            attributes["attachments"] = attachments.GetArrayLength().ToString(CultureInfo.InvariantCulture);
        }

        var occurredAt = item.Timestamp is { } ts ? FromUnix(ts) : EntryTime(entry);
        var network = source == SourceId.Meta ? "Messenger" : "Instagram";
        var summary = item.Message.Text is { Length: > 0 } text ? $"{network} message: \"{AdapterText.Clip(text)}\"" : $"{network} message (attachment)";
        var identityType = source == SourceId.Meta ? IdentityTypes.Meta : IdentityTypes.Instagram;
        return Build(source == SourceId.Meta ? Page : Instagram, item.Message.Mid, occurredAt, Channel.Chat, "message.received", summary, item.Message.Text, identityType, senderId, attributes);
    }

    /// <summary>
    /// A rejection that names <paramref name="personId"/> (a Facebook or Instagram user id of <paramref name="source"/>)
    /// unless it is the page or account itself (<c>entry.id</c>), which is the business, not a person.
    /// </summary>
    private static AdapterOutcome Reject(string error, SourceId source, MetaEntry entry, string? personId)
    {
        if (string.IsNullOrEmpty(personId) || personId == entry.Id)
        {
            return AdapterOutcome.Fail(error);
        }

        var identities = new List<Identity>(1);
        identities.AddIfPresent(source == SourceId.Meta ? IdentityTypes.Meta : IdentityTypes.Instagram, personId);
        return AdapterOutcome.Fail(error, identities);
    }

    /// <summary>The <c>from.id</c> of a change's value, also when the value was kept as JSON because it did not read in one pass.</summary>
    private static string? AuthorOf(MetaChangeValue? value) =>
        value?.Unread is { ValueKind: JsonValueKind.Object } json
            ? json.TryGetProperty("from", out var from) && from.ValueKind == JsonValueKind.Object && from.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null
            : value?.From?.Id;

    private static AdapterOutcome Build(
        TouchpointFactory touchpoints,
        string sourceEventId,
        DateTimeOffset occurredAt,
        Channel channel,
        string action,
        string summary,
        string? text,
        string? identityType,
        string? identityValue,
        AttributeDictionary attributes)
    {
        var identities = IdentityArray.Of(identityType is null ? null : Identity.Create(identityType, identityValue));
        return AdapterOutcome.Ok(touchpoints.Create(sourceEventId, occurredAt, channel, action, summary, identities, attributes, sentiment: LexiconSentiment.Score(text)));
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

    /// <summary>One change or messaging item of an entry: the unit that is normalized, or rejected, on its own.</summary>
    private readonly record struct MetaItem(MetaEntry Entry, MetaChange? Change, MetaMessaging? Messaging, bool IsChange);
}
