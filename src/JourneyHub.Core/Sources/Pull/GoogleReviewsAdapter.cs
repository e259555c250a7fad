using System.Text.Json;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Pull;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sentiment;

namespace JourneyHub.Core.Sources.Pull;

/// <summary>
/// Google Business Profile reviews pages (<c>accounts/{a}/locations/{l}/reviews</c>); Google has no review webhook, so
/// this is the only path and source <c>google</c> is served by this adapter. <c>starRating</c> ONE..FIVE → rating of 5.
/// A review is <c>review.posted</c> (<c>&lt;reviewId&gt;</c>, at createTime); an edited one (updateTime later than
/// createTime) adds <c>review.updated</c> (<c>&lt;reviewId&gt;:updated:&lt;unix ms&gt;</c>). The API names no reviewer id:
/// the reviewer's profile photo URL is the stable per-account value used as the <c>google</c> identity. Anonymous
/// reviews name nobody and are rejected with that reason.
/// </summary>
public sealed class GoogleReviewsAdapter : ISourceAdapter
{
    public const string SourceName = PullSources.Google;
    public const string LocationProperty = "location";

    private static readonly Dictionary<string, int> Stars = new(StringComparer.Ordinal)
    {
        ["ONE"] = 1,
        ["TWO"] = 2,
        ["THREE"] = 3,
        ["FOUR"] = 4,
        ["FIVE"] = 5,
    };

    public string Source => PullSources.GoogleAdapter;

    public NormalizationResult Normalize(RawPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var location = payload.Properties.GetValueOrDefault(LocationProperty);
        using var document = JsonDocument.Parse(payload.Body, PullJson.DocumentOptions);
        return PullJson.Collect(document.RootElement.Arr("reviews").ToList(), r => Map(r, location), "Google review");
    }

    public static int? StarsOf(string? starRating) => starRating is not null && Stars.TryGetValue(starRating, out var stars) ? stars : null;

    private static IEnumerable<AdapterOutcome> Map(JsonElement review, string? location)
    {
        var reviewId = review.Str("reviewId") ?? review.Str("name")?.Split('/')[^1];
        if (string.IsNullOrEmpty(reviewId))
        {
            yield return AdapterOutcome.Fail("the review has no reviewId");
            yield break;
        }

        if (StarsOf(review.Str("starRating")) is not { } stars)
        {
            yield return AdapterOutcome.Fail($"starRating '{review.Str("starRating")}' is not ONE..FIVE");
            yield break;
        }

        var reviewer = review.Obj("reviewer");
        if (reviewer.Str("isAnonymous") == "true" || reviewer.Str("profilePhotoUrl") is not { Length: > 0 } photo)
        {
            yield return AdapterOutcome.Fail("the reviewer is anonymous: nobody to put it on a timeline for");
            yield break;
        }

        if (PullJson.Time(review.Str("createTime")) is not { } createdAt)
        {
            yield return AdapterOutcome.Fail("the review has no createTime");
            yield break;
        }

        var identities = new List<Identity>();
        AdapterText.AddIdentity(identities, IdentityTypes.Google, photo);
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["reviewId"] = reviewId };
        PullJson.Add(attributes, "location", location);
        PullJson.Add(attributes, "reviewerName", reviewer.Str("displayName"));
        PullJson.Add(attributes, "text", review.Str("comment"));
        PullJson.Add(attributes, "reply", review.Obj("reviewReply").Str("comment"));
        var rating = new Rating(stars, 5);
        var sentiment = SentimentRules.FromStars(stars);
        var headline = AdapterText.Clip(review.Str("comment"));
        yield return Build(reviewId, createdAt, "review.posted", $"{stars}★ review on Google{(headline.Length > 0 ? $": \"{headline}\"" : "")}", rating, sentiment, identities, attributes);
        if (PullJson.Time(review.Str("updateTime")) is { } updatedAt && updatedAt > createdAt.AddSeconds(1))
        {
            yield return Build($"{reviewId}:updated:{PullJson.Ms(updatedAt)}", updatedAt, "review.updated", $"{stars}★ review on Google (updated){(headline.Length > 0 ? $": \"{headline}\"" : "")}", rating, sentiment, identities, attributes);
        }
    }

    private static AdapterOutcome Build(string sourceEventId, DateTimeOffset occurredAt, string action, string summary, Rating rating, Schema.Sentiment? sentiment, List<Identity> identities, Dictionary<string, string> attributes) =>
        AdapterOutcome.Ok(new Touchpoint
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
            Rating = rating,
            Sentiment = sentiment,
            Identities = identities,
            Attributes = attributes,
        });
}
