using System.Collections.Immutable;
using System.Text;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources.HubSpot;

namespace JourneyHub.UnitTests.Sources.HubSpot;

public sealed class HubSpotAdapterTests
{
    private static readonly HubSpotAdapter Adapter = new();

    public static TheoryData<int, string, string, Channel, JourneyStage?, string> GoldenBatch => new()
    {
        // index, sourceEventId, action, channel, stage, identities
        { 0, "2841953117-81273645012", "contact.created", Channel.Web, JourneyStage.Awareness, "hubspot:81273645012" },
        { 1, "2841953204-81273645012", "lifecycle.changed", Channel.Crm, JourneyStage.Consideration, "hubspot:81273645012" },
        { 2, "1307662981-19283746501", "deal.created", Channel.Crm, JourneyStage.Consideration, "hubspot-deal:19283746501" },
        { 3, "3390017520-81273645012", "association.added", Channel.Crm, null, "hubspot:81273645012 hubspot-deal:19283746501" },
        { 4, "2841960033-81273645012", "contact.merged", Channel.Crm, null, "hubspot:81273645012 hubspot:80911223344" },
        { 5, "2841960451-80455566677", "contact.updated", Channel.Crm, null, "hubspot:80455566677 email:j.okonkwo@example.org" },
    };

    [Theory]
    [MemberData(nameof(GoldenBatch))]
    public void Each_event_of_the_golden_batch_becomes_the_expected_touchpoint(int index, string sourceEventId, string action, Channel channel, JourneyStage? stage, string identities)
    {
        var result = Adapter.Normalize(Payload(Fixture.Bytes("hubspot/hubspot-webhook-batch.json")));

        Assert.Empty(result.Rejected);
        Assert.Equal(6, result.Touchpoints.Count);
        var touchpoint = result.Touchpoints[index];
        Assert.Equal("hubspot", touchpoint.Source);
        Assert.Equal(sourceEventId, touchpoint.SourceEventId);
        Assert.Equal(TouchpointIds.For("hubspot", sourceEventId), touchpoint.TouchpointId);
        Assert.Equal(action, touchpoint.Action);
        Assert.Equal(channel, touchpoint.Channel);
        Assert.Equal(TouchpointKind.Direct, touchpoint.Kind);
        Assert.Equal(stage, touchpoint.Stage);
        Assert.Equal(identities, string.Join(' ', touchpoint.Identities.Select(i => i.ToString())));
        Assert.Equal(1, touchpoint.SchemaVersion);
    }

    [Fact]
    public void Occurrence_time_comes_from_the_event_not_from_the_delivery()
    {
        var result = Adapter.Normalize(Payload(Fixture.Bytes("hubspot/hubspot-webhook-batch.json")));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1741962118305), result.Touchpoints[0].OccurredAt);
    }

    [Theory]
    [InlineData("closedwon", "deal.won", JourneyStage.Decision)]
    [InlineData("closedlost", "deal.lost", null)]
    [InlineData("presentationscheduled", "deal.stage_changed", JourneyStage.Consideration)]
    public void Deal_stage_changes_map_to_outcomes(string dealStage, string action, JourneyStage? stage)
    {
        var json = $$"""[{"eventId":9,"occurredAt":1741962118305,"subscriptionType":"deal.propertyChange","objectId":19283746501,"propertyName":"dealstage","propertyValue":"{{dealStage}}"}]""";
        var touchpoint = Assert.Single(Adapter.Normalize(Payload(Encoding.UTF8.GetBytes(json))).Touchpoints);
        Assert.Equal(action, touchpoint.Action);
        Assert.Equal(stage, touchpoint.Stage);
    }

    [Theory]
    [InlineData("subscriber", JourneyStage.Awareness)]
    [InlineData("lead", JourneyStage.Awareness)]
    [InlineData("salesqualifiedlead", JourneyStage.Consideration)]
    [InlineData("opportunity", JourneyStage.Consideration)]
    [InlineData("customer", JourneyStage.Decision)]
    [InlineData("evangelist", JourneyStage.Retention)]
    [InlineData("other", null)]
    public void Lifecycle_stages_map_through_the_rules_table(string lifecycle, JourneyStage? stage)
    {
        var json = $$"""[{"eventId":9,"occurredAt":1741962118305,"subscriptionType":"contact.propertyChange","objectId":5,"propertyName":"lifecyclestage","propertyValue":"{{lifecycle}}"}]""";
        Assert.Equal(stage, Assert.Single(Adapter.Normalize(Payload(Encoding.UTF8.GetBytes(json))).Touchpoints).Stage);
    }

    [Fact]
    public void A_deletion_and_a_form_signup_are_understood()
    {
        var json = """
            [{"eventId":1,"occurredAt":1741962118305,"subscriptionType":"contact.deletion","objectId":5},
             {"eventId":2,"occurredAt":1741962118305,"subscriptionType":"contact.creation","objectId":6,"changeSource":"FORM"}]
            """;
        var result = Adapter.Normalize(Payload(Encoding.UTF8.GetBytes(json)));
        Assert.Equal("contact.deleted", result.Touchpoints[0].Action);
        Assert.Equal(Channel.Web, result.Touchpoints[1].Channel);
        Assert.Equal("Signed up through a HubSpot form", result.Touchpoints[1].Summary);
    }

    [Fact]
    public void One_unknown_event_is_rejected_with_a_reason_and_the_rest_are_kept()
    {
        var json = """
            [{"eventId":1,"occurredAt":1741962118305,"subscriptionType":"contact.creation","objectId":5},
             {"eventId":2,"occurredAt":1741962118305,"subscriptionType":"ticket.creation","objectId":6},
             {"eventId":3,"subscriptionType":"contact.creation","objectId":7}]
            """;
        var result = Adapter.Normalize(Payload(Encoding.UTF8.GetBytes(json)));
        Assert.Single(result.Touchpoints);
        Assert.Equal([1, 2], result.Rejected.Select(r => r.EntryIndex!.Value).ToArray());
        Assert.Contains("unknown subscriptionType 'ticket.creation'", result.Rejected[0].Reason, StringComparison.Ordinal);
        Assert.Contains("occurredAt", result.Rejected[1].Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"eventId\":1}")]
    [InlineData("null")]
    public void A_body_that_is_not_an_array_of_events_is_rejected_whole(string body)
    {
        var result = Adapter.Normalize(Payload(Encoding.UTF8.GetBytes(body)));
        Assert.Empty(result.Touchpoints);
        Assert.Null(Assert.Single(result.Rejected).EntryIndex);
    }

    private static RawPayload Payload(byte[] body) =>
        new("hubspot", "hubspot/test.json", body, DateTimeOffset.UtcNow, "corr", ImmutableDictionary<string, string>.Empty);
}
