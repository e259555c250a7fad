using System.Text;
using System.Text.Json;
using JourneyHub.Core.Sources.Custom;

namespace JourneyHub.UnitTests.Sources.Custom;

/// <summary>
/// The hand reader of Standard Webhooks bodies either reads exactly what the serializer reads (every field, the attribute
/// texts in the adapter's order) or gives the body to the serializer: it never reads a body differently.
/// </summary>
public sealed class CustomEventReaderTests
{
    private const string Person = "\"person\":{\"email\":\"a@example.com\",\"phone\":\"+46701234567\"}";

    public static TheoryData<string, bool> Bodies => new()
    {
        { """{"type":"touchpoint.created","timestamp":"2025-03-14T14:22:05.412Z","data":{"sourceSystem":"pos","externalId":"x1","channel":"in_store","occurredAt":"2025-03-14T14:21:50Z",""" + Person + ""","attributes":{"s":"a\u00e9","n":129.50,"t":true,"f":false,"o":{"a": [1, 2]},"l":[ "x" ]}}}""", true },
        { """{"data":{"survey":{"type":"nps","score":9,"comment":"Great"},"rating":{"value":4,"scale":5},""" + Person + ""","extra":{"deep":[{"a":null}]}},"type":"touchpoint.created","more":1}""", true },
        { """{"type":"touchpoint.created","data":{"person":{"externalIds":{"hubspot":"7","crm":["a"]},"id":null},"action":null,"stage":"decision","summary":"Hi"}}""", true },
        { """{"type":"touchpoint.created","data":null}""", true },
        { """{"type":"touchpoint.created","timestamp":null,"data":{"attributes":null,"person":null,"survey":null,"rating":null}}""", true },
        { """  {"type":"touchpoint.created"}  """, true },
        { """{"type":"touch\u0070oint.created","d\u0061ta":{"ext\u0065rnalId":"e\"1"}}""", true },
        // Given to the serializer.
        { """{"type":"touchpoint.created","type":"other"}""", false },
        { """{"type":7}""", false },
        { """{"type":"touchpoint.created","data":{"rating":{"value":"4"}}}""", false },
        { """{"type":"touchpoint.created","data":{"rating":{"value":4.5}}}""", false },
        { """{"type":"touchpoint.created","data":{"survey":{"score":"9"}}}""", false },
        { """{"type":"touchpoint.created","data":{"occurredAt":"yesterday"}}""", false },
        { """{"type":"touchpoint.created","data":{"attributes":{"a":1,"a":2}}}""", false },
        { """{"type":"touchpoint.created","data":{"attributes":{"a":null}}}""", false },
        { """{"type":"touchpoint.created","data":{"attributes":{"":1}}}""", false },
        { """{"type":"touchpoint.created","data":{"attributes":[]}}""", false },
        { """{"type":"touchpoint.created"} {}""", false },
        { """{"type":"touchpoint.created",}""", false },
        { """{"type":"touchpoint.created" /* c */}""", false },
        { """[]""", false },
        { """null""", false },
        { """{"type":"touchpoint.created","data":{"sourceSystem":"a""", false },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Reads_a_body_as_the_serializer_does_or_leaves_it_to_the_serializer(string json, bool readByHand)
    {
        var body = Encoding.UTF8.GetBytes(json);

        var read = CustomEventReader.TryRead(body, out var value, out var attributes);

        Assert.Equal(readByHand, read);
        if (!read)
        {
            Assert.Null(value);
            Assert.Null(attributes);
            return;
        }

        var expected = JsonSerializer.Deserialize(body, CustomJsonContext.Default.CustomEvent)!;
        Assert.Equal(Describe(expected, AttributeTexts(expected.Data?.Attributes)), Describe(value!, attributes?.Select(a => $"{a.Key}={a.Value}") ?? []));
    }

    [Theory]
    [InlineData("custom/standard-webhooks-custom-source.json")]
    [InlineData("custom/custom-nps-survey.json")]
    public void Reads_the_documented_events_by_hand(string fixture)
    {
        var body = Fixture.Bytes(fixture);

        Assert.True(CustomEventReader.TryRead(body, out var value, out var attributes));
        var expected = JsonSerializer.Deserialize(body, CustomJsonContext.Default.CustomEvent)!;
        Assert.Equal(Describe(expected, AttributeTexts(expected.Data?.Attributes)), Describe(value!, attributes?.Select(a => $"{a.Key}={a.Value}") ?? []));
    }

    /// <summary>The adapter's rule for the serializer's attributes: strings, raw JSON of numbers, objects and arrays, true/false.</summary>
    private static IEnumerable<string> AttributeTexts(Dictionary<string, JsonElement>? attributes) =>
        (attributes ?? []).Select(a => $"{a.Key}=" + a.Value.ValueKind switch
        {
            JsonValueKind.String => a.Value.GetString(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => a.Value.GetRawText(),
        });

    private static string Describe(CustomEvent e, IEnumerable<string> attributes) =>
        $"{e.Type}|{e.Timestamp:O}|{e.Data is null}|{e.Data?.SourceSystem}|{e.Data?.ExternalId}|{e.Data?.Channel}|{e.Data?.OccurredAt:O}|{e.Data?.Action}|{e.Data?.Stage}|{e.Data?.Summary}"
        + $"|{e.Data?.Person is null}|{e.Data?.Person?.Id}|{e.Data?.Person?.Email}|{e.Data?.Person?.Phone}|{e.Data?.Person?.ExternalIds?.GetRawText()}"
        + $"|{e.Data?.Survey is null}|{e.Data?.Survey?.Type}|{e.Data?.Survey?.Score}|{e.Data?.Survey?.Comment}|{e.Data?.Rating is null}|{e.Data?.Rating?.Value}|{e.Data?.Rating?.Scale}"
        + $"|{string.Join(",", attributes)}";
}
