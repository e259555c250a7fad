using System.Text;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources.Surveys;
using JourneyHub.Core.Sources.Typeform;
using static JourneyHub.UnitTests.Sources.SourceTestKit;

namespace JourneyHub.UnitTests.Sources.Surveys;

public sealed class TypeformAdapterTests
{
    private const string FixtureName = "typeform/typeform-form-response.json";

    private static TypeformAdapter Adapter(SurveyTypeRules? rules = null) =>
        new(Monitor(new TypeformOptions { SurveyTypes = rules ?? new SurveyTypeRules() }));

    [Fact]
    public void An_nps_field_is_an_nps_answer_without_any_rule()
    {
        var result = Adapter().Normalize(RawFixture("typeform", FixtureName));

        var touchpoint = Assert.Single(result.Touchpoints);
        Assert.Empty(result.Rejected);
        Assert.Equal("typeform", touchpoint.Source);
        Assert.Equal("a3a12ec67a1365927098a606107fac15", touchpoint.SourceEventId);
        Assert.Equal(TouchpointIds.For("typeform", "a3a12ec67a1365927098a606107fac15"), touchpoint.TouchpointId);
        Assert.Equal(Channel.Survey, touchpoint.Channel);
        Assert.Equal(TouchpointKind.Direct, touchpoint.Kind);
        Assert.Equal(JourneyStage.Retention, touchpoint.Stage);
        Assert.Equal("survey.answered", touchpoint.Action);
        Assert.Equal(new DateTimeOffset(2025, 3, 14, 14, 17, 2, TimeSpan.Zero), touchpoint.OccurredAt);
        Assert.Equal(new SurveyAnswer(SurveyType.Nps, 9, "Fast delivery, friendly driver. The tracking page could be clearer."), touchpoint.Survey);
        Assert.Equal(new Sentiment(0.8, SentimentLabel.Positive), touchpoint.Sentiment);
        Assert.Equal("email:laura.diaz@example.com typeform:abc123456", Ids(touchpoint));
        Assert.Equal("NPS 9 on Typeform \"After your delivery\": \"Fast delivery, friendly driver. The tracking page could be clearer.\"", touchpoint.Summary);
        Assert.Equal("lT4Z3j", touchpoint.Attributes["formId"]);
        Assert.Equal("Nq8vL0pXe3Rb", touchpoint.Attributes["questionId"]);
        Assert.Equal("recommend", touchpoint.Attributes["questionRef"]);
        Assert.Equal("01JD9Q5R7X4V2C8N3M6K1TB0ZA", touchpoint.Attributes["eventId"]);
    }

    [Fact]
    public void The_rules_table_makes_an_opinion_scale_a_ces_answer_on_its_own_touchpoint()
    {
        var rules = new SurveyTypeRules().Add("lT4Z3j", "Ce5kT2wYh9Ua", "ces");

        var result = Adapter(rules).Normalize(RawFixture("typeform", FixtureName));

        Assert.Equal(2, result.Touchpoints.Count);
        var ces = result.Touchpoints[1];
        Assert.Equal("a3a12ec67a1365927098a606107fac15:Ce5kT2wYh9Ua", ces.SourceEventId);
        Assert.Equal(SurveyType.Ces, ces.Survey!.Type);
        Assert.Equal(2, ces.Survey.Score);
        Assert.Equal(SentimentLabel.Positive, ces.Sentiment!.Label);
        Assert.Equal("effort", ces.Attributes["questionRef"]);
        Assert.NotEqual(result.Touchpoints[0].TouchpointId, ces.TouchpointId);
    }

    [Fact]
    public void A_rule_by_ref_in_any_form_works_and_an_agreement_scale_is_turned_around()
    {
        var rules = new SurveyTypeRules().Add(null, "effort", "ces-agreement");

        var ces = Adapter(rules).Normalize(RawFixture("typeform", FixtureName)).Touchpoints[1];

        Assert.Equal(6, ces.Survey!.Score);
        Assert.Equal(SentimentLabel.Negative, ces.Sentiment!.Label);
        Assert.Equal("2", ces.Attributes["answer"]);
    }

    [Fact]
    public void A_rule_can_take_Typeforms_nps_field_out_of_the_figures()
    {
        var rules = new SurveyTypeRules().Add(null, "Nq8vL0pXe3Rb", "none");

        var touchpoint = Assert.Single(Adapter(rules).Normalize(RawFixture("typeform", FixtureName)).Touchpoints);

        Assert.Null(touchpoint.Survey);
        Assert.Equal("a3a12ec67a1365927098a606107fac15", touchpoint.SourceEventId);
        Assert.StartsWith("Typeform response to \"After your delivery\"", touchpoint.Summary, StringComparison.Ordinal);
        Assert.Equal(SentimentLabel.Positive, touchpoint.Sentiment!.Label);
    }

    [Fact]
    public void An_answer_outside_its_scale_is_a_dead_letter_entry_and_the_other_answers_stay()
    {
        var rules = new SurveyTypeRules().Add(null, "Ce5kT2wYh9Ua", "csat");
        var body = Fixture.Text(FixtureName).Replace("\"number\": 2,", "\"number\": 7,", StringComparison.Ordinal);

        var result = Adapter(rules).Normalize(Raw("typeform", Encoding.UTF8.GetBytes(body)));

        Assert.Equal(SurveyType.Nps, Assert.Single(result.Touchpoints).Survey!.Type);
        var rejected = Assert.Single(result.Rejected);
        Assert.Equal(1, rejected.EntryIndex);
        Assert.Contains("answer 7 is not a whole csat score from 1 to 5", rejected.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"event_type\":\"form_response_partial\",\"form_response\":{\"token\":\"t\"}}", "is not supported")]
    [InlineData("{\"event_type\":\"form_response\",\"form_response\":{}}", "token")]
    [InlineData("{\"event_type\":\"form_response\",\"form_response\":{\"token\":\"t\",\"answers\":[]}}", "cannot name a person")]
    [InlineData("[1,2]", "not a webhook object")]
    public void Payloads_it_cannot_use_fail_with_a_reason(string body, string reason)
    {
        var result = Adapter().Normalize(Raw("typeform", Encoding.UTF8.GetBytes(body)));

        Assert.Empty(result.Touchpoints);
        Assert.Contains(reason, Assert.Single(result.Rejected).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_hidden_fields_named_in_the_settings_give_the_identities()
    {
        const string body = """
            {"event_id":"e1","event_type":"form_response","form_response":{"form_id":"f","token":"tok-2","submitted_at":"2025-03-14T10:00:00Z",
             "hidden":{"customer":"C-77","mail":"Ann@Example.com","utm_source":"newsletter"},"answers":[]}}
            """;
        var adapter = new TypeformAdapter(Monitor(new TypeformOptions { RespondentIdField = "customer", EmailField = "mail" }));

        var touchpoint = Assert.Single(adapter.Normalize(Raw("typeform", Encoding.UTF8.GetBytes(body))).Touchpoints);

        Assert.Equal("email:ann@example.com typeform:C-77", Ids(touchpoint));
        Assert.Equal("newsletter", touchpoint.Attributes["hidden.utm_source"]);
        Assert.False(touchpoint.Attributes.ContainsKey("hidden.mail"));
        Assert.Null(touchpoint.Survey);
    }
}
