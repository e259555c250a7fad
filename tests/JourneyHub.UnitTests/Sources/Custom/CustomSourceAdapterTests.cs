using System.Text;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources.Custom;
using static JourneyHub.UnitTests.Sources.SourceTestKit;

namespace JourneyHub.UnitTests.Sources.Custom;

public sealed class CustomSourceAdapterTests
{
    private readonly CustomSourceAdapter adapter = new();

    private static Dictionary<string, string> WebhookId(string id) => new() { [CustomWebhookVerifier.WebhookIdProperty] = id };

    private Touchpoint One(string body, string id = "msg_1", string source = "custom:contoso-pos")
    {
        var result = adapter.Normalize(Raw(source, Encoding.UTF8.GetBytes(body), WebhookId(id)));
        Assert.Empty(result.Rejected);
        return Assert.Single(result.Touchpoints);
    }

    private string Rejection(string body)
    {
        var result = adapter.Normalize(Raw("custom:contoso-pos", Encoding.UTF8.GetBytes(body), WebhookId("msg_1")));
        Assert.Empty(result.Touchpoints);
        return Assert.Single(result.Rejected).Reason;
    }

    [Fact]
    public void Golden_in_store_purchase_becomes_the_expected_touchpoint()
    {
        var touchpoint = adapter.Normalize(RawFixture("custom:contoso-pos", "custom/standard-webhooks-custom-source.json", WebhookId("msg_2tZk7Qm2xWv9LbT4pN8rJ1cYd0F"))).Touchpoints.Single();

        Assert.Equal("custom:contoso-pos", touchpoint.Source);
        Assert.Equal("msg_2tZk7Qm2xWv9LbT4pN8rJ1cYd0F", touchpoint.SourceEventId);
        Assert.Equal(TouchpointIds.For("custom:contoso-pos", "msg_2tZk7Qm2xWv9LbT4pN8rJ1cYd0F"), touchpoint.TouchpointId);
        Assert.Equal("purchase.completed", touchpoint.Action);
        Assert.Equal(Channel.InStore, touchpoint.Channel);
        Assert.Equal(TouchpointKind.Direct, touchpoint.Kind);
        Assert.Equal(JourneyStage.Decision, touchpoint.Stage);
        Assert.Equal(new DateTimeOffset(2025, 3, 14, 14, 21, 50, TimeSpan.Zero), touchpoint.OccurredAt);
        Assert.Equal("email:maria.lindqvist@example.com phone:+46701234567", Ids(touchpoint));
        Assert.Equal("129.5", touchpoint.Attributes["basketValue"]);
        Assert.Equal("STO-017", touchpoint.Attributes["storeId"]);
        Assert.Equal("pos-txn-88231", touchpoint.Attributes["externalId"]);
        Assert.Null(touchpoint.Sentiment);
    }

    [Fact]
    public void Golden_nps_survey_has_exact_sentiment_and_external_ids()
    {
        var touchpoint = adapter.Normalize(RawFixture("custom:contoso-survey", "custom/custom-nps-survey.json", WebhookId("msg_survey_1"))).Touchpoints.Single();

        Assert.Equal("custom:contoso-survey", touchpoint.Source);
        Assert.Equal("survey.answered", touchpoint.Action);
        Assert.Equal(Channel.Survey, touchpoint.Channel);
        Assert.Equal(JourneyStage.Retention, touchpoint.Stage);
        Assert.Equal(new SurveyAnswer(SurveyType.Nps, 9, "Great tents, slow delivery"), touchpoint.Survey);
        Assert.Equal(new Sentiment(0.8, SentimentLabel.Positive), touchpoint.Sentiment);
        Assert.Equal("email:maria.lindqvist@example.com custom:contoso-survey:R-77 hubspot:81273645012", Ids(touchpoint));
        Assert.Equal("42", touchpoint.Attributes["responseTimeSeconds"]);
        Assert.Equal("true", touchpoint.Attributes["completed"]);
    }

