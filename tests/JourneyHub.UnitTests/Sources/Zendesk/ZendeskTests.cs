using System.Text;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Signatures;
using JourneyHub.Core.Sources.Zendesk;
using static JourneyHub.UnitTests.Sources.SourceTestKit;

namespace JourneyHub.UnitTests.Sources.Zendesk;

public sealed class ZendeskSignatureTests
{
    public static TheoryData<string> Fixtures => new()
    {
        "zendesk-ticket-created", "zendesk-ticket-comment-added", "zendesk-ticket-status-changed-reopened", "zendesk-satisfaction-rated-bad",
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void The_known_answer_signature_of_each_fixture_verifies_at_its_own_time(string name)
    {
        var (secret, timestamp, signature, body) = Load(name);
        var at = DateTimeOffset.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(signature, ZendeskSignature.ComputeBase64(secret, timestamp, body));
        Assert.Equal(SignatureCheck.Valid, ZendeskSignature.Verify(secret, body, signature, timestamp, at.AddSeconds(30)));
    }

    [Fact]
    public void The_timestamp_is_signed_with_the_body()
    {
        var (secret, timestamp, signature, body) = Load("zendesk-ticket-created");
        var at = DateTimeOffset.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture);
        var otherTimestamp = at.AddSeconds(1).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(SignatureCheck.Mismatch, ZendeskSignature.Verify(secret, body, signature, otherTimestamp, at));
        Assert.Equal(SignatureCheck.Mismatch, ZendeskSignature.Verify(secret, [.. body, (byte)' '], signature, timestamp, at));
        Assert.Equal(SignatureCheck.Mismatch, ZendeskSignature.Verify("another-secret", body, signature, timestamp, at));
    }

    [Fact]
    public void A_genuine_delivery_older_or_newer_than_five_minutes_is_stale()
    {
        var (secret, timestamp, signature, body) = Load("zendesk-ticket-created");
        var at = DateTimeOffset.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(SignatureCheck.Valid, ZendeskSignature.Verify(secret, body, signature, timestamp, at.AddMinutes(4)));
        Assert.Equal(SignatureCheck.Stale, ZendeskSignature.Verify(secret, body, signature, timestamp, at.AddMinutes(6)));
        Assert.Equal(SignatureCheck.Stale, ZendeskSignature.Verify(secret, body, signature, timestamp, at.AddMinutes(-6)));
    }

    [Theory]
    [InlineData(null, "2025-03-18T09:12:08Z", SignatureCheck.Missing)]
    [InlineData("ZS7P72XQi9xTmEk1Aa93u2G+/h39a+OHjizqH6u9d2k=", null, SignatureCheck.Missing)]
    [InlineData("not-base64", "2025-03-18T09:12:08Z", SignatureCheck.Malformed)]
    [InlineData("ZS7P72XQi9xTmEk1Aa93u2G+/h39a+OHjizqH6u9d2k=", "yesterday", SignatureCheck.Malformed)]
    public void Absent_or_malformed_headers_are_told_apart(string? signature, string? timestamp, SignatureCheck expected) =>
        Assert.Equal(expected, ZendeskSignature.Verify("secret", "{}"u8, signature, timestamp, ReceivedAt));

    [Fact]
    public void The_verifier_checks_the_headers_whatever_their_case_and_names_the_missing_setting()
    {
        var (secret, timestamp, signature, body) = Load("zendesk-ticket-created");
        var at = DateTimeOffset.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["x-zendesk-webhook-signature"] = signature,
            ["x-zendesk-webhook-signature-timestamp"] = timestamp,
        };

        Assert.True(new ZendeskWebhookVerifier(Monitor(new ZendeskOptions { SigningSecret = secret })).Verify(Webhook(body, headers), at).IsValid);
        var unconfigured = new ZendeskWebhookVerifier(Monitor(new ZendeskOptions())).Verify(Webhook(body, headers), at);
        Assert.Equal(SignatureCheck.NotConfigured, unconfigured.Check);
        Assert.Contains("Sources__Zendesk__SigningSecret", unconfigured.Detail, StringComparison.Ordinal);
    }

    private static (string Secret, string Timestamp, string Signature, byte[] Body) Load(string name)
    {
        var headers = Headers($"zendesk/{name}.headers.json");
        return (headers.Strings["testSigningSecret"], headers.Headers["X-Zendesk-Webhook-Signature-Timestamp"], headers.Headers["X-Zendesk-Webhook-Signature"], Fixture.Bytes($"zendesk/{name}.json"));
    }
}

