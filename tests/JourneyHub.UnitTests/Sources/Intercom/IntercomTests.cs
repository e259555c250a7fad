using System.Text;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Signatures;
using JourneyHub.Core.Sources.Intercom;
using static JourneyHub.UnitTests.Sources.SourceTestKit;

namespace JourneyHub.UnitTests.Sources.Intercom;

public sealed class IntercomSignatureTests
{
    public static TheoryData<string> Fixtures => new()
    {
        "intercom-conversation-user-created", "intercom-conversation-user-replied", "intercom-conversation-admin-closed", "intercom-conversation-rating-added", "intercom-ping",
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void The_known_answer_signature_of_each_fixture_verifies(string name)
    {
        var headers = Headers($"intercom/{name}.headers.json");
        var body = Fixture.Bytes($"intercom/{name}.json");
        var secret = headers.Strings["testClientSecret"];

        Assert.Equal(headers.Headers["X-Hub-Signature"], IntercomSignature.Compute(secret, body));
        Assert.Equal(SignatureCheck.Valid, IntercomSignature.Verify(secret, body, headers.Headers["X-Hub-Signature"]));
        Assert.Equal(SignatureCheck.Valid, IntercomSignature.Verify(secret, body, headers.Headers["X-Hub-Signature"].ToUpperInvariant().Replace("SHA1=", "sha1=", StringComparison.Ordinal)));
    }

    [Fact]
    public void Another_body_or_secret_is_a_mismatch()
    {
        var headers = Headers("intercom/intercom-conversation-rating-added.headers.json");
        var body = Fixture.Bytes("intercom/intercom-conversation-rating-added.json");

        Assert.Equal(SignatureCheck.Mismatch, IntercomSignature.Verify(headers.Strings["testClientSecret"], body.AsSpan(1), headers.Headers["X-Hub-Signature"]));
        Assert.Equal(SignatureCheck.Mismatch, IntercomSignature.Verify("another", body, headers.Headers["X-Hub-Signature"]));
    }

    [Theory]
    [InlineData(null, SignatureCheck.Missing)]
    [InlineData("sha256=876241efc47bef7e849d0512a7d5b1b863f602f4", SignatureCheck.Malformed)]
    [InlineData("sha1=876241efc47bef7e849d0512a7d5b1b863f602", SignatureCheck.Malformed)]
    [InlineData("sha1=z76241efc47bef7e849d0512a7d5b1b863f602f4", SignatureCheck.Malformed)]
    public void Absent_or_malformed_headers_are_told_apart(string? header, SignatureCheck expected) =>
        Assert.Equal(expected, IntercomSignature.Verify("secret", "{}"u8, header));

    [Fact]
    public void The_verifier_names_the_missing_setting()
    {
        var verification = new IntercomWebhookVerifier(Monitor(new IntercomOptions())).Verify(Webhook("{}"u8.ToArray(), new Dictionary<string, string>()), ReceivedAt);

        Assert.Equal(SignatureCheck.NotConfigured, verification.Check);
        Assert.Contains("Sources__Intercom__ClientSecret", verification.Detail, StringComparison.Ordinal);
    }
}

public sealed class IntercomAdapterTests
{
    private static readonly IntercomAdapter Adapter = new();

    public static TheoryData<string, string, string, JourneyStage?, string> Golden => new()
    {
        // fixture, sourceEventId, action, stage, identities
        { "intercom-conversation-user-created", "notif_2f6a1c3e-8b4d-4e7a-9c1f-0d2e3f4a5b61", "conversation.started", JourneyStage.Consideration, "intercom:65f1c2d3e4a5b6c7d8e9f0a1 email:maria.lindqvist@example.com" },
        { "intercom-conversation-user-replied", "notif_7b9d1f3a-5c7e-4a2b-8d0f-1e3a5c7e9b12", "message.received", null, "intercom:65f1c2d3e4a5b6c7d8e9f0a1 email:maria.lindqvist@example.com" },
        { "intercom-conversation-admin-closed", "notif_c3e5a7b9-1d3f-4b6d-8f0a-2c4e6a8c0d23", "conversation.closed", null, "intercom:65f1c2d3e4a5b6c7d8e9f0a1 email:maria.lindqvist@example.com" },
        { "intercom-conversation-rating-added", "notif_e1a3c5e7-9b1d-4f3a-8c5e-7a9c1e3b5d34", "conversation.rated", JourneyStage.Retention, "intercom:65f1c2d3e4a5b6c7d8e9f0a1 email:maria.lindqvist@example.com" },
    };

