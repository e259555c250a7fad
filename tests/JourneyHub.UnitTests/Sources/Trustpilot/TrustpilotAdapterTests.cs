using System.Text;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources.Trustpilot;
using static JourneyHub.UnitTests.Sources.SourceTestKit;

namespace JourneyHub.UnitTests.Sources.Trustpilot;

public sealed class TrustpilotAdapterTests
{
    private readonly TrustpilotAdapter adapter = new(Monitor(new TrustpilotOptions()));

    public static TheoryData<string, int, string, string, JourneyStage?, int?, double?, string> Golden => new()
    {
        // fixture, index, sourceEventId, action, stage, stars, sentiment score, identities
        { "trustpilot-webhook-service-review-created.json", 0, "67d43a9e1b2c3d4e5f6a7b8c:service-review-created", "review.posted", JourneyStage.Retention, 5, 1.0, "trustpilot:5c1d2e3f4a5b6c7d8e9f0a1b" },
        { "trustpilot-webhook-service-review-updated.json", 0, "67d43a9e1b2c3d4e5f6a7b8c:service-review-updated:1742631000000", "review.updated", JourneyStage.Retention, 3, 0.0, "trustpilot:5c1d2e3f4a5b6c7d8e9f0a1b" },
        { "trustpilot-webhook-service-review-deleted.json", 0, "67d43a9e1b2c3d4e5f6a7b8c:service-review-deleted", "review.deleted", null, null, null, "trustpilot:5c1d2e3f4a5b6c7d8e9f0a1b" },
        { "trustpilot-webhook-batch-with-bad-entries.json", 0, "67d500000000000000000001:service-review-created", "review.posted", JourneyStage.Retention, 1, -1.0, "trustpilot:5c1d2e3f4a5b6c7d8e9f0a1b email:hannah.w@example.co.uk" },
        { "trustpilot-webhook-batch-with-bad-entries.json", 1, "67d500000000000000000004:service-review-created", "review.posted", JourneyStage.Retention, 4, 0.5, "trustpilot:5c1d2e3f4a5b6c7d8e9f0a1d" },
    };

    [Theory]
    [MemberData(nameof(Golden))]
    public void Golden_event_becomes_the_expected_touchpoint(string fixture, int index, string sourceEventId, string action, JourneyStage? stage, int? stars, double? score, string identities)
    {
        var touchpoint = adapter.Normalize(RawFixture("trustpilot", "trustpilot/" + fixture)).Touchpoints[index];

        Assert.Equal("trustpilot", touchpoint.Source);
        Assert.Equal(sourceEventId, touchpoint.SourceEventId);
        Assert.Equal(action, touchpoint.Action);
        Assert.Equal(Channel.Review, touchpoint.Channel);
        Assert.Equal(TouchpointKind.Indirect, touchpoint.Kind);
        Assert.Equal(stage, touchpoint.Stage);
        Assert.Equal(stars is null ? null : new Rating(stars.Value, 5), touchpoint.Rating);
        Assert.Equal(score, touchpoint.Sentiment?.Score);
        Assert.Equal(identities, Ids(touchpoint));
        Assert.Null(touchpoint.Survey);
    }

    [Fact]
    public void Created_review_reads_like_the_contract_example()
    {
        var touchpoint = adapter.Normalize(RawFixture("trustpilot", "trustpilot/trustpilot-webhook-service-review-created.json")).Touchpoints[0];

        Assert.Equal("5★ review on Trustpilot: \"Fast and friendly\"", touchpoint.Summary);
        Assert.Equal(new DateTimeOffset(2025, 3, 14, 14, 25, 31, TimeSpan.Zero), touchpoint.OccurredAt);
        Assert.Equal(SentimentLabel.Positive, touchpoint.Sentiment!.Label);
        Assert.Equal("67d43a9e1b2c3d4e5f6a7b8c", touchpoint.Attributes["reviewId"]);
        Assert.Equal("ORD-2025-004411", touchpoint.Attributes["referenceId"]);
        Assert.Equal("Generic:spring-campaign", touchpoint.Attributes["tags"]);
    }