public sealed class ZendeskAdapterTests
{
    private static readonly ZendeskAdapter Adapter = new();

    public static TheoryData<string, string, string, Channel, string> Golden => new()
    {
        // fixture, sourceEventId, action, channel, identities
        { "zendesk-ticket-created", "01JPJ8Q1Z4T5W0R8C2N6Y3H7KD", "ticket.created", Channel.Email, "zendesk:8447388090494" },
        { "zendesk-ticket-comment-added", "01JPJB2M7XQ9V4K1S8D3F6G0HA", "ticket.commented", Channel.Email, "zendesk:8447388090494" },
        { "zendesk-ticket-status-changed-reopened", "01JPQ3W8N2B5C7E9G1J4L6P8RT", "ticket.reopened", Channel.Email, "zendesk:8447388090494" },
        { "zendesk-satisfaction-rated-bad", "5158-satisfaction-2025-03-25T08:30:00Z", "ticket.rated", Channel.Survey, "zendesk:8447388090494 email:maria.lindqvist@example.com" },
    };

    [Theory]
    [MemberData(nameof(Golden))]
    public void Each_golden_event_becomes_a_retention_support_touchpoint_of_the_requester(string fixture, string sourceEventId, string action, Channel channel, string identities)
    {
        var touchpoint = Assert.Single(Normalize(fixture).Touchpoints);

        Assert.Equal("zendesk", touchpoint.Source);
        Assert.Equal(sourceEventId, touchpoint.SourceEventId);
        Assert.Equal(TouchpointIds.For("zendesk", sourceEventId), touchpoint.TouchpointId);
        Assert.Equal(action, touchpoint.Action);
        Assert.Equal(channel, touchpoint.Channel);
        Assert.Equal(TouchpointKind.Direct, touchpoint.Kind);
        Assert.Equal(JourneyStage.Retention, touchpoint.Stage);
        Assert.Equal(identities, Ids(touchpoint));
        Assert.Equal("5158", touchpoint.Attributes["ticketId"]);
    }

    [Fact]
    public void A_new_ticket_keeps_its_subject_time_and_the_customers_tone()
    {
        var touchpoint = Assert.Single(Normalize("zendesk-ticket-created").Touchpoints);

        Assert.Equal("Support ticket #5158 opened: \"Damaged items in order #1042\"", touchpoint.Summary);
        Assert.Equal(new DateTimeOffset(2025, 3, 18, 9, 12, 7, 481, TimeSpan.Zero).AddTicks(9263), touchpoint.OccurredAt);
        Assert.Equal("high", touchpoint.Attributes["priority"]);
        Assert.Equal(SentimentLabel.Negative, touchpoint.Sentiment?.Label);
    }

    [Fact]
    public void An_agents_reply_is_a_touchpoint_without_the_customers_sentiment()
    {
        var touchpoint = Assert.Single(Normalize("zendesk-ticket-comment-added").Touchpoints);

        Assert.Equal("agent", touchpoint.Attributes["author"]);
        Assert.Equal("Support replied on ticket #5158", touchpoint.Summary);
        Assert.Null(touchpoint.Sentiment);
    }

    [Fact]
    public void A_reopened_ticket_and_a_bad_rating_are_pain_points_of_the_journey()
    {
        var created = Assert.Single(Normalize("zendesk-ticket-created").Touchpoints) with { Sentiment = Sentiment.FromScore(0.5) };
        var reopened = Assert.Single(Normalize("zendesk-ticket-status-changed-reopened").Touchpoints);
        var rated = Assert.Single(Normalize("zendesk-satisfaction-rated-bad").Touchpoints);

        Assert.Equal(SentimentLabel.Negative, reopened.Sentiment?.Label);
        Assert.Equal(("solved", "open"), (reopened.Attributes["previousStatus"], reopened.Attributes["status"]));
        Assert.Equal(new SurveyAnswer(SurveyType.Csat, 1, "Took a week and two tickets to get a replacement."), rated.Survey);
        Assert.Equal(-1.0, rated.Sentiment?.Score);

        var state = new[] { created, reopened, rated }.Aggregate(new JourneyState(), (s, t) => s.Apply(t));
        var summary = JourneySummary.From(new CustomerRecord { CustomerId = "cus_1", CreatedAt = ReceivedAt, Journey = state }, ReceivedAt);
        Assert.Equal([reopened.TouchpointId, rated.TouchpointId], summary.PainPoints.Select(p => p.TouchpointId).ToArray());
        Assert.Equal(1, summary.LatestCsat?.Score);
    }

