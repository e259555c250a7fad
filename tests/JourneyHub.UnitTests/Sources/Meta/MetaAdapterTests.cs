using System.Text;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources.Meta;
using static JourneyHub.UnitTests.Sources.SourceTestKit;

namespace JourneyHub.UnitTests.Sources.Meta;

public sealed class MetaAdapterTests
{
    private readonly MetaAdapter adapter = new();

    public static TheoryData<string, int, string, string, string, Channel, TouchpointKind, JourneyStage?, string, SentimentLabel?> Golden => new()
    {
        // fixture, index, source, sourceEventId, action, channel, kind, stage, identities, sentiment
        { "meta-page-messenger-message.json", 0, "meta", "m_AbC1dEf2GhI3jKl4MnO5pQr6StU7vWx8YzA9bCd0EfG1hIj2KlM3nOp4QrS5tUv6WxY7zA", "message.received", Channel.Chat, TouchpointKind.Direct, JourneyStage.Consideration, "meta:7012345678901234", null },
        { "meta-instagram-comment.json", 0, "instagram", "17890123456789012", "comment.posted", Channel.Social, TouchpointKind.Indirect, JourneyStage.Awareness, "instagram:17841455566677788", SentimentLabel.Positive },
        { "meta-page-feed-comment.json", 0, "meta", "987650001234567_1122334455667788", "comment.posted", Channel.Social, TouchpointKind.Indirect, JourneyStage.Awareness, "meta:6743210987654321", SentimentLabel.Negative },
        { "meta-page-feed-batch.json", 0, "meta", "987650001234567_1122334455667788:remove", "comment.removed", Channel.Social, TouchpointKind.Indirect, null, "meta:6743210987654321", null },
        { "meta-page-feed-batch.json", 1, "meta", "104328857712345_555000111222333", "post.published", Channel.Social, TouchpointKind.Indirect, JourneyStage.Awareness, "meta:7012345678901234", SentimentLabel.Positive },
        { "meta-page-feed-batch.json", 2, "meta", "987650001234567_1122334455660000:edited:1741962299", "comment.edited", Channel.Social, TouchpointKind.Indirect, null, "meta:6743210987654321", SentimentLabel.Positive },
        { "meta-page-messaging-batch.json", 0, "meta", "m_photo01", "message.received", Channel.Chat, TouchpointKind.Direct, JourneyStage.Consideration, "meta:7012345678901234", null },
        { "meta-instagram-mention.json", 0, "instagram", "17890123456789555", "mention.posted", Channel.Social, TouchpointKind.Indirect, JourneyStage.Awareness, "", null },
        { "meta-instagram-message.json", 0, "instagram", "aWdfZAG1faXRlbToxOklH", "message.received", Channel.Chat, TouchpointKind.Direct, JourneyStage.Consideration, "instagram:1234567890123456", SentimentLabel.Positive },
    };

    [Theory]
    [MemberData(nameof(Golden))]
    public void Golden_item_becomes_the_expected_touchpoint(
        string fixture, int index, string source, string sourceEventId, string action, Channel channel, TouchpointKind kind, JourneyStage? stage, string identities, SentimentLabel? sentiment)
    {
        var touchpoint = adapter.Normalize(RawFixture("meta", "meta/" + fixture)).Touchpoints[index];

        Assert.Equal(source, touchpoint.Source);
        Assert.Equal(sourceEventId, touchpoint.SourceEventId);
        Assert.Equal(TouchpointIds.For(source, sourceEventId), touchpoint.TouchpointId);
        Assert.Equal(action, touchpoint.Action);
        Assert.Equal(channel, touchpoint.Channel);
        Assert.Equal(kind, touchpoint.Kind);
        Assert.Equal(stage, touchpoint.Stage);
        Assert.Equal(identities, Ids(touchpoint));
        Assert.Equal(sentiment, touchpoint.Sentiment?.Label);
        Assert.Null(touchpoint.Rating);
    }

