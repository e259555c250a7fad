using System.Text.Json;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Pull;
using JourneyHub.Core.Schema;
using JourneyHub.Core.SentimentScoring;
using JourneyHub.Core.Sources.Kit;

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
    public const string LocationProperty = "location";

    private static readonly Dictionary<string, int> Stars = new(StringComparer.Ordinal)
    {
        ["ONE"] = 1,
        ["TWO"] = 2,
        ["THREE"] = 3,
        ["FOUR"] = 4,
        ["FIVE"] = 5,
    };

    private static readonly TouchpointFactory Touchpoints = new(SourceId.Google);

    public SourceId Source => SourceId.Google;

    public NormalizationResult Normalize(RawPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var location = payload.Properties.GetValueOrDefault(LocationProperty);
        using var document = JsonDocument.Parse(payload.Body, PullJson.DocumentOptions);
        return EntryCollector.CollectMany(document.RootElement.Arr("reviews").ToList(), r => Map(r, location), static (i, r) => $"Google review {i} ({PullJson.ItemId(r)})");
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

        // The reviewer, once: a rejected review still names them (so erasing them finds its dead letter); none when anonymous.
        var reviewer = review.Obj("reviewer");
        var anonymous = reviewer.Str("isAnonymous") == "true" || reviewer.Str("profilePhotoUrl") is not { Length: > 0 };
        var identities = new List<Identity>(1);
        if (!anonymous)
        {
            identities.AddIfPresent(IdentityTypes.Google, reviewer.Str("profilePhotoUrl"));
        }

        if (StarsOf(review.Str("starRating")) is not { } stars)
        {
            yield return AdapterOutcome.Fail($"starRating '{review.Str("starRating")}' is not ONE..FIVE", identities);
            yield break;
        }

        if (anonymous)
        {
            yield return AdapterOutcome.Fail("the reviewer is anonymous: nobody to put it on a timeline for");
            yield break;
        }

        if (PullJson.Time(review.Str("createTime")) is not { } createdAt)
        {
            yield return AdapterOutcome.Fail("the review has no createTime", identities);
            yield break;
        }

        var attributes = new AttributeDictionary()
            .Set("reviewId", reviewId)
            .AddIfPresent("location", location)
            .AddIfPresent("reviewerName", reviewer.Str("displayName"))
            .AddIfPresent("text", review.Str("comment"))
            .AddIfPresent("reply", review.Obj("reviewReply").Str("comment"));
        var rating = new Rating(stars, 5);
        var sentiment = SentimentRules.FromStars(stars);
        var headline = AdapterText.Clip(review.Str("comment"));
        yield return AdapterOutcome.Ok(Touchpoints.Create(reviewId, createdAt, Channel.Review, "review.posted", $"{stars}★ review on Google{(headline.Length > 0 ? $": \"{headline}\"" : "")}", identities, attributes, sentiment: sentiment, rating: rating));
        if (PullJson.Time(review.Str("updateTime")) is { } updatedAt && updatedAt > createdAt.AddSeconds(1))
        {
            yield return AdapterOutcome.Ok(Touchpoints.Create($"{reviewId}:updated:{PullJson.Ms(updatedAt)}", updatedAt, Channel.Review, "review.updated", $"{stars}★ review on Google (updated){(headline.Length > 0 ? $": \"{headline}\"" : "")}", identities, attributes, sentiment: sentiment, rating: rating));
        }
    }
}
