using System.Text.Json;
using System.Text.Json.Serialization;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sentiment;
using Microsoft.Extensions.Options;

namespace JourneyHub.Core.Sources.Trustpilot;

/// <summary>
/// Trustpilot service-review webhooks: <c>{"events":[{"eventName","version","eventData"}]}</c> with
/// <c>service-review-created</c>, <c>-updated</c> and <c>-deleted</c>. Stars give an exact rating and sentiment.
/// <c>sourceEventId</c> is <c>&lt;reviewId&gt;:&lt;eventName&gt;</c> (plus the update time for updates), so creation,
/// each update and deletion are separate facts; every touchpoint carries the <c>reviewId</c> attribute, and a deletion
/// carries <c>deletedReviewId</c> and none of the review's words.
/// </summary>
public sealed class TrustpilotAdapter(IOptionsMonitor<TrustpilotOptions> options) : ISourceAdapter
{
    public const string SourceName = "trustpilot";
    public const string Created = "service-review-created";
    public const string Updated = "service-review-updated";
    public const string Deleted = "service-review-deleted";

    public string Source => SourceName;

    public NormalizationResult Normalize(RawPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        TrustpilotWebhook? webhook;
        try
        {
            webhook = JsonSerializer.Deserialize(payload.Body.Span, TrustpilotJsonContext.Default.TrustpilotWebhook);
        }
        catch (JsonException ex)
        {
            return NormalizationResult.Failed($"Trustpilot payload is not an {{\"events\":[…]}} object: {ex.Message}");
        }

        if (webhook?.Events is not { Length: > 0 } events)
        {
            return NormalizationResult.Failed("Trustpilot payload holds no events.");
        }

        var referenceIdType = options.CurrentValue.ReferenceIdIdentityType;
        var touchpoints = new List<Touchpoint>(events.Length);
        var rejected = new List<RejectedEntry>();
        for (var i = 0; i < events.Length; i++)
        {
            var outcome = events[i] is { } e ? Map(e, referenceIdType) : AdapterOutcome.Fail("event is null");
            if (outcome.Touchpoint is { } touchpoint)
            {
                touchpoints.Add(touchpoint);
            }
            else
            {
                rejected.Add(new RejectedEntry(i, $"Trustpilot event {i} ({events[i]?.EventName ?? "?"}): {outcome.Error}"));
            }
        }

        return new NormalizationResult(touchpoints, rejected);
    }

    private static AdapterOutcome Map(TrustpilotEvent e, string? referenceIdType)
    {
        if (e.EventName is not (Created or Updated or Deleted))
        {
            return AdapterOutcome.Fail($"eventName '{e.EventName}' is not supported ({Created}, {Updated}, {Deleted})");
        }

        if (e.EventData is not { Id: { Length: > 0 } reviewId } review)
        {
            return AdapterOutcome.Fail("eventData.id (the review id) is missing");
        }

        var identities = new List<Identity>();
        AdapterText.AddIdentity(identities, IdentityTypes.Trustpilot, review.Consumer?.Id);
        AdapterText.AddIdentity(identities, IdentityTypes.Email, review.ReferralEmail);
        if (review.ReferenceId is { Length: > 0 } referenceId)
        {
            if (Identity.Create(IdentityTypes.Email, referenceId) is { } email && referenceId.Contains('@', StringComparison.Ordinal))
            {
                AdapterText.AddIdentity(identities, email.Type, email.Value);
            }
            else if (!string.IsNullOrWhiteSpace(referenceIdType) && IdentityTypes.IsKnown(referenceIdType.Trim().ToLowerInvariant()))
            {
                AdapterText.AddIdentity(identities, referenceIdType, referenceId);
            }
        }

        if (identities.Count == 0)
        {
            return AdapterOutcome.Fail("the review names no consumer id, referral e-mail or usable referenceId");
        }

        var attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["reviewId"] = reviewId, ["eventName"] = e.EventName };
        Add(attributes, "referenceId", review.ReferenceId);
        Add(attributes, "language", review.Language);
        Add(attributes, "locationId", review.LocationId);
        if (review.IsVerified is { } verified)
        {
            attributes["isVerified"] = verified ? "true" : "false";
        }

