using System.Text;
using System.Text.Json;
using JourneyHub.Core.Api;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Timeline;
using JourneyHub.UnitTests.Sources;

namespace JourneyHub.UnitTests.Timeline;

/// <summary>
/// The read API writes each row's stored JSON as it is instead of parsing it into a <see cref="Touchpoint"/> and
/// serializing that again. These tests hold the served bytes to what the old round trip produced, for every touchpoint
/// the golden adapter cases make and for values that are easy to write differently (escapes, doubles, offsets).
/// </summary>
public sealed class StoredTouchpointTests
{
    private const string CustomerId = "cus_0195a1b2c3d4e5f6a7b8c9d0";

    [Fact]
    public void A_page_of_stored_json_serializes_to_the_same_bytes_as_the_parsed_touchpoints_did()
    {
        var touchpoints = AdapterGoldenTests.All.Values.SelectMany(normalize => normalize().Touchpoints).Append(Awkward()).ToList();
        Assert.True(touchpoints.Count > 40, $"only {touchpoints.Count} golden touchpoints");

        // What TableTimelineStore.ToEntity stores in the row's Json column.
        var stored = touchpoints.Select(t => JsonSerializer.Serialize(t with { CustomerId = CustomerId }, JourneyJson.Options)).ToList();
        var stages = touchpoints.DistinctBy(t => t.TouchpointId).ToDictionary(t => t.TouchpointId, t => t.Stage ?? JourneyStage.Awareness, StringComparer.Ordinal);

        // Before: each row parsed into a Touchpoint, the page serialized with them.
        var parsed = stored.Select(json => JsonSerializer.Deserialize<Touchpoint>(json, JourneyJson.Options)!).ToList();
        var before = JsonSerializer.SerializeToUtf8Bytes(new ParsedTimelineResponse(CustomerId, parsed, "Y3Vyc29y", "cus_merged") { JourneyStages = stages }, JourneyJson.Options);

        // Now: the stored text written as it is.
        var items = stored.Select((json, i) => new StoredTouchpoint(touchpoints[i].TouchpointId, touchpoints[i].OccurredAt, json)).ToList();
        var now = JsonSerializer.SerializeToUtf8Bytes(new TimelineResponse(CustomerId, items, "Y3Vyc29y", "cus_merged") { JourneyStages = stages }, JourneyJson.Options);

        Assert.Equal(Encoding.UTF8.GetString(before), Encoding.UTF8.GetString(now));
    }

    [Fact]
    public void An_empty_last_page_serializes_as_before()
    {
        var before = JsonSerializer.Serialize(new ParsedTimelineResponse(CustomerId, [], null, null), JourneyJson.Options);
        var now = JsonSerializer.Serialize(new TimelineResponse(CustomerId, [], null, null), JourneyJson.Options);

        Assert.Equal(before, now);
        Assert.Equal($$$"""{"customerId":"{{{CustomerId}}}","items":[],"nextCursor":null,"mergedFrom":null,"journeyStages":{}}""", now);
    }

    [Fact]
    public void A_damaged_row_fails_the_response_instead_of_sending_broken_json()
    {
        var damaged = new StoredTouchpoint("tp_1", DateTimeOffset.UnixEpoch, """{"touchpointId":"tp_1",""");

        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Serialize(new TimelineResponse(CustomerId, [damaged], null, null), JourneyJson.Options));
    }

    [Fact]
    public void A_served_page_reads_back_into_the_same_items_and_touchpoints()
    {
        var touchpoint = Awkward() with { CustomerId = CustomerId };
        var json = JsonSerializer.Serialize(touchpoint, JourneyJson.Options);
        var page = new TimelineResponse(CustomerId, [new StoredTouchpoint(touchpoint.TouchpointId, touchpoint.OccurredAt, json)], null, null);

        var read = JsonSerializer.Deserialize<TimelineResponse>(JsonSerializer.Serialize(page, JourneyJson.Options), JourneyJson.Options)!;

        var item = Assert.Single(read.Items);
        Assert.Equal((touchpoint.TouchpointId, touchpoint.OccurredAt.UtcTicks, json), (item.TouchpointId, item.OccurredAt.UtcTicks, item.Json));
        Assert.Equal(TimeSpan.Zero, item.OccurredAt.Offset);
        Assert.Equal(json, JsonSerializer.Serialize(item.ToTouchpoint(), JourneyJson.Options));
    }

    [Theory]
    [InlineData("2025-03-14T14:21:58.3051234+02:00", "tp_hubspot_123")]
    [InlineData("0001-01-01T00:00:00Z", "tp_with_underscores_in_it")]
    [InlineData("9999-12-31T23:59:59.9999999Z", "x")]
    public void A_row_key_gives_back_the_time_and_id_it_was_made_from(string occurredAt, string touchpointId)
    {
        var at = DateTimeOffset.Parse(occurredAt, System.Globalization.CultureInfo.InvariantCulture);

        var (parsedAt, parsedId) = TimelineKeys.Parse(TimelineKeys.RowKey(at, touchpointId));

        Assert.Equal((at.UtcTicks, touchpointId, TimeSpan.Zero), (parsedAt.UtcTicks, parsedId, parsedAt.Offset));
    }

    [Theory]
    [InlineData("~journey")]
    [InlineData("~receipt_tp_1")]
    [InlineData("2521370303480000000")]
    [InlineData("2521370303480000000_")]
    [InlineData("25213703034800000x0_tp")]
    [InlineData("9999999999999999999_tp")]
    public void Anything_but_a_timeline_row_key_is_refused(string rowKey)
    {
        Assert.Throws<FormatException>(() => TimelineKeys.Parse(rowKey));
    }

    /// <summary>Values a serializer could write in more than one way: escapes, non-ASCII, doubles, an offset, ticks.</summary>
    private static Touchpoint Awkward() => new()
    {
        TouchpointId = "tp_custom_awkward",
        Source = "custom:shop",
        SourceEventId = "evt \"1\" <b>&amp;</b>",
        OccurredAt = new DateTimeOffset(2025, 3, 14, 16, 21, 58, TimeSpan.FromHours(2)).AddTicks(3_051_234),
        OccurredAtIsReceiptTime = true,
        ReceivedAt = new DateTimeOffset(2025, 3, 14, 14, 22, 0, TimeSpan.Zero),
        Channel = Channel.InStore,
        Kind = TouchpointKind.Indirect,
        Stage = null,
        Action = "review.created",
        Summary = "Ünïcödé 👍, a tab\there, a line\nbreak, a backslash \\ and it's </script>",
        Sentiment = Sentiment.FromScore(-0.3333333),
        Rating = new Rating(4, 5),
        Survey = new SurveyAnswer(SurveyType.Nps, 0.1 + 0.2, null),
        Identities = [new Identity("email", "jane.doe@example.com"), new Identity("custom:loyalty", "L-9")],
        Attributes = new Dictionary<string, string> { ["z"] = "last written first", ["a"] = "\u0001control", ["amount"] = "129.50" },
        RawRef = "raw/custom/2025/03/14/abc.json",
    };

    /// <summary>The page as it was before: the same record with parsed touchpoints as items.</summary>
    private sealed record ParsedTimelineResponse(string CustomerId, IReadOnlyList<Touchpoint> Items, string? NextCursor, string? MergedFrom)
    {
        public IReadOnlyDictionary<string, JourneyStage> JourneyStages { get; init; } = new Dictionary<string, JourneyStage>(StringComparer.Ordinal);
    }
}
