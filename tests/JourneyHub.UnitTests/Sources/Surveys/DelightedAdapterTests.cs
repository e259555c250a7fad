using System.Text;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources.Delighted;
using static JourneyHub.UnitTests.Sources.SourceTestKit;

namespace JourneyHub.UnitTests.Sources.Surveys;

public sealed class DelightedAdapterTests
{
    private static DelightedAdapter Adapter(int cesScale = 7) => new(Monitor(new DelightedOptions { CesScale = cesScale }));

    [Fact]
    public void An_update_with_a_comment_is_the_answer_once_and_the_comment_when_it_was_written()
    {
        var result = Adapter().Normalize(RawFixture("delighted", "delighted/delighted-survey-response-updated.json"));

        Assert.Empty(result.Rejected);
        Assert.Equal(2, result.Touchpoints.Count);
        var answer = result.Touchpoints[0];
        Assert.Equal("5435", answer.SourceEventId);
        Assert.Equal("survey.answered", answer.Action);
        Assert.Equal(Channel.Survey, answer.Channel);
        Assert.Equal(JourneyStage.Retention, answer.Stage);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1741962044), answer.OccurredAt);
        Assert.Equal(new SurveyAnswer(SurveyType.Nps, 9, "Your service is fast and flawless!"), answer.Survey);
        Assert.Equal(new Sentiment(0.8, SentimentLabel.Positive), answer.Sentiment);
        Assert.Equal("email:charlie_gravis@example.com delighted:5975", Ids(answer));
        Assert.Equal("NPS 9 on Delighted: \"Your service is fast and flawless!\"", answer.Summary);
        Assert.Equal("https://app.delighted.com/r/5pFDpmlyC8GUc5oxU6USto5VonSKAqOa", answer.Attributes["permalink"]);

        var comment = result.Touchpoints[1];
        Assert.Equal("5435:comment:1741962644", comment.SourceEventId);
        Assert.Equal("survey.commented", comment.Action);
        Assert.Null(comment.Survey);
        Assert.Equal(JourneyStage.Retention, comment.Stage);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1741962644), comment.OccurredAt);
        Assert.Equal("Your service is fast and flawless!", comment.Attributes["comment"]);
        Assert.Equal(SentimentLabel.Positive, comment.Sentiment!.Label);
    }

    [Fact]
    public void Created_and_updated_events_of_one_response_share_the_answers_touchpoint_id()
    {
        var updated = Fixture.Text("delighted/delighted-survey-response-updated.json");
        var created = updated.Replace("survey_response.updated", "survey_response.created", StringComparison.Ordinal)
            .Replace("\"comment\": \"Your service is fast and flawless!\"", "\"comment\": null", StringComparison.Ordinal);

        var first = Assert.Single(Adapter().Normalize(Raw("delighted", Encoding.UTF8.GetBytes(created))).Touchpoints);
        var later = Adapter().Normalize(Raw("delighted", Encoding.UTF8.GetBytes(updated))).Touchpoints[0];

        Assert.Equal(first.TouchpointId, later.TouchpointId);
        Assert.Null(first.Survey!.Comment);
    }

    [Fact]
    public void Delighted_ces_agreement_is_turned_around_onto_the_hubs_effort_scale()
    {
        var touchpoint = Assert.Single(Adapter().Normalize(RawFixture("delighted", "delighted/delighted-survey-response-created-ces.json")).Touchpoints);

        // 2 = "disagree that it was easy": hard, so 6 of 7 on the hub's scale, negative.
        Assert.Equal(new SurveyAnswer(SurveyType.Ces, 6, null), touchpoint.Survey);
        Assert.Equal(SentimentLabel.Negative, touchpoint.Sentiment!.Label);
        Assert.Equal("2", touchpoint.Attributes["answer"]);
        Assert.Equal("Business", touchpoint.Attributes["person.Plan"]);
        Assert.Equal("email:noor.haddad@example.net delighted:6120", Ids(touchpoint));
    }

    [Theory]
    [InlineData(5, 1)]
    [InlineData(4, 3)]
    [InlineData(3, 4)]
    [InlineData(2, 5)]
    [InlineData(1, 7)]
    public void A_five_point_ces_project_spreads_onto_the_hubs_seven_points(int answer, int hub)
    {
        var body = Fixture.Text("delighted/delighted-survey-response-created-ces.json").Replace("\"score\": 2,", $"\"score\": {answer},", StringComparison.Ordinal);

        var touchpoint = Assert.Single(Adapter(cesScale: 5).Normalize(Raw("delighted", Encoding.UTF8.GetBytes(body))).Touchpoints);

        Assert.Equal(hub, touchpoint.Survey!.Score);
    }

    [Fact]
    public void A_score_outside_the_scale_is_a_dead_letter_entry()
    {
        var body = Fixture.Text("delighted/delighted-survey-response-updated.json").Replace("\"score\": 9,", "\"score\": 11,", StringComparison.Ordinal);

        var result = Adapter().Normalize(Raw("delighted", Encoding.UTF8.GetBytes(body)));

        Assert.Empty(result.Touchpoints);
        Assert.Contains("score 11 of survey_type 'nps'", Assert.Single(result.Rejected).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_survey_types_keep_their_score_as_an_attribute()
    {
        var body = Fixture.Text("delighted/delighted-survey-response-updated.json").Replace("\"survey_type\": \"nps\"", "\"survey_type\": \"smileys\"", StringComparison.Ordinal);

        var answer = Adapter().Normalize(Raw("delighted", Encoding.UTF8.GetBytes(body))).Touchpoints[0];

        Assert.Null(answer.Survey);
        Assert.Equal("9", answer.Attributes["score"]);
        Assert.Equal("smileys", answer.Attributes["surveyType"]);
    }

    [Fact]
    public void An_unsubscribe_is_a_survey_unsubscribed_touchpoint()
    {
        var touchpoint = Assert.Single(Adapter().Normalize(RawFixture("delighted", "delighted/delighted-unsubscribe-created.json")).Touchpoints);

        Assert.Equal("survey.unsubscribed", touchpoint.Action);
        Assert.Equal("eb148ac882fadd6c48acfdff638646d939f76204df2283c3f5e2e94cb88a030a", touchpoint.SourceEventId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1741963200), touchpoint.OccurredAt);
        Assert.Equal("email:leslie.wong@example.com delighted:5428", Ids(touchpoint));
        Assert.Equal(JourneyStage.Retention, touchpoint.Stage);
    }

    [Theory]
    [InlineData("{\"event_type\":\"survey_response.deleted\",\"event_data\":{}}", "is not supported")]
    [InlineData("{\"event_type\":\"survey_response.created\"}", "no event_data")]
    [InlineData("{\"event_type\":\"survey_response.created\",\"event_data\":{\"person\":{\"email\":\"a@b.c\"}}}", "response id")]
    [InlineData("{\"event_type\":\"survey_response.created\",\"event_data\":{\"id\":\"1\",\"created_at\":1}}", "no e-mail, phone or id")]
    [InlineData("{\"event_type\":\"survey_response.created\",\"event_data\":{\"id\":\"1\",\"person\":\"x\"}}", "not readable")]
    [InlineData("not json", "not a webhook object")]
    public void Payloads_it_cannot_use_fail_with_a_reason(string body, string reason)
    {
        var result = Adapter().Normalize(Raw("delighted", Encoding.UTF8.GetBytes(body)));

        Assert.Empty(result.Touchpoints);
        Assert.Contains(reason, Assert.Single(result.Rejected).Reason, StringComparison.Ordinal);
    }
}