    [Fact]
    public void Escaped_non_ascii_text_is_decoded_from_the_raw_bytes()
    {
        var touchpoint = adapter.Normalize(RawFixture("meta", "meta/meta-page-feed-comment.json")).Touchpoints[0];

        Assert.Equal("José Martínez", touchpoint.Attributes["authorName"]);
        Assert.Contains("café", touchpoint.Summary, StringComparison.Ordinal);
        Assert.Contains("\U0001F641", touchpoint.Summary, StringComparison.Ordinal);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1741962128), touchpoint.OccurredAt);
    }

    [Fact]
    public void Messenger_timestamps_are_milliseconds_and_comment_entries_seconds()
    {
        var message = adapter.Normalize(RawFixture("meta", "meta/meta-page-messenger-message.json")).Touchpoints[0];
        var comment = adapter.Normalize(RawFixture("meta", "meta/meta-instagram-comment.json")).Touchpoints[0];

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1741962131201), message.OccurredAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1741962140), comment.OccurredAt);
        Assert.Equal("sofia.travels", comment.Attributes["username"]);
        Assert.Equal("18024567890123456", comment.Attributes["mediaId"]);
    }

    [Fact]
    public void A_removed_comment_keeps_the_fact_but_no_text()
    {
        var removed = adapter.Normalize(RawFixture("meta", "meta/meta-page-feed-batch.json")).Touchpoints[0];

        Assert.Equal("Facebook comment removed", removed.Summary);
        Assert.Null(removed.Sentiment);
        Assert.DoesNotContain(removed.Attributes, a => a.Key is "message" or "text");
    }

    [Fact]
    public void Feed_batch_with_bad_items_keeps_the_good_ones_and_names_each_reason()
    {
        var result = adapter.Normalize(RawFixture("meta", "meta/meta-page-feed-batch.json"));

        Assert.Equal(3, result.Touchpoints.Count);
        Assert.Collection(
            result.Rejected,
            r => { Assert.Equal(2, r.EntryIndex); Assert.Contains("feed item 'reaction' is not supported", r.Reason, StringComparison.Ordinal); },
            r => { Assert.Equal(3, r.EntryIndex); Assert.Contains("page's own activity", r.Reason, StringComparison.Ordinal); },
            r => { Assert.Equal(4, r.EntryIndex); Assert.Contains("field 'ratings' is not supported", r.Reason, StringComparison.Ordinal); });
    }

    [Fact]
    public void Messaging_echoes_and_read_receipts_are_rejected_with_reasons()
    {
        var result = adapter.Normalize(RawFixture("meta", "meta/meta-page-messaging-batch.json"));

        Assert.Equal("1", Assert.Single(result.Touchpoints).Attributes["attachments"]);
        Assert.Collection(
            result.Rejected,
            r => Assert.Contains("echo", r.Reason, StringComparison.Ordinal),
            r => Assert.Contains("(read)", r.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Instagram_mention_has_no_author_in_the_notification_so_it_carries_ids_for_enrichment()
    {
        var mention = adapter.Normalize(RawFixture("meta", "meta/meta-instagram-mention.json")).Touchpoints[0];

        Assert.Empty(mention.Identities);
        Assert.Equal("18024567890123456", mention.Attributes["mediaId"]);
        Assert.Equal("17890123456789555", mention.Attributes["commentId"]);
    }

    [Theory]
    [InlineData("""{"object":"user","entry":[]}""", "'user' is not supported")]
    [InlineData("""{"object":"page","entry":[]}""", "holds no changes")]
    [InlineData("""[1,2]""", "not a webhook notification")]
    [InlineData("""{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{"item":"comment","verb":"add","from":"oops"}}]}]}""", "documented shape")]
    [InlineData("""{"object":"instagram","entry":[{"id":"1","time":1,"changes":[{"field":"story_insights","value":{}}]}]}""", "'story_insights' is not supported for instagram")]
    public void Unreadable_or_unknown_payloads_are_rejected_with_a_reason(string body, string reason)
    {
        var result = adapter.Normalize(Raw("meta", Encoding.UTF8.GetBytes(body)));
        Assert.Empty(result.Touchpoints);
        Assert.Contains(reason, Assert.Single(result.Rejected).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Redelivered_payload_gives_the_same_touchpoint_ids()
    {
        var first = adapter.Normalize(RawFixture("meta", "meta/meta-page-feed-batch.json")).Touchpoints.Select(t => t.TouchpointId);
        var again = adapter.Normalize(RawFixture("meta", "meta/meta-page-feed-batch.json")).Touchpoints.Select(t => t.TouchpointId);
        Assert.Equal(first, again);
    }
}
