using System.Globalization;
using System.Text.Json;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Schema;
using JourneyHub.Core.SentimentScoring;
using JourneyHub.Core.Sources.Kit;

namespace JourneyHub.Core.Sources.Zendesk;

/// <summary>
/// Zendesk webhooks, one event per delivery: the ticket events <c>zen:event-type:ticket.created</c>,
/// <c>ticket.comment_added</c> and <c>ticket.status_changed</c>
/// (https://developer.zendesk.com/api-reference/webhooks/event-types/ticket-events/), and the satisfaction rating that a
/// trigger sends in the body the README gives (Zendesk has no satisfaction event type). Every ticket touchpoint belongs to
/// the ticket's requester (<c>zendesk</c> user id, and the e-mail when the trigger body names it) and is keyed on the event
/// id, so a redelivery is the same touchpoint. A bad rating and a reopened ticket carry negative sentiment: they are the
/// pain points of the journey.
/// </summary>
public sealed class ZendeskAdapter : ISourceAdapter
{
    public const string TicketCreated = "zen:event-type:ticket.created";
    public const string CommentAdded = "zen:event-type:ticket.comment_added";
    public const string StatusChanged = "zen:event-type:ticket.status_changed";
    public const string SatisfactionRated = "ticket.satisfaction_rated";

    /// <summary>A ticket that comes back after it was solved: the customer's problem was not solved after all.</summary>
    public static readonly Sentiment ReopenedSentiment = new(-0.6, SentimentLabel.Negative);

    private static readonly TouchpointFactory Factory = new(SourceId.Zendesk);

    public SourceId Source => SourceId.Zendesk;

    public NormalizationResult Normalize(RawPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (!WirePayload.TryRead(payload, ZendeskJsonContext.Default.ZendeskEvent, "Zendesk payload is not a webhook event object", out var e, out var failure))
        {
            return failure;
        }

        if (e is null)
        {
            return NormalizationResult.Failed("Zendesk payload is JSON null, not a webhook event object.");
        }

        try
        {
            return EntryCollector.One(Map(e, payload.ReceivedAt), $"Zendesk event {e.Id ?? "?"} ({e.Type ?? "no type"})");
        }
        catch (JsonException ex)
        {
            return EntryCollector.One(AdapterOutcome.Fail($"event does not have the documented shape: {ex.Message}"), $"Zendesk event {e.Id ?? "?"} ({e.Type})");
        }
    }

