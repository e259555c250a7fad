using System.Text.Json;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Timeline;

namespace JourneyHub.UnitTests.Schema;

public sealed class CoreRulesTests
{
    [Theory]
    [InlineData("email", "  Jane.Doe@Example.COM ", "jane.doe@example.com")]
    [InlineData("phone", "+46 70 123 45 67", "+46701234567")]
    [InlineData("phone", "0046 (70) 123-4567", "+46701234567")]
    [InlineData("hubspot", " 81273645012 ", "81273645012")]
    [InlineData("custom:pos", "C-17", "C-17")]
    public void Identities_are_normalized_the_same_way_everywhere(string type, string value, string expected)
    {
        Assert.Equal(expected, Identity.Create(type, value)!.Value);
    }

    [Theory]
    [InlineData("email", "")]
    [InlineData("email", "null")]
    [InlineData("email", "undefined")]
    [InlineData("email", "anonymous")]
    [InlineData("email", "not-an-email")]
    [InlineData("email", "a@b@c")]
    [InlineData("phone", "12345")]
    public void Unusable_values_give_no_identity(string type, string value)
    {
        Assert.Null(Identity.Create(type, value));
    }

    [Theory]
    [InlineData("email:Jane@Example.com", "email", "jane@example.com")]
    [InlineData("custom:contoso-pos:C:17", "custom:contoso-pos", "C:17")]
    [InlineData("hubspot:123", "hubspot", "123")]
    public void Lookup_identities_parse_type_and_value(string text, string type, string value)
    {
        var identity = IdentityNormalizer.Parse(text)!;
        Assert.Equal(type, identity.Type);
        Assert.Equal(value, identity.Value);
    }

    [Theory]
    [InlineData("shoe:42")]
    [InlineData("email")]
    [InlineData(":x")]
    [InlineData("")]
    public void Unknown_or_incomplete_lookup_identities_are_refused(string text)
    {
        Assert.Null(IdentityNormalizer.Parse(text));
    }

    [Fact]
    public void Touchpoint_ids_are_stable_per_source_event_and_differ_across_sources()
    {
        Assert.Equal(TouchpointIds.For("hubspot", "1-2"), TouchpointIds.For("hubspot", "1-2"));
        Assert.NotEqual(TouchpointIds.For("hubspot", "1-2"), TouchpointIds.For("salesforce", "1-2"));
        Assert.Matches("^tp_[0-9a-f]{24}$", TouchpointIds.For("hubspot", "1-2"));
    }