    [Theory]
    [InlineData("in_store", "purchase.completed", JourneyStage.Decision)]
    [InlineData("web", "page.viewed", null)]
    [InlineData("chat", "message.received", null)]
    [InlineData("other", "event.recorded", null)]
    public void Action_defaults_by_channel(string channel, string action, JourneyStage? stage)
    {
        var touchpoint = One("{\"type\":\"touchpoint.created\",\"data\":{\"channel\":\"" + channel + "\",\"occurredAt\":\"2025-03-14T10:00:00Z\",\"person\":{\"email\":\"a@example.com\"}}}");
        Assert.Equal(action, touchpoint.Action);
        Assert.Equal(stage, touchpoint.Stage);
    }

    [Fact]
    public void Given_action_and_stage_win_over_defaults()
    {
        var touchpoint = One("""{"type":"touchpoint.created","data":{"channel":"web","action":"Trial.Started","stage":"consideration","person":{"externalIds":["u-1","u-2"]}}}""");
        Assert.Equal("trial.started", touchpoint.Action);
        Assert.Equal(JourneyStage.Consideration, touchpoint.Stage);
        Assert.Equal("custom:contoso-pos:u-1 custom:contoso-pos:u-2", Ids(touchpoint));
        Assert.Equal(SourceTestKit.ReceivedAt, touchpoint.OccurredAt);
    }

    [Fact]
    public void Rating_gives_rating_and_exact_sentiment()
    {
        var touchpoint = One("""{"type":"touchpoint.created","data":{"rating":{"value":2,"scale":5},"person":{"id":"p-9"}}}""");
        Assert.Equal(new Rating(2, 5), touchpoint.Rating);
        Assert.Equal(new Sentiment(-0.5, SentimentLabel.Negative), touchpoint.Sentiment);
        Assert.Equal(Channel.Review, touchpoint.Channel);
        Assert.Equal("review.posted", touchpoint.Action);
        Assert.Equal("custom:contoso-pos:p-9", Ids(touchpoint));
    }

    [Fact]
    public void Without_a_webhook_id_the_external_id_names_the_event()
    {
        var result = adapter.Normalize(Raw("custom:contoso-pos", Fixture.Bytes("custom/standard-webhooks-custom-source.json")));
        Assert.Equal("pos-txn-88231", result.Touchpoints.Single().SourceEventId);
    }

    [Theory]
    [InlineData("""{"type":"touchpoint.deleted","data":{}}""", "type 'touchpoint.deleted'")]
    [InlineData("""{"type":"touchpoint.created"}""", "data is missing")]
    [InlineData("""{"type":"touchpoint.created","data":{"channel":"fax","person":{"email":"a@example.com"}}}""", "channel 'fax'")]
    [InlineData("""{"type":"touchpoint.created","data":{"stage":"loyal","person":{"email":"a@example.com"}}}""", "stage 'loyal'")]
    [InlineData("""{"type":"touchpoint.created","data":{"action":"bought it","person":{"email":"a@example.com"}}}""", "dotted verb")]
    [InlineData("""{"type":"touchpoint.created","data":{"survey":{"type":"nps","score":11},"person":{"email":"a@example.com"}}}""", "from 0 to 10")]
    [InlineData("""{"type":"touchpoint.created","data":{"survey":{"type":"stars","score":3},"person":{"email":"a@example.com"}}}""", "survey.type 'stars'")]
    [InlineData("""{"type":"touchpoint.created","data":{"rating":{"value":6},"person":{"email":"a@example.com"}}}""", "rating 6/5")]
    [InlineData("""{"type":"touchpoint.created","data":{"person":{"email":"not-an-email"}}}""", "person names no")]
    [InlineData("""{"type":""", "not a canonical event")]
    public void Invalid_events_are_rejected_with_a_reason(string body, string reason) =>
        Assert.Contains(reason, Rejection(body), StringComparison.Ordinal);
}
