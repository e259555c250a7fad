using System.Net;
using System.Text.Json;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Schema;
using JourneyHub.Core.SentimentScoring;
using JourneyHub.Core.Sources.Kit;

namespace JourneyHub.Core.Sources.Intercom;

/// <summary>
/// Intercom webhook notifications about conversations: <c>conversation.user.created</c>, <c>conversation.user.replied</c>,
/// <c>conversation.admin.replied</c>, <c>conversation.admin.closed</c> and <c>conversation.rating.added</c>. Conversations
/// are chat touchpoints of the customer in them (<c>intercom</c> contact id and e-mail); a rating is a CSAT answer (1–5).
/// Each notification is one touchpoint keyed on the notification id, which Intercom keeps when it retries a delivery.
/// The <c>ping</c> Intercom sends when a webhook is saved holds no customer and is acknowledged without a touchpoint.
/// </summary>
public sealed class IntercomAdapter : ISourceAdapter
{
    public const string Ping = "ping";
    public const string UserCreated = "conversation.user.created";
    public const string UserReplied = "conversation.user.replied";
    public const string AdminReplied = "conversation.admin.replied";
    public const string AdminClosed = "conversation.admin.closed";
    public const string RatingAdded = "conversation.rating.added";

    public static IReadOnlyList<string> Topics { get; } = [UserCreated, UserReplied, AdminReplied, AdminClosed, RatingAdded];

    private static readonly TouchpointFactory Factory = new(SourceId.Intercom);

    public SourceId Source => SourceId.Intercom;

    public NormalizationResult Normalize(RawPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (!WirePayload.TryRead(payload, IntercomJsonContext.Default.IntercomNotification, "Intercom payload is not a notification object", out var notification, out var failure))
        {
            return failure;
        }

        if (notification is null)
        {
            return NormalizationResult.Failed("Intercom payload is JSON null, not a notification object.");
        }

        if (notification.Topic == Ping)
        {
            return new NormalizationResult([], []);
        }

        return EntryCollector.One(Map(notification, payload.ReceivedAt), $"Intercom notification {notification.Id ?? "?"} ({notification.Topic ?? "no topic"})");
    }

    private static AdapterOutcome Map(IntercomNotification notification, DateTimeOffset receivedAt)
    {
        if (notification.Topic is not { } topic || !Topics.Contains(topic, StringComparer.Ordinal))
        {
            return AdapterOutcome.Fail($"topic '{notification.Topic}' is not supported ({string.Join(", ", Topics)})");
        }

        if (string.IsNullOrWhiteSpace(notification.Id))
        {
            return AdapterOutcome.Fail("id (the notification id) is missing");
        }

        if (notification.Data?.Item is not { Id: { Length: > 0 } conversationId } conversation)
        {
            return AdapterOutcome.Fail("data.item is not a conversation with an id");
        }

        var customer = Customer(conversation);
        var identities = new List<Identity>(2);
        identities.AddIfPresent(IdentityTypes.Intercom, customer?.Id);
        identities.AddIfPresent(IdentityTypes.Email, customer?.Email);
        if (identities.Count == 0)
        {
            return AdapterOutcome.Fail("the conversation names no contact (source.author, contacts or conversation_rating.contact)");
        }

        var attributes = new AttributeDictionary(8)
            .Set("conversationId", conversationId)
            .Set("topic", topic)
            .AddIfPresent("notificationId", notification.Id)
            .AddIfPresent("appId", notification.AppId)
            .AddIfPresent("state", conversation.State)
            .AddIfPresent("contactType", customer?.Type)
            .AddIfPresent("externalId", customer?.ExternalId);
        var notifiedAt = notification.CreatedAt is { } created ? DateTimeOffset.FromUnixTimeSeconds(created) : (DateTimeOffset?)null;
        var sourceEventId = notification.Id.Trim();

        switch (topic)
        {
            case UserCreated:
            {
                var text = PlainText(conversation.Source?.Body);
                var at = conversation.CreatedAt is { } c ? DateTimeOffset.FromUnixTimeSeconds(c) : notifiedAt;
                attributes.AddIfPresent("deliveredAs", conversation.Source?.DeliveredAs);
                return Ok(at, "conversation.started", $"Intercom conversation started: \"{AdapterText.Clip(text)}\"", LexiconSentiment.Score(text));
            }

            case UserReplied or AdminReplied:
            {
                var fromCustomer = topic == UserReplied;
                var part = LatestPart(conversation, fromCustomer);
                var text = PlainText(part?.Body);
                var at = part?.CreatedAt is { } p ? DateTimeOffset.FromUnixTimeSeconds(p) : notifiedAt;
                attributes.Set("author", fromCustomer ? "customer" : "teammate").AddIfPresent("partId", part?.Id);
                return fromCustomer
                    ? Ok(at, "message.received", $"Intercom message: \"{AdapterText.Clip(text)}\"", LexiconSentiment.Score(text))
                    : Ok(at, "message.replied", "Support replied in Intercom", null);
            }

            case AdminClosed:
            {
                var at = LatestPart(conversation, fromCustomer: false)?.CreatedAt is { } p ? DateTimeOffset.FromUnixTimeSeconds(p) : notifiedAt;
                return Ok(at, "conversation.closed", "Intercom conversation closed", null);
            }

            default:
            {
                var rating = conversation.ConversationRating;
                if (rating?.Rating is not (>= 1 and <= 5) || rating.Rating is not { } score)
                {
                    return AdapterOutcome.Fail($"conversation_rating.rating '{rating?.Rating}' is not 1–5", identities);
                }

                var remark = string.IsNullOrWhiteSpace(rating.Remark) ? null : rating.Remark.Trim();
                attributes.AddIfPresent("remark", remark);
                var quoted = remark is null ? "" : $": \"{AdapterText.Clip(remark)}\"";
                var at = notifiedAt ?? (rating.CreatedAt is { } r ? DateTimeOffset.FromUnixTimeSeconds(r) : null);
                return AdapterOutcome.Ok(Factory.Create(
                    sourceEventId,
                    at ?? receivedAt,
                    Channel.Chat,
                    "conversation.rated",
                    $"Rated the Intercom conversation {score}/5{quoted}",
                    identities,
                    attributes,
                    sentiment: SentimentRules.FromSurvey(SurveyType.Csat, score),
                    rating: new Rating(score, 5),
                    survey: new SurveyAnswer(SurveyType.Csat, score, remark),
                    occurredAtIsReceiptTime: at is null));
            }
        }

        AdapterOutcome Ok(DateTimeOffset? at, string action, string summary, Sentiment? sentiment) =>
            AdapterOutcome.Ok(Factory.Create(sourceEventId, at ?? receivedAt, Channel.Chat, action, summary, identities, attributes, sentiment: sentiment, occurredAtIsReceiptTime: at is null));
    }