        if (review.Tags is { Length: > 0 } tags)
        {
            attributes["tags"] = string.Join(',', tags.Where(t => t?.Value is { Length: > 0 }).Select(t => $"{t!.Group}:{t.Value}"));
        }

        DateTimeOffset occurredAt;
        string action;
        string sourceEventId;
        string summary;
        Rating? rating = null;
        Schema.Sentiment? sentiment = null;
        if (e.EventName == Deleted)
        {
            // Keep the fact that the review was withdrawn, never its words, stars or the consumer's display name.
            attributes["deletedReviewId"] = reviewId;
            occurredAt = review.DeletedAt ?? review.UpdatedAt ?? review.CreatedAt ?? DateTimeOffset.UnixEpoch;
            action = "review.deleted";
            sourceEventId = $"{reviewId}:{Deleted}";
            summary = "Trustpilot review deleted";
        }
        else
        {
            if (review.Stars is not (>= 1 and <= 5) || review.Stars is not { } stars)
            {
                return AdapterOutcome.Fail($"stars '{review.Stars}' is not 1–5");
            }

            rating = new Rating(stars, 5);
            sentiment = SentimentRules.FromStars(stars);
            Add(attributes, "title", review.Title);
            Add(attributes, "text", review.Text);
            Add(attributes, "consumerName", review.Consumer?.Name);
            if (e.EventName == Created)
            {
                occurredAt = review.CreatedAt ?? DateTimeOffset.UnixEpoch;
                action = "review.posted";
                sourceEventId = $"{reviewId}:{Created}";
            }
            else
            {
                occurredAt = review.UpdatedAt ?? review.CreatedAt ?? DateTimeOffset.UnixEpoch;
                action = "review.updated";
                sourceEventId = review.UpdatedAt is { } updatedAt ? $"{reviewId}:{Updated}:{updatedAt.ToUnixTimeMilliseconds()}" : $"{reviewId}:{Updated}";
            }

            var headline = review.Title is { Length: > 0 } title ? title : review.Text;
            summary = $"{stars}★ review on Trustpilot{(action == "review.updated" ? " (updated)" : "")}: \"{AdapterText.Clip(headline)}\"";
        }

        if (occurredAt == DateTimeOffset.UnixEpoch)
        {
            return AdapterOutcome.Fail("the review has no createdAt/updatedAt time");
        }

        return AdapterOutcome.Ok(new Touchpoint
        {
            TouchpointId = TouchpointIds.For(SourceName, sourceEventId),
            Source = SourceName,
            SourceEventId = sourceEventId,
            OccurredAt = occurredAt,
            Channel = Channel.Review,
            Kind = JourneyRules.KindFor(Channel.Review),
            Stage = JourneyRules.StageForAction(SourceName, action),
            Action = action,
            Summary = summary,
            Sentiment = sentiment,
            Rating = rating,
            Identities = identities,
            Attributes = attributes,
        });
    }

    private static void Add(Dictionary<string, string> attributes, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            attributes[key] = value;
        }
    }
}

public sealed record TrustpilotWebhook
{
    public TrustpilotEvent?[]? Events { get; init; }
}

public sealed record TrustpilotEvent
{
    public string? EventName { get; init; }
    public string? Version { get; init; }
    public TrustpilotReview? EventData { get; init; }
}

public sealed record TrustpilotReview
{
    public string? Id { get; init; }
    public string? Language { get; init; }
    public string? Title { get; init; }
    public string? Text { get; init; }
    public string? ReferenceId { get; init; }
    public string? ReferralEmail { get; init; }
    public int? Stars { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
    public DateTimeOffset? DeletedAt { get; init; }
    public bool? IsVerified { get; init; }
    public string? LocationId { get; init; }
    public TrustpilotConsumer? Consumer { get; init; }
    public TrustpilotTag?[]? Tags { get; init; }
}

public sealed record TrustpilotConsumer
{
    public string? Id { get; init; }
    public string? Name { get; init; }
}

public sealed record TrustpilotTag
{
    public string? Group { get; init; }
    public string? Value { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, NumberHandling = JsonNumberHandling.AllowReadingFromString, MaxDepth = 16)]
[JsonSerializable(typeof(TrustpilotWebhook))]
internal sealed partial class TrustpilotJsonContext : JsonSerializerContext;
