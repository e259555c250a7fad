using System.Text;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Schema;
using JourneyHub.Core.SentimentScoring;
using JourneyHub.Core.Sources.Kit;
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
    public const string Created = "service-review-created";
    public const string Updated = "service-review-updated";
    public const string Deleted = "service-review-deleted";

    private static readonly TouchpointFactory Touchpoints = new(SourceId.Trustpilot);

    /// <summary>reviewId, eventName, referenceId, language, locationId, isVerified, tags and title, text, consumerName.</summary>
    private const int MostAttributes = 10;

    /// <summary>The five star ratings, shared by every touchpoint (a <see cref="Rating"/> is immutable).</summary>
    private static readonly Rating[] StarRatings = [new(1, 5), new(2, 5), new(3, 5), new(4, 5), new(5, 5)];

    public SourceId Source => SourceId.Trustpilot;

    public NormalizationResult Normalize(RawPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        // The hand reader takes a well-formed delivery; anything else is read by the serializer, whose errors are the dead letter's.
        if (!TrustpilotWebhookReader.TryRead(payload.Body.Span, out var webhook)
            && !WirePayload.TryRead(payload, TrustpilotJsonContext.Default.TrustpilotWebhook, "Trustpilot payload is not an {\"events\":[…]} object", out webhook, out var failure))
        {
            return failure;
        }

        if (webhook?.Events is not { Length: > 0 } events)
        {
            return NormalizationResult.Failed("Trustpilot payload holds no events.");
        }

        var referenceIdType = options.CurrentValue.ReferenceIdIdentityType;
        return EntryCollector.Collect(
            events,
            e => e is null ? AdapterOutcome.Fail("event is null") : Map(e, referenceIdType),
            static (i, e) => $"Trustpilot event {i} ({e?.EventName ?? "?"})");
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

        Identity? reference = null;
        if (review.ReferenceId is { Length: > 0 } referenceId)
        {
            if (referenceId.Contains('@', StringComparison.Ordinal) && Identity.Create(IdentityTypes.Email, referenceId) is { } email)
            {
                reference = email;
            }
            else if (!string.IsNullOrWhiteSpace(referenceIdType) && IdentityTypes.IsKnown(referenceIdType.Trim().ToLowerInvariant()))
            {
                reference = Identity.Create(referenceIdType, referenceId);
            }
        }

        var identities = IdentityArray.Of(Identity.Create(IdentityTypes.Trustpilot, review.Consumer?.Id), Identity.Create(IdentityTypes.Email, review.ReferralEmail), reference);
        if (identities.Length == 0)
        {
            return AdapterOutcome.Fail("the review names no consumer id, referral e-mail or usable referenceId");
        }

        // Sized for the most a review sets (a deletion sets 8), so the array is never copied to grow.
        var attributes = new AttributeDictionary(MostAttributes)
            .Set("reviewId", reviewId)
            .Set("eventName", e.EventName)
            .AddIfPresent("referenceId", review.ReferenceId)
            .AddIfPresent("language", review.Language)
            .AddIfPresent("locationId", review.LocationId);
        if (review.IsVerified is { } verified)
        {
            attributes["isVerified"] = verified ? "true" : "false";
        }

        if (review.Tags is { Length: > 0 } tags)
        {
            attributes["tags"] = TagsText(tags);
        }

        DateTimeOffset occurredAt;
        string action;
        string sourceEventId;
        string summary;
        Rating? rating = null;
        Sentiment? sentiment = null;
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
                return AdapterOutcome.Fail($"stars '{review.Stars}' is not 1–5", identities);
            }

            rating = StarRatings[stars - 1];
            sentiment = SentimentRules.FromStars(stars);
            attributes
                .AddIfPresent("title", review.Title)
                .AddIfPresent("text", review.Text)
                .AddIfPresent("consumerName", review.Consumer?.Name);
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
            return AdapterOutcome.Fail("the review has no createdAt/updatedAt time", identities);
        }

        return AdapterOutcome.Ok(Touchpoints.Create(sourceEventId, occurredAt, Channel.Review, action, summary, identities, attributes, sentiment: sentiment, rating: rating));
    }

    /// <summary>The tags with a value as <c>group:value</c>, comma-separated; the one-tag case (the usual one) is a single concatenation.</summary>
    private static string TagsText(TrustpilotTag?[] tags)
    {
        if (tags is [{ Value: { Length: > 0 } value } only])
        {
            return string.Concat(only.Group, ":", value);
        }

        var text = new StringBuilder();
        foreach (var item in tags)
        {
            if (item is { Value: { Length: > 0 } } tag)
            {
                text.Append(text.Length == 0 ? "" : ",").Append(tag.Group).Append(':').Append(tag.Value);
            }
        }

        return text.ToString();
    }
}
