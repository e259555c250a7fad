using System.Text;
using System.Text.Json;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Signatures;
using JourneyHub.Core.Sources.HubSpot;
using static JourneyHub.UnitTests.Sources.SourceTestKit;

namespace JourneyHub.UnitTests.Sources.HubSpot;

/// <summary>Generic <c>object.*</c> subscriptions: pending touchpoints from the webhook, real ones once the object is read.</summary>
public sealed class HubSpotGenericObjectTests
{
    private static readonly HubSpotAdapter Adapter = new();

    [Fact]
    public void The_generic_batch_is_signed_as_HubSpot_signs()
    {
        var headers = Headers("hubspot/hubspot-webhook-generic-objects.headers.json");
        var body = Fixture.Bytes("hubspot/hubspot-webhook-generic-objects.json");

        Assert.Equal(
            headers.Headers["X-HubSpot-Signature-v3"],
            HubSpotSignature.ComputeV3Base64(headers.Strings["testClientSecret"], "POST", headers.Strings["url"], body, headers.Headers["X-HubSpot-Request-Timestamp"]));
    }

    [Fact]
    public void Engagement_events_wait_for_their_object_contacts_mean_what_they_always_meant_and_deletions_are_dead_letters()
    {
        var result = Normalize();

        Assert.Equal(5, result.Touchpoints.Count);
        var pending = result.Touchpoints.Take(4).ToList();
        Assert.All(pending, t => Assert.True(HubSpotObjects.IsPending(t)));
        Assert.All(pending, t => Assert.Empty(t.Identities));
        Assert.Equal(["calls", "meetings", "feedback_submissions", "tickets"], pending.Select(t => t.Attributes[HubSpotObjects.PendingAttribute]).ToArray());
        Assert.Equal(["3811270011-69021458830", "3811270034-69021460112", "3811270057-72210004418", "3811270081-30118842211"], pending.Select(t => t.SourceEventId).ToArray());
        Assert.Equal("hs_meeting_outcome", pending[1].Attributes["propertyName"]);
        Assert.Equal("COMPLETED", pending[1].Attributes["propertyValue"]);

        // 0-1 is a contact: the generic creation is the legacy contact.creation.
        var contact = result.Touchpoints[4];
        Assert.Equal("contact.created", contact.Action);
        Assert.Equal(Channel.Web, contact.Channel);
        Assert.Equal(JourneyStage.Awareness, contact.Stage);
        Assert.Equal("hubspot:81273645099", Ids(contact));

        var deletion = Assert.Single(result.Rejected);
        Assert.Equal(5, deletion.EntryIndex);
        Assert.Contains("'object.deletion' of calls is not read", deletion.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("object.propertyChange", "0-3", "dealstage", "closedwon", "deal.won")]
    [InlineData("object.propertyChange", "0-1", "lifecyclestage", "customer", "lifecycle.changed")]
    [InlineData("object.creation", "0-3", null, null, "deal.created")]
    public void Generic_contact_and_deal_events_are_their_legacy_events(string subscriptionType, string typeId, string? property, string? value, string action)
    {
        var json = JsonSerializer.Serialize(new[] { new { eventId = 7, occurredAt = 1741965012118, subscriptionType, objectTypeId = typeId, objectId = 19283746501, propertyName = property, propertyValue = value } });
        var touchpoint = Assert.Single(Adapter.Normalize(Raw("hubspot", Encoding.UTF8.GetBytes(json))).Touchpoints);
        Assert.Equal(action, touchpoint.Action);
    }

    [Fact]
    public void An_unknown_object_type_is_a_dead_letter_naming_the_types_read()
    {
        var json = """[{"eventId":7,"occurredAt":1741965012118,"subscriptionType":"object.creation","objectTypeId":"0-7","objectId":5}]""";
        var rejected = Assert.Single(Adapter.Normalize(Raw("hubspot", Encoding.UTF8.GetBytes(json))).Rejected);
        Assert.Contains("objectTypeId '0-7' is not read", rejected.Reason, StringComparison.Ordinal);
        Assert.Contains("0-48 calls", rejected.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_created_call_becomes_the_callers_touchpoint_with_its_outcome_keyed_like_the_pull()
    {
        var call = Assert.Single(Resolve(0, "hubspot/hubspot-crm-call.json"));

        Assert.Equal("calls:69021458830:81273645012", call.SourceEventId);
        Assert.Equal("call.logged", call.Action);
        Assert.Equal(Channel.Phone, call.Channel);
        Assert.Equal("connected", call.Attributes["outcome"]);
        Assert.Equal("Call logged in HubSpot: Onboarding follow-up (connected)", call.Summary);
        Assert.Equal("hubspot:81273645012", Ids(call));
        Assert.Equal(new DateTimeOffset(2025, 3, 14, 15, 9, 47, TimeSpan.Zero), call.OccurredAt);
    }

    [Fact]
    public void A_meeting_outcome_change_is_its_own_fact()
    {
        var meeting = Assert.Single(Resolve(1, "hubspot/hubspot-crm-meeting.json"));

        Assert.Equal("meeting.completed", meeting.Action);
        Assert.Equal("meetings:69021460112:81273645012:3811270034", meeting.SourceEventId);
        Assert.Equal(Channel.Meeting, meeting.Channel);
        Assert.Equal(JourneyStage.Consideration, meeting.Stage);
        Assert.Equal("COMPLETED", meeting.Attributes["outcome"]);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1741965013402), meeting.OccurredAt);
    }

    [Fact]
    public void A_feedback_submission_is_an_nps_answer_in_retention()
    {
        var answer = Assert.Single(Resolve(2, "hubspot/hubspot-crm-feedback-submission.json"));

        Assert.Equal("survey.answered", answer.Action);
        Assert.Equal(Channel.Survey, answer.Channel);
        Assert.Equal(JourneyStage.Retention, answer.Stage);
        Assert.Equal(new SurveyAnswer(SurveyType.Nps, 9, "Onboarding was smooth, the kickoff call helped a lot."), answer.Survey);
        Assert.Equal(SentimentLabel.Positive, answer.Sentiment?.Label);
        Assert.Equal("Onboarding NPS (Q1)", answer.Attributes["surveyName"]);
    }

    [Fact]
    public void A_ticket_with_two_contacts_is_one_support_touchpoint_each()
    {
        var tickets = Resolve(3, "hubspot/hubspot-crm-ticket.json");

        Assert.Equal(["hubspot:81273645012", "hubspot:80455566677"], tickets.Select(Ids).ToArray());
        Assert.All(tickets, t => Assert.Equal(("ticket.created", Channel.Email, (JourneyStage?)JourneyStage.Retention), (t.Action, t.Channel, t.Stage)));
        Assert.Equal("Support ticket opened in HubSpot: Invoice shows the wrong VAT number", tickets[0].Summary);
        Assert.NotEqual(tickets[0].TouchpointId, tickets[1].TouchpointId);
    }

    [Theory]
    [InlineData("9d9162e7-6cf3-4944-bf63-4dff82258764", "call.not_connected", "busy")]
    [InlineData("f240bbac-87c9-4f6e-bf70-924b57d47db7", "call.connected", "connected")]
    [InlineData("17b47fee-58de-441e-a44c-c6300d46f273", "call.not_connected", "wrong number")]
    [InlineData("0f1e2d3c-portal-own-outcome", "call.not_connected", "0f1e2d3c-portal-own-outcome")]
    public void A_call_outcome_change_names_the_outcome(string disposition, string action, string outcome)
    {
        var json = $$"""[{"eventId":9,"occurredAt":1741965012118,"subscriptionType":"object.propertyChange","objectTypeId":"0-48","objectId":69021458830,"propertyName":"hs_call_disposition","propertyValue":"{{disposition}}"}]""";
        var pending = Assert.Single(Adapter.Normalize(Raw("hubspot", Encoding.UTF8.GetBytes(json))).Touchpoints);
        using var call = JsonDocument.Parse(Fixture.Text("hubspot/hubspot-crm-call.json"));

        var touchpoint = Assert.Single(HubSpotObjects.Resolve(pending, call.RootElement)).Touchpoint!;
        Assert.Equal(action, touchpoint.Action);
        Assert.Equal(outcome, touchpoint.Attributes["outcome"]);
    }

    [Fact]
    public void An_object_without_contacts_or_with_an_invalid_answer_stays_unresolved_with_the_reason()
    {
        var pending = Normalize().Touchpoints[2];
        using var noContacts = JsonDocument.Parse("""{"id":"72210004418","properties":{"hs_survey_type":"NPS","hs_value":"9","hs_timestamp":"2025-03-14T15:23:34.970Z"}}""");
        using var invalid = JsonDocument.Parse("""{"id":"72210004418","properties":{"hs_survey_type":"NPS","hs_value":"11","hs_timestamp":"2025-03-14T15:23:34.970Z"},"associations":{"contacts":{"results":[{"id":"1"}]}}}""");

        Assert.Contains("no associated contact", Assert.Single(HubSpotObjects.Resolve(pending, noContacts.RootElement)).Error, StringComparison.Ordinal);
        Assert.Contains("not a valid NPS, CSAT or CES answer", Assert.Single(HubSpotObjects.Resolve(pending, invalid.RootElement)).Error, StringComparison.Ordinal);
    }

    private static NormalizationResult Normalize() => Adapter.Normalize(RawFixture("hubspot", "hubspot/hubspot-webhook-generic-objects.json"));

    private static List<Touchpoint> Resolve(int index, string objectFixture)
    {
        var pending = Normalize().Touchpoints[index];
        using var crmObject = JsonDocument.Parse(Fixture.Text(objectFixture));
        var outcomes = HubSpotObjects.Resolve(pending, crmObject.RootElement);
        Assert.All(outcomes, o => Assert.Null(o.Error));
        return [.. outcomes.Select(o => o.Touchpoint!)];
    }
}