    /// <summary>
    /// The customer of the conversation: the rater, the author who opened it, its first contact, or (API 1.x) its user; the
    /// e-mail and external id come from whichever of these mentions the same contact with them (a rating names only the id).
    /// </summary>
    private static IntercomPerson? Customer(IntercomConversation conversation)
    {
        List<IntercomPerson?> candidates =
        [
            conversation.ConversationRating?.Contact,
            conversation.ConversationRating?.Customer,
            conversation.Source?.Author,
            .. conversation.Contacts?.Contacts ?? [],
            conversation.User,
        ];
        var people = candidates.Where(p => p is { Id.Length: > 0 } && IsCustomer(p.Type)).Select(p => p!).ToList();
        if (people.Count == 0)
        {
            return null;
        }

        var id = people[0].Id;
        var same = people.Where(p => p.Id == id).ToList();
        return people[0] with
        {
            Email = same.Select(p => p.Email).FirstOrDefault(e => !string.IsNullOrWhiteSpace(e)),
            ExternalId = same.Select(p => p.ExternalId).FirstOrDefault(e => !string.IsNullOrWhiteSpace(e)),
        };
    }

    private static bool IsCustomer(string? type) => type is "user" or "lead" or "contact";

    private static IntercomPart? LatestPart(IntercomConversation conversation, bool fromCustomer) =>
        (conversation.ConversationParts?.ConversationParts ?? [])
            .Where(p => p is not null && IsCustomer(p.Author?.Type) == fromCustomer)
            .OrderBy(p => p!.CreatedAt ?? 0)
            .LastOrDefault();

    /// <summary>Intercom bodies are HTML (<c>&lt;p&gt;Hi&lt;/p&gt;</c>): the words without the markup, in one pass.</summary>
    private static string? PlainText(string? html)
    {
        if (string.IsNullOrWhiteSpace(html))
        {
            return null;
        }

        var text = new System.Text.StringBuilder(Math.Min(html.Length, 4096));
        var inTag = false;
        foreach (var c in html)
        {
            if (c == '<')
            {
                inTag = true;
            }
            else if (c == '>' && inTag)
            {
                inTag = false;
                text.Append(' ');
            }
            else if (!inTag)
            {
                text.Append(c);
            }
        }

        return WebUtility.HtmlDecode(text.ToString()).Trim();
    }
}
