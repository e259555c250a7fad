using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using System.Xml.Linq;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Processing;
using JourneyHub.Core.Schema;
using JourneyHub.UnitTests.Sources;

namespace JourneyHub.UnitTests.Ingestion;

/// <summary>
/// The worst values a sender controls, per source: every string of every golden payload (JSON and XML) inflated, once just
/// under the identity limit (identities stay valid, everything else is long) and once far beyond every limit. Each
/// adapter must still answer (touchpoints or rejected entries, never an exception), and what the processor stores after
/// <see cref="TouchpointBounds"/> must fit a table property.
/// </summary>
public sealed class TouchpointBoundsTests
{
    // One table string property holds 64 KiB, i.e. 32,768 UTF-16 characters; the stored row is the touchpoint's JSON.
    private const int TablePropertyChars = 32_768;

    // Free text (anything with a space: messages, reviews, comments, names) grows by 100,000 characters, words without
    // a space (ids, e-mails, types) by 400: identities stay valid, so the adapters keep their touchpoints and the bounds
    // have real work to do.
    private const int Mixed = -1;

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var name in AdapterGoldenTests.All.Keys)
        {
            data.Add(name, 400);
            data.Add(name, 100_000);
            data.Add(name, Mixed);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_source_given_its_worst_values_yields_touchpoints_within_bounds_or_rejected_entries(string name, int inflateBy)
    {
        SourceTestKit.FixtureTransform = (fixture, body) => Inflate(fixture, body, inflateBy);
        try
        {
            var result = AdapterGoldenTests.All[name]();
            foreach (var touchpoint in result.Touchpoints)
            {
                var stored = TouchpointBounds.Apply(touchpoint with { Attributes = new Dictionary<string, string>(touchpoint.Attributes) { [TouchpointBounds.CorrelationIdAttribute] = "corr-1" } });
                AssertWithinBounds(stored);
                Assert.Equal("corr-1", stored.Attributes[TouchpointBounds.CorrelationIdAttribute]);
                Assert.Equal(touchpoint.TouchpointId, stored.TouchpointId);
                var json = JsonSerializer.Serialize(stored, JourneyJson.Options);
                Assert.True(json.Length < TablePropertyChars, $"{name}: a stored touchpoint of {json.Length} characters");
            }

            Assert.All(result.Rejected, r => Assert.False(string.IsNullOrWhiteSpace(r.Reason)));
        }
        finally
        {
            SourceTestKit.FixtureTransform = null;
        }
    }

    [Fact]
    public void Inflated_payloads_with_valid_identities_still_give_touchpoints_and_the_bounds_cut_some()
    {
        // Guards the theory above against passing vacuously (every entry rejected, nothing to bound).
        SourceTestKit.FixtureTransform = (fixture, body) => Inflate(fixture, body, Mixed);
        try
        {
            var touchpoints = AdapterGoldenTests.All.Values.SelectMany(normalize => normalize().Touchpoints).ToList();
            Assert.True(touchpoints.Count >= 30, $"only {touchpoints.Count} touchpoints from the inflated payloads");
            var cut = touchpoints.Count(t => !ReferenceEquals(t, TouchpointBounds.Apply(t)));
            // Most adapters clip their free text themselves; the custom source and long attribute values reach the bounds.
            Assert.True(cut >= 3, $"cut {cut} of {touchpoints.Count}");
            Assert.Contains(touchpoints, t => t.Summary.Length > TouchpointBounds.MaxSummaryChars || t.Attributes.Values.Any(v => v.Length > 400));
        }
        finally
        {
            SourceTestKit.FixtureTransform = null;
        }
    }

    [Fact]
    public void A_touchpoint_past_every_bound_is_cut_as_documented_and_one_within_them_is_left_alone()
    {
        var attributes = Enumerable.Range(0, 500).ToDictionary(i => $"attribute-{i:000}", i => new string('v', 5_000));
        attributes[new string('n', 200)] = "a name too long to be a key";
        var huge = new Touchpoint
        {
            TouchpointId = TouchpointIds.For("custom:shop", "e-1"),
            Source = "custom:shop",
            SourceEventId = new string('e', 10_000),
            OccurredAt = DateTimeOffset.UnixEpoch,
            Channel = Channel.Web,
            Kind = TouchpointKind.Direct,
            Action = new string('a', 5_000),
            Summary = new string('s', 5_000),
            Survey = new SurveyAnswer(SurveyType.Nps, 9, new string('c', 50_000)),
            Identities = [.. Enumerable.Range(0, 60).Select(i => new Identity("custom:shop", $"id-{i}")), new Identity("email", new string('x', 600) + "@example.com")],
            Attributes = attributes,
        };

        var bounded = TouchpointBounds.Apply(huge);

        Assert.Equal(TouchpointBounds.MaxActionChars, bounded.Action.Length);
        Assert.EndsWith("…", bounded.Action, StringComparison.Ordinal);
        Assert.Equal(TouchpointBounds.MaxSummaryChars, bounded.Summary.Length);
        Assert.Equal(TouchpointBounds.MaxSourceEventIdChars, bounded.SourceEventId.Length);
        Assert.Equal(TouchpointBounds.MaxCommentChars, bounded.Survey!.Comment!.Length);
        Assert.Equal(Enumerable.Range(0, TouchpointBounds.MaxIdentities).Select(i => $"id-{i}"), bounded.Identities.Select(i => i.Value));
        Assert.Equal(["attribute-000", "attribute-001", "attribute-002", "attribute-003", "attribute-004", "attribute-005", "attribute-006"], bounded.Attributes.Keys);
        Assert.All(bounded.Attributes.Values, v => Assert.Equal(TouchpointBounds.MaxAttributeValueChars, v.Length));
        Assert.Equal(huge.TouchpointId, bounded.TouchpointId);

        var ordinary = huge with
        {
            SourceEventId = "e-1",
            Action = "order.placed",
            Summary = "Order #1042",
            Survey = null,
            Identities = [new Identity("email", "a@example.com")],
            Attributes = new Dictionary<string, string> { ["amount"] = "398.00" },
        };
        Assert.Same(ordinary, TouchpointBounds.Apply(ordinary));
    }

    private static void AssertWithinBounds(Touchpoint touchpoint)
    {
        Assert.InRange(touchpoint.Action.Length, 0, TouchpointBounds.MaxActionChars);
        Assert.InRange(touchpoint.Summary.Length, 0, TouchpointBounds.MaxSummaryChars);
        Assert.InRange(touchpoint.SourceEventId.Length, 0, TouchpointBounds.MaxSourceEventIdChars);
        Assert.InRange(touchpoint.Identities.Count, 0, TouchpointBounds.MaxIdentities);
        Assert.All(touchpoint.Identities, i => Assert.InRange(i.Value.Length, 1, TouchpointBounds.MaxIdentityValueChars));
        Assert.InRange(touchpoint.Attributes.Count, 0, TouchpointBounds.MaxAttributes + 1);
        Assert.All(touchpoint.Attributes, a => Assert.InRange(a.Key.Length, 1, TouchpointBounds.MaxAttributeNameChars));
        Assert.All(touchpoint.Attributes, a => Assert.InRange(a.Value.Length, 0, TouchpointBounds.MaxAttributeValueChars));
        Assert.InRange(touchpoint.Attributes.Sum(a => a.Key.Length + a.Value.Length), 0, TouchpointBounds.MaxAttributeTotalChars + 200);
        Assert.InRange(touchpoint.Survey?.Comment?.Length ?? 0, 0, TouchpointBounds.MaxCommentChars);
    }

    /// <summary>Every string value (JSON) or text and attribute value (XML) made longer by <paramref name="by"/> characters.</summary>
    private static byte[] Inflate(string fixture, byte[] body, int by)
    {
        Func<string, string> padding = by == Mixed
            ? text => text + (text.Contains(' ', StringComparison.Ordinal) ? string.Concat(Enumerable.Repeat(" lorem", 100_000 / 6)) : new string('x', 400))
            : text => text + new string('x', by);
        if (fixture.EndsWith(".xml", StringComparison.Ordinal))
        {
            var text = Encoding.UTF8.GetString(body);
            if (text.Contains("<!DOCTYPE", StringComparison.Ordinal))
            {
                return body;
            }

            var document = XDocument.Parse(text);
            foreach (var element in document.Descendants().Where(e => !e.HasElements && e.Value.Length > 0))
            {
                element.Value = padding(element.Value);
            }

            using var output = new MemoryStream();
            using (var writer = XmlWriter.Create(output, new XmlWriterSettings { Encoding = new UTF8Encoding(false) }))
            {
                document.Save(writer);
            }

            return output.ToArray();
        }

        var node = JsonNode.Parse(body)!;
        InflateNode(node, padding);
        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }

    private static void InflateNode(JsonNode node, Func<string, string> padding)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj.ToList())
                {
                    if (child is JsonValue value && value.TryGetValue<string>(out var text))
                    {
                        obj[key] = padding(text);
                    }
                    else if (child is not null)
                    {
                        InflateNode(child, padding);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue value && value.TryGetValue<string>(out var text))
                    {
                        array[i] = padding(text);
                    }
                    else if (array[i] is { } child)
                    {
                        InflateNode(child, padding);
                    }
                }

                break;
        }
    }
}