    [Theory]
    [InlineData("good", 5)]
    [InlineData("Good, I'm satisfied", 5)]
    [InlineData("Bad, I'm unsatisfied", 1)]
    [InlineData("4", 4)]
    public void Satisfaction_ratings_read_good_bad_and_survey_scores(string score, int expected)
    {
        var body = Fixture.Text("zendesk/zendesk-satisfaction-rated-bad.json").Replace("\"score\":\"bad\"", $"\"score\":\"{score}\"", StringComparison.Ordinal);
        var touchpoint = Assert.Single(Adapter.Normalize(Raw("zendesk", Encoding.UTF8.GetBytes(body))).Touchpoints);
        Assert.Equal(expected, touchpoint.Survey?.Score);
    }

    [Fact]
    public void A_status_change_that_is_not_a_reopening_carries_no_sentiment()
    {
        var body = Fixture.Text("zendesk/zendesk-ticket-status-changed-reopened.json").Replace("{\"current\":\"OPEN\",\"previous\":\"SOLVED\"}", "{\"current\":\"SOLVED\",\"previous\":\"OPEN\"}", StringComparison.Ordinal);
        var touchpoint = Assert.Single(Adapter.Normalize(Raw("zendesk", Encoding.UTF8.GetBytes(body))).Touchpoints);

        Assert.Equal("ticket.status_changed", touchpoint.Action);
        Assert.Equal("Support ticket #5158 solved", touchpoint.Summary);
        Assert.Null(touchpoint.Sentiment);
    }

    [Theory]
    [InlineData("{\"type\":\"zen:event-type:user.created\",\"id\":\"e1\",\"time\":\"2025-03-18T09:12:07Z\",\"detail\":{\"id\":\"1\"}}", "type 'zen:event-type:user.created' is not supported")]
    [InlineData("{\"type\":\"zen:event-type:ticket.created\",\"time\":\"2025-03-18T09:12:07Z\",\"detail\":{\"id\":\"1\",\"requester_id\":\"2\"}}", "id (the event id) is missing")]
    [InlineData("{\"type\":\"zen:event-type:ticket.created\",\"id\":\"e1\",\"time\":\"2025-03-18T09:12:07Z\",\"detail\":{\"id\":\"1\"}}", "names no requester")]
    [InlineData("{\"type\":\"zen:event-type:ticket.created\",\"id\":\"e1\",\"time\":\"soon\",\"detail\":{\"id\":\"1\",\"requester_id\":2}}", "not an ISO 8601 time")]
    [InlineData("{\"type\":\"zen:event-type:ticket.comment_added\",\"id\":\"e1\",\"time\":\"2025-03-18T09:12:07Z\",\"detail\":{\"id\":\"1\",\"requester_id\":\"2\"},\"event\":{\"comment\":{\"is_public\":false,\"body\":\"internal\"}}}", "an internal note")]
    [InlineData("{\"type\":\"zen:event-type:ticket.comment_added\",\"id\":\"e1\",\"time\":\"2025-03-18T09:12:07Z\",\"detail\":{\"id\":\"1\",\"requester_id\":\"2\"},\"event\":[1]}", "documented shape")]
    [InlineData("{\"type\":\"ticket.satisfaction_rated\",\"id\":\"e1\",\"detail\":{\"id\":\"1\",\"requester_id\":\"2\"},\"event\":{\"score\":\"offered\"}}", "not a satisfaction rating")]
    [InlineData("[]", "not a webhook event object")]
    [InlineData("{\"id\":{}}", "not a webhook event object")]
    public void Events_that_cannot_be_read_are_dead_letters_with_the_reason(string body, string reason)
    {
        var result = Adapter.Normalize(Raw("zendesk", Encoding.UTF8.GetBytes(body)));

        Assert.Empty(result.Touchpoints);
        Assert.Contains(reason, Assert.Single(result.Rejected).Reason, StringComparison.Ordinal);
    }

    private static Core.Ingestion.NormalizationResult Normalize(string fixture) => Adapter.Normalize(RawFixture("zendesk", $"zendesk/{fixture}.json"));
}