    private static AdapterOutcome Map(ZendeskEvent e, DateTimeOffset receivedAt)
    {
        if (e.Type is not (TicketCreated or CommentAdded or StatusChanged or SatisfactionRated))
        {
            return AdapterOutcome.Fail($"type '{e.Type}' is not supported ({TicketCreated}, {CommentAdded}, {StatusChanged}, {SatisfactionRated})");
        }

        if (string.IsNullOrWhiteSpace(e.Id))
        {
            return AdapterOutcome.Fail("id (the event id) is missing");
        }

        if (e.Detail?.Id is not { Length: > 0 } ticketId)
        {
            return AdapterOutcome.Fail("detail.id (the ticket id) is missing");
        }

        var identities = new List<Identity>(2);
        identities.AddIfPresent(IdentityTypes.Zendesk, e.Detail.RequesterId);
        identities.AddIfPresent(IdentityTypes.Email, e.Detail.RequesterEmail);
        if (identities.Count == 0)
        {
            return AdapterOutcome.Fail("the ticket names no requester (detail.requester_id)");
        }

        var time = ParseTime(e.Time);
        var attributes = new AttributeDictionary(10)
            .Set("ticketId", ticketId)
            .Set("eventType", e.Type)
            .AddIfPresent("accountId", e.AccountId)
            .AddIfPresent("subject", e.Detail.Subject)
            .AddIfPresent("status", e.Detail.Status?.ToLowerInvariant())
            .AddIfPresent("priority", e.Detail.Priority?.ToLowerInvariant())
            .AddIfPresent("ticketType", e.Detail.Type?.ToLowerInvariant())
            .AddIfPresent("via", e.Detail.Via?.Channel)
            .AddIfPresent("tags", e.Detail.Tags is { Length: > 0 } tags ? string.Join(',', tags) : null);
        var channel = ChannelOf(e.Detail.Via?.Channel);
        var sourceEventId = e.Id.Trim();
        var subject = e.Detail.Subject is { Length: > 0 } s ? $": \"{AdapterText.Clip(s)}\"" : "";

        switch (e.Type)
        {
            case TicketCreated:
                return Ok("ticket.created", $"Support ticket #{ticketId} opened{subject}", LexiconSentiment.Score(e.Detail.Description));

            case CommentAdded:
            {
                var comment = Read(e.Event, ZendeskJsonContext.Default.ZendeskCommentEvent).Comment;
                if (comment is null)
                {
                    return AdapterOutcome.Fail("event.comment is missing", identities);
                }

                if (comment.IsPublic == false)
                {
                    return AdapterOutcome.Fail("an internal note, not a conversation with the customer", identities);
                }

                // The requester's own words carry the customer's sentiment; an agent's reply does not.
                var byRequester = comment.Author?.IsStaff != true && (comment.Author?.Id is null || comment.Author.Id == e.Detail.RequesterId);
                attributes.Set("author", byRequester ? "requester" : "agent").AddIfPresent("commentId", comment.Id);
                var summary = byRequester
                    ? $"Customer wrote on ticket #{ticketId}: \"{AdapterText.Clip(comment.Body)}\""
                    : $"Support replied on ticket #{ticketId}";
                return Ok("ticket.commented", summary, byRequester ? LexiconSentiment.Score(comment.Body) : null);
            }

            case StatusChanged:
            {
                var change = Read(e.Event, ZendeskJsonContext.Default.ZendeskChangeEvent);
                var current = change.Current?.ToLowerInvariant();
                var previous = change.Previous?.ToLowerInvariant();
                if (string.IsNullOrEmpty(current))
                {
                    return AdapterOutcome.Fail("event.current (the new status) is missing", identities);
                }

                attributes.Set("status", current).AddIfPresent("previousStatus", previous);
                return previous is "solved" or "closed" && current is "new" or "open" or "pending" or "hold"
                    ? Ok("ticket.reopened", $"Support ticket #{ticketId} reopened{subject}", ReopenedSentiment)
                    : Ok("ticket.status_changed", $"Support ticket #{ticketId} {current}", null);
            }

            default:
            {
                var rating = Read(e.Event, ZendeskJsonContext.Default.ZendeskSatisfactionEvent);
                if (SatisfactionScore(rating.Score) is not { } score)
                {
                    return AdapterOutcome.Fail($"event.score '{rating.Score}' is not a satisfaction rating (good, bad, or 1–5)", identities);
                }

                var comment = string.IsNullOrWhiteSpace(rating.Comment) ? null : rating.Comment.Trim();
                attributes.Set("satisfaction", rating.Score!.Trim().ToLowerInvariant()).AddIfPresent("comment", comment);
                var quoted = comment is null ? "" : $": \"{AdapterText.Clip(comment)}\"";
                return AdapterOutcome.Ok(Factory.Create(
                    sourceEventId,
                    time ?? receivedAt,
                    Channel.Survey,
                    "ticket.rated",
                    $"Rated support on ticket #{ticketId} {score}/5{quoted}",
                    identities,
                    attributes,
                    sentiment: SentimentRules.FromSurvey(SurveyType.Csat, score),
                    survey: new SurveyAnswer(SurveyType.Csat, score, comment),
                    occurredAtIsReceiptTime: time is null));
            }
        }

        AdapterOutcome Ok(string action, string summary, Sentiment? sentiment) =>
            time is null
                ? AdapterOutcome.Fail($"time '{e.Time}' is not an ISO 8601 time", identities)
                : AdapterOutcome.Ok(Factory.Create(sourceEventId, time.Value, channel, action, summary, identities, attributes, sentiment: sentiment));
    }

    /// <summary>
    /// Legacy CSAT is good/bad (read as 5 and 1 of the hub's 1–5 CSAT scale, so good is positive and bad negative);
    /// CSAT survey responses are 1–5. Zendesk's placeholder text ("Good, I'm satisfied") starts with the word.
    /// </summary>
    private static int? SatisfactionScore(string? score)
    {
        var text = score?.Trim().ToLowerInvariant();
        return text switch
        {
            null or "" => null,
            _ when text.StartsWith("good", StringComparison.Ordinal) => 5,
            _ when text.StartsWith("bad", StringComparison.Ordinal) => 1,
            _ when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 5 => n,
            _ => null,
        };
    }

    /// <summary>Where the ticket came in (<c>detail.via.channel</c>).</summary>
    private static Channel ChannelOf(string? via) => via?.ToLowerInvariant() switch
    {
        "email" => Channel.Email,
        "web" or "web_form" or "web_widget" or "web_service" or "help_center" or "api" => Channel.Web,
        "chat" or "messaging" or "native_messaging" or "mobile_sdk" or "sms" or "whatsapp" => Channel.Chat,
        "voice" or "phone" or "phone_call_inbound" or "phone_call_outbound" => Channel.Phone,
        "twitter" or "facebook" or "instagram_dm" => Channel.Social,
        _ => Channel.Other,
    };

    /// <summary>Zendesk writes up to nine fractional digits (<c>2025-01-08T14:25:30.123456789Z</c>); .NET reads seven.</summary>
    private static DateTimeOffset? ParseTime(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 64)
        {
            return null;
        }

        var value = text.Trim();
        var dot = value.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < value.Length && char.IsAsciiDigit(value[end]))
            {
                end++;
            }

            if (end - dot - 1 > 7)
            {
                value = value[..(dot + 8)] + value[end..];
            }
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) ? at : null;
    }

    private static T Read<T>(JsonElement element, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        element.ValueKind == JsonValueKind.Object
            ? element.Deserialize(type) ?? throw new JsonException("event is null")
            : throw new JsonException($"event is {element.ValueKind}, not an object");
}
