using System.Text;
using System.Text.Json;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources.Surveys;
using JourneyHub.Core.Sources.SurveyMonkey;
using static JourneyHub.UnitTests.Sources.SourceTestKit;

namespace JourneyHub.UnitTests.Sources.Surveys;

public sealed class SurveyMonkeyAdapterTests
{
    private static readonly SurveyMonkeySurveyDetails Survey =
        JsonSerializer.Deserialize(Fixture.Bytes("surveymonkey/surveymonkey-survey-details.json"), SurveyMonkeyJsonContext.Default.SurveyMonkeySurveyDetails)!;

    private static readonly SurveyMonkeyResponseDetails Response =
        JsonSerializer.Deserialize(Fixture.Bytes("surveymonkey/surveymonkey-response-details.json"), SurveyMonkeyJsonContext.Default.SurveyMonkeyResponseDetails)!;

    private static Touchpoint Callback() =>
        Assert.Single(new SurveyMonkeyAdapter().Normalize(RawFixture("surveymonkey", "surveymonkey/surveymonkey-response-completed.json")).Touchpoints);

    [Fact]
    public void The_callback_alone_is_a_survey_answered_touchpoint_keyed_by_the_response_id()
    {
        var touchpoint = Callback();

        Assert.Equal("surveymonkey", touchpoint.Source);
        Assert.Equal("114392018374", touchpoint.SourceEventId);
        Assert.Equal("survey.answered", touchpoint.Action);
        Assert.Equal(Channel.Survey, touchpoint.Channel);
        Assert.Equal(JourneyStage.Retention, touchpoint.Stage);
        Assert.Equal(new DateTimeOffset(2025, 3, 14, 14, 21, 56, 182, TimeSpan.Zero).AddTicks(6130), touchpoint.OccurredAt);
        Assert.Null(touchpoint.Survey);
        Assert.Equal("surveymonkey:114392018374", Ids(touchpoint));
        Assert.Equal("405837291", touchpoint.Attributes["surveyId"]);
        Assert.Equal("114392018374", touchpoint.Attributes["responseId"]);
        Assert.Equal("439120485", touchpoint.Attributes["collectorId"]);
        Assert.False(touchpoint.Attributes.ContainsKey("recipientId"));
    }

    [Fact]
    public void The_fetched_answers_give_the_nps_score_the_email_and_the_comment()
    {
        var read = SurveyMonkeyAnswers.Apply(Callback(), Survey, Response, new SurveyTypeRules());

        Assert.Empty(read.Problems);
        var nps = Assert.Single(read.Touchpoints);
        Assert.Equal("114392018374", nps.SourceEventId);
        Assert.Equal(new SurveyAnswer(SurveyType.Nps, 2, "I had to call twice before anyone looked at my refund."), nps.Survey);
        Assert.Equal(new Sentiment(-0.6, SentimentLabel.Negative), nps.Sentiment);
        Assert.Equal("surveymonkey:114392018374 email:sam.okafor@example.org", Ids(nps));
        Assert.Equal("660218511", nps.Attributes["questionId"]);
        Assert.Equal("Support follow-up", nps.Attributes["surveyTitle"]);
        Assert.Equal("NPS 2 on SurveyMonkey \"Support follow-up\": \"I had to call twice before anyone looked at my refund.\"", nps.Summary);
    }

    [Fact]
    public void A_question_the_rules_name_adds_its_own_touchpoint()
    {
        var rules = new SurveyTypeRules().Add("405837291", "660218512", "csat");

        var read = SurveyMonkeyAnswers.Apply(Callback(), Survey, Response, rules);

        Assert.Equal(2, read.Touchpoints.Count);
        var csat = read.Touchpoints[1];
        Assert.Equal("114392018374:660218512", csat.SourceEventId);
        Assert.Equal(TouchpointIds.For("surveymonkey", "114392018374:660218512"), csat.TouchpointId);
        Assert.Equal(SurveyType.Csat, csat.Survey!.Type);
        Assert.Equal(2, csat.Survey.Score);
        Assert.Equal(SentimentLabel.Negative, csat.Sentiment!.Label);
    }

    [Fact]
    public void A_choice_outside_the_scale_is_reported_and_the_response_kept_without_that_answer()
    {
        var response = Response with { Pages = [new() { Questions = [new() { Id = "660218511", Answers = [new() { ChoiceId = "4385172120" }] }] }] };

        var read = SurveyMonkeyAnswers.Apply(Callback(), Survey, response, new SurveyTypeRules().Add(null, "660218511", "csat"));

        Assert.Contains("answer 10 is not a whole csat score from 1 to 5", Assert.Single(read.Problems), StringComparison.Ordinal);
        Assert.Null(Assert.Single(read.Touchpoints).Survey);
    }

    [Fact]
    public void Without_a_scored_question_the_response_keeps_its_comment_and_text_sentiment()
    {
        var response = Response with { Pages = [new() { Questions = [new() { Id = "660218513", Answers = [new() { Text = "Terrible, slow and rude." }] }] }] };

        var touchpoint = Assert.Single(SurveyMonkeyAnswers.Apply(Callback(), Survey, response, new SurveyTypeRules()).Touchpoints);

        Assert.Null(touchpoint.Survey);
        Assert.Equal("Terrible, slow and rude.", touchpoint.Attributes["comment"]);
        Assert.Equal(SentimentLabel.Negative, touchpoint.Sentiment!.Label);
        Assert.Equal("114392018374", touchpoint.SourceEventId);
    }

    [Fact]
    public void The_email_address_field_and_the_contact_metadata_win_over_an_answer()
    {
        using var metadata = JsonDocument.Parse("""{"contact":{"email":{"type":"string","value":"Contact@Example.com"}}}""");

        var fromField = SurveyMonkeyAnswers.Apply(Callback(), Survey, Response with { EmailAddress = "Field@Example.com" }, new SurveyTypeRules());
        var fromMetadata = SurveyMonkeyAnswers.Apply(Callback(), Survey, Response with { Metadata = metadata.RootElement.Clone() }, new SurveyTypeRules());

        Assert.Contains(fromField.Touchpoints[0].Identities, i => i.ToString() == "email:field@example.com");
        Assert.Contains(fromMetadata.Touchpoints[0].Identities, i => i.ToString() == "email:contact@example.com");
    }

    [Fact]
    public void Only_a_zero_to_ten_question_is_nps_without_a_rule()
    {
        var questions = Survey.Pages![0].Questions!;

        Assert.Equal(SurveyType.Nps, SurveyMonkeyAnswers.DefaultRule(questions[0])!.Type);
        Assert.Null(SurveyMonkeyAnswers.DefaultRule(questions[1]));
        Assert.Null(SurveyMonkeyAnswers.DefaultRule(questions[2]));
    }

    [Theory]
    [InlineData("{\"event_type\":\"response_updated\",\"object_id\":\"1\"}", "is not supported")]
    [InlineData("{\"event_type\":\"response_completed\"}", "object_id")]
    [InlineData("{\"event_type\":\"response_completed\",\"object_id\":\"1\",\"filter_type\":\"collector\",\"filter_id\":\"9\"}", "survey_id")]
    [InlineData("{", "not a webhook callback")]
    public void Payloads_it_cannot_use_fail_with_a_reason(string body, string reason)
    {
        var result = new SurveyMonkeyAdapter().Normalize(Raw("surveymonkey", Encoding.UTF8.GetBytes(body)));

        Assert.Empty(result.Touchpoints);
        Assert.Contains(reason, Assert.Single(result.Rejected).Reason, StringComparison.Ordinal);
    }
}