    [Fact]
    public void Customer_ids_sort_by_creation_time()
    {
        var older = TouchpointIds.NewCustomerId(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var newer = TouchpointIds.NewCustomerId(new DateTimeOffset(2025, 1, 2, 0, 0, 0, TimeSpan.Zero));
        Assert.True(string.CompareOrdinal(older, newer) < 0);
    }

    [Fact]
    public void Row_keys_sort_newest_first()
    {
        var early = TimelineKeys.RowKey(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), "tp_b");
        var late = TimelineKeys.RowKey(new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero), "tp_a");
        Assert.True(string.CompareOrdinal(late, early) < 0);
    }

    [Fact]
    public void Cursors_round_trip_and_refuse_foreign_text()
    {
        var rowKey = TimelineKeys.RowKey(DateTimeOffset.UtcNow, "tp_0123");
        Assert.Equal(rowKey, Cursor.Decode(Cursor.Encode(rowKey)));
        Assert.Throws<FormatException>(() => Cursor.Decode("bm9wZQ"));
        Assert.Throws<FormatException>(() => Cursor.Decode("%%%"));
    }

    [Fact]
    public void The_journey_state_is_the_same_whatever_order_touchpoints_arrive_in()
    {
        var start = new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var touchpoints = new[]
        {
            Make(start, JourneyStage.Awareness, Channel.Web, null, null),
            Make(start.AddDays(3), JourneyStage.Consideration, Channel.Email, 0.5, null),
            Make(start.AddDays(10), JourneyStage.Decision, Channel.InStore, null, null),
            Make(start.AddDays(40), JourneyStage.Retention, Channel.Survey, 0.8, new SurveyAnswer(SurveyType.Nps, 9, null)),
            Make(start.AddDays(20), JourneyStage.Retention, Channel.Review, -0.5, new SurveyAnswer(SurveyType.Nps, 3, null)),
        };

        var inOrder = touchpoints.OrderBy(t => t.OccurredAt).Aggregate(new JourneyState(), (s, t) => s.Apply(t));
        var reversed = touchpoints.OrderByDescending(t => t.OccurredAt).Aggregate(new JourneyState(), (s, t) => s.Apply(t));

        Assert.Equal(Canonical(inOrder), Canonical(reversed));
        Assert.Equal(JourneyStage.Retention, inOrder.CurrentStage);
        Assert.Equal(9, inOrder.LatestNps!.Score);
        Assert.Equal(start.AddDays(10), inOrder.Stages[JourneyStage.Decision].First);
    }

    [Fact]
    public void The_journey_summary_reports_conversion_and_time_to_convert()
    {
        var start = new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var state = new[] { Make(start, JourneyStage.Awareness, Channel.Web, null, null), Make(start.AddDays(4.5), JourneyStage.Decision, Channel.InStore, null, null) }
            .Aggregate(new JourneyState(), (s, t) => s.Apply(t));
        var summary = JourneySummary.From(new Core.Ports.CustomerRecord { CustomerId = "cus_1", CreatedAt = start, Journey = state }, start.AddDays(5));

        Assert.True(summary.Converted);
        Assert.Equal(4.5, summary.DaysToConvert);
        Assert.Equal(1, summary.ByChannel["in_store"]);
    }

    [Fact]
    public void Touchpoints_serialize_with_the_contract_field_names_and_utc_times()
    {
        var json = JsonSerializer.Serialize(Make(new DateTimeOffset(2025, 3, 14, 15, 21, 58, 305, TimeSpan.FromHours(1)), JourneyStage.Decision, Channel.InStore, null, null), JourneyJson.Options);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal("2025-03-14T14:21:58.305Z", root.GetProperty("occurredAt").GetString());
        Assert.Equal("in_store", root.GetProperty("channel").GetString());
        Assert.Equal("direct", root.GetProperty("kind").GetString());
        Assert.Equal("decision", root.GetProperty("stage").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("rating").ValueKind);
        Assert.Equal(1, root.GetProperty("schemaVersion").GetInt32());
    }

    /// <summary>JSON with object keys sorted, so dictionaries compare by content, not insertion order.</summary>
    private static string Canonical(JourneyState state)
    {
        static System.Text.Json.Nodes.JsonNode? Sort(System.Text.Json.Nodes.JsonNode? node) => node switch
        {
            System.Text.Json.Nodes.JsonObject o => new System.Text.Json.Nodes.JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sort(p.Value?.DeepClone())))),
            System.Text.Json.Nodes.JsonArray a => new System.Text.Json.Nodes.JsonArray(a.Select(e => Sort(e?.DeepClone())).ToArray()),
            _ => node?.DeepClone(),
        };
        return Sort(System.Text.Json.Nodes.JsonNode.Parse(JsonSerializer.Serialize(state, JourneyJson.Options)))!.ToJsonString();
    }

    private static Touchpoint Make(DateTimeOffset at, JourneyStage stage, Channel channel, double? sentiment, SurveyAnswer? survey) => new()
    {
        TouchpointId = TouchpointIds.For("test", at.ToString("O")),
        Source = "test",
        SourceEventId = at.ToString("O"),
        OccurredAt = at,
        Channel = channel,
        Kind = JourneyRules.KindFor(channel),
        Stage = stage,
        Action = "test.event",
        Summary = "test",
        Sentiment = sentiment is { } s ? Sentiment.FromScore(s) : null,
        Survey = survey,
    };
}