    [Theory]
    [MemberData(nameof(Golden))]
    public void Each_golden_notification_becomes_a_chat_touchpoint_of_the_contact(string fixture, string sourceEventId, string action, JourneyStage? stage, string identities)
    {
        var touchpoint = Assert.Single(Normalize(fixture).Touchpoints);

        Assert.Equal("intercom", touchpoint.Source);
        Assert.Equal(sourceEventId, touchpoint.SourceEventId);
        Assert.Equal(TouchpointIds.For("intercom", sourceEventId), touchpoint.TouchpointId);
        Assert.Equal(action, touchpoint.Action);
        Assert.Equal(Channel.Chat, touchpoint.Channel);
        Assert.Equal(TouchpointKind.Direct, touchpoint.Kind);
        Assert.Equal(stage, touchpoint.Stage);
        Assert.Equal(identities, Ids(touchpoint));
        Assert.Equal("215471629316854", touchpoint.Attributes["conversationId"]);
        Assert.Equal("cust-706405506930370084", touchpoint.Attributes["externalId"]);
    }

    [Fact]
    public void A_conversation_starts_with_the_customers_words_without_markup()
    {
        var touchpoint = Assert.Single(Normalize("intercom-conversation-user-created").Touchpoints);

        Assert.Equal("Intercom conversation started: \"Hi! Do you ship the Trail Jacket to Norway? I love the colour.\"", touchpoint.Summary);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1742467200), touchpoint.OccurredAt);
        Assert.Equal(SentimentLabel.Positive, touchpoint.Sentiment?.Label);
    }

    [Fact]
    public void A_reply_is_the_latest_part_by_the_customer()
    {
        var touchpoint = Assert.Single(Normalize("intercom-conversation-user-replied").Touchpoints);

        Assert.Equal("Intercom message: \"Great, thanks! That was really helpful.\"", touchpoint.Summary);
        Assert.Equal("24718623641", touchpoint.Attributes["partId"]);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1742469000), touchpoint.OccurredAt);
    }

    [Fact]
    public void A_rating_is_a_csat_answer_with_the_remark()
    {
        var touchpoint = Assert.Single(Normalize("intercom-conversation-rating-added").Touchpoints);

        Assert.Equal(new SurveyAnswer(SurveyType.Csat, 5, "Super quick and friendly"), touchpoint.Survey);
        Assert.Equal(new Rating(5, 5), touchpoint.Rating);
        Assert.Equal(1.0, touchpoint.Sentiment?.Score);
        Assert.Equal("Rated the Intercom conversation 5/5: \"Super quick and friendly\"", touchpoint.Summary);
    }

    [Fact]
    public void The_ping_of_a_new_webhook_is_acknowledged_without_a_touchpoint_or_a_dead_letter()
    {
        var result = Normalize("intercom-ping");

        Assert.Empty(result.Touchpoints);
        Assert.Empty(result.Rejected);
    }

    [Theory]
    [InlineData("{\"type\":\"notification_event\",\"id\":\"notif_1\",\"topic\":\"contact.created\",\"data\":{\"item\":{\"type\":\"contact\",\"id\":\"1\"}}}", "topic 'contact.created' is not supported")]
    [InlineData("{\"type\":\"notification_event\",\"topic\":\"conversation.user.created\",\"data\":{\"item\":{\"type\":\"conversation\",\"id\":\"1\"}}}", "notification id) is missing")]
    [InlineData("{\"type\":\"notification_event\",\"id\":\"notif_1\",\"topic\":\"conversation.user.created\",\"data\":{}}", "not a conversation with an id")]
    [InlineData("{\"type\":\"notification_event\",\"id\":\"notif_1\",\"topic\":\"conversation.user.created\",\"data\":{\"item\":{\"id\":\"1\",\"source\":{\"author\":{\"type\":\"admin\",\"id\":\"7\"}}}}}", "names no contact")]
    [InlineData("{\"type\":\"notification_event\",\"id\":\"notif_1\",\"topic\":\"conversation.rating.added\",\"data\":{\"item\":{\"id\":\"1\",\"conversation_rating\":{\"rating\":9,\"contact\":{\"type\":\"contact\",\"id\":\"c\"}}}}}", "is not 1–5")]
    [InlineData("{\"topic\":", "not a notification object")]
    public void Notifications_that_cannot_be_read_are_dead_letters_with_the_reason(string body, string reason)
    {
        var result = Adapter.Normalize(Raw("intercom", Encoding.UTF8.GetBytes(body)));

        Assert.Empty(result.Touchpoints);
        Assert.Contains(reason, Assert.Single(result.Rejected).Reason, StringComparison.Ordinal);
    }

    private static Core.Ingestion.NormalizationResult Normalize(string fixture) => Adapter.Normalize(RawFixture("intercom", $"intercom/{fixture}.json"));
}