    [Theory]
    [InlineData("""[{"group":"A","value":"x"},{"group":null,"value":"y"},{"group":"B","value":""},null,{"value":"z"},{"group":"C"}]""", "A:x,:y,:z")]
    [InlineData("""[{"group":"A","value":""},null]""", "")]
    [InlineData("""[{"value":"solo"}]""", ":solo")]
    public void Tags_with_a_value_are_kept_as_group_and_value_separated_by_commas(string tags, string expected)
    {
        var body = $$$"""{"events":[{"eventName":"service-review-created","eventData":{"id":"r1","stars":4,"createdAt":"2025-03-14T14:25:31Z","consumer":{"id":"c1"},"tags":{{{tags}}}}}]}""";

        var touchpoint = adapter.Normalize(Raw("trustpilot", Encoding.UTF8.GetBytes(body))).Touchpoints.Single();

        Assert.Equal(expected, touchpoint.Attributes["tags"]);
    }

    [Fact]
    public void Deletion_is_a_separate_fact_that_keeps_no_words_and_points_at_the_review()
    {
        var created = adapter.Normalize(RawFixture("trustpilot", "trustpilot/trustpilot-webhook-service-review-created.json")).Touchpoints[0];
        var deleted = adapter.Normalize(RawFixture("trustpilot", "trustpilot/trustpilot-webhook-service-review-deleted.json")).Touchpoints[0];

        Assert.NotEqual(created.TouchpointId, deleted.TouchpointId);
        Assert.Equal(created.Attributes["reviewId"], deleted.Attributes["deletedReviewId"]);
        Assert.Equal("Trustpilot review deleted", deleted.Summary);
        Assert.Null(deleted.Rating);
        Assert.Null(deleted.Sentiment);
        Assert.DoesNotContain(deleted.Attributes, a => a.Key is "text" or "title" or "consumerName");
        Assert.DoesNotContain(deleted.Attributes.Values, v => v.Contains("Ordered on Monday", StringComparison.Ordinal) || v.Contains("Fast and friendly", StringComparison.Ordinal));
    }

    [Fact]
    public void Batch_with_bad_events_keeps_the_good_ones()
    {
        var result = adapter.Normalize(RawFixture("trustpilot", "trustpilot/trustpilot-webhook-batch-with-bad-entries.json"));

        Assert.Equal(2, result.Touchpoints.Count);
        Assert.Collection(
            result.Rejected,
            r => { Assert.Equal(1, r.EntryIndex); Assert.Contains("stars", r.Reason, StringComparison.Ordinal); },
            r => { Assert.Equal(2, r.EntryIndex); Assert.Contains("'product-review-created' is not supported", r.Reason, StringComparison.Ordinal); });
    }

    [Fact]
    public void Reference_id_becomes_an_identity_only_when_configured_as_one()
    {
        var configured = new TrustpilotAdapter(Monitor(new TrustpilotOptions { ReferenceIdIdentityType = "custom:shop" }));
        var touchpoint = configured.Normalize(RawFixture("trustpilot", "trustpilot/trustpilot-webhook-service-review-created.json")).Touchpoints[0];

        Assert.Equal("trustpilot:5c1d2e3f4a5b6c7d8e9f0a1b custom:shop:ORD-2025-004411", Ids(touchpoint));
    }

    [Theory]
    [InlineData("{}", "holds no events")]
    [InlineData("""{"events":[]}""", "holds no events")]
    [InlineData("""{"events":[{"eventName":"service-review-created","eventData":{"stars":5}}]}""", "review id")]
    [InlineData("""{"events":[{"eventName":"service-review-created","eventData":{"id":"r1","stars":5,"createdAt":"2025-03-14T00:00:00Z"}}]}""", "names no consumer")]
    [InlineData("not json", "is not an")]
    public void Unusable_payloads_are_rejected_with_a_reason(string body, string reason)
    {
        var result = adapter.Normalize(Raw("trustpilot", Encoding.UTF8.GetBytes(body)));
        Assert.Empty(result.Touchpoints);
        Assert.Contains(reason, Assert.Single(result.Rejected).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Verifier_trusts_the_function_key_and_checks_nothing_else() =>
        Assert.True(new TrustpilotWebhookVerifier().Verify(Webhook("x"u8.ToArray(), new Dictionary<string, string>()), ReceivedAt).IsValid);
}
