using System.Text.Json;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Pull;
using JourneyHub.Core.Sources.Trustpilot;

namespace JourneyHub.Core.Sources.Pull;

/// <summary>
/// Trustpilot business-unit review pages. Each review is turned into the webhook's own event shape
/// (<c>service-review-created</c>, plus <c>service-review-updated</c> when it was edited) and normalized by the webhook
/// adapter, so a pulled review and a delivered one are the same touchpoint: same source, same
/// <c>&lt;reviewId&gt;:service-review-created</c>, same occurredAt.
/// </summary>
public sealed class TrustpilotPullAdapter(TrustpilotAdapter webhookAdapter) : ISourceAdapter
{
    public SourceId Source => SourceId.TrustpilotPull;

    public NormalizationResult Normalize(RawPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        using var document = JsonDocument.Parse(payload.Body, PullJson.DocumentOptions);
        var events = new List<TrustpilotEvent?>();
        foreach (var r in document.RootElement.Arr("reviews"))
        {
            var review = ToWebhookReview(r);
            events.Add(new TrustpilotEvent { EventName = TrustpilotAdapter.Created, Version = "1", EventData = review with { UpdatedAt = null } });
            if (review.UpdatedAt is not null)
            {
                events.Add(new TrustpilotEvent { EventName = TrustpilotAdapter.Updated, Version = "1", EventData = review });
            }
        }

        if (events.Count == 0)
        {
            return new NormalizationResult([], []);
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(new TrustpilotWebhook { Events = [.. events] }, TrustpilotJsonContext.Default.TrustpilotWebhook);
        return webhookAdapter.Normalize(payload with { Body = body });
    }

    private static TrustpilotReview ToWebhookReview(JsonElement r) => new()
    {
        Id = r.Str("id"),
        Language = r.Str("language"),
        Title = r.Str("title"),
        Text = r.Str("text"),
        ReferenceId = r.Str("referenceId"),
        ReferralEmail = r.Str("referralEmail"),
        Stars = int.TryParse(r.Str("stars"), System.Globalization.CultureInfo.InvariantCulture, out var stars) ? stars : null,
        CreatedAt = PullJson.Time(r.Str("createdAt")),
        UpdatedAt = PullJson.Time(r.Str("updatedAt")),
        IsVerified = r.Str("isVerified") is { } verified ? verified == "true" : null,
        LocationId = r.Obj("location").Str("id"),
        Consumer = new TrustpilotConsumer { Id = r.Obj("consumer").Str("id"), Name = r.Obj("consumer").Str("displayName") },
        Tags = [.. r.Arr("tags").Select(t => (TrustpilotTag?)new TrustpilotTag { Group = t.Str("group"), Value = t.Str("value") })],
    };
}
