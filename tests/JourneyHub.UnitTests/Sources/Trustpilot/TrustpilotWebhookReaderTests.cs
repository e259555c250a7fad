using System.Text;
using System.Text.Json;
using JourneyHub.Core.Sources.Trustpilot;

namespace JourneyHub.UnitTests.Sources.Trustpilot;

/// <summary>
/// The hand reader of Trustpilot deliveries either reads exactly what the serializer reads (every field of every event)
/// or gives the body to the serializer: it never reads a body differently.
/// </summary>
public sealed class TrustpilotWebhookReaderTests
{
    private const string Review = """{"id":"r1","language":"en","title":"T\u00eftle","text":"Fast","referenceId":"ORD-1","referralEmail":"a@example.com","stars":4,"createdAt":"2025-03-14T14:25:31.000Z","updatedAt":"2025-03-15T10:00:00Z","deletedAt":null,"isVerified":false,"locationId":"loc","link":"https://x","consumer":{"id":"c1","name":"Hannah W.","link":"y"},"tags":[{"group":"Generic","value":"a"},null,{"value":"b","extra":[1]}]}""";

    public static TheoryData<string, bool> Bodies => new()
    {
        { """{"events":[{"eventName":"service-review-created","version":"1","eventData":""" + Review + """}]}""", true },
        { """{"x":{"y":[1,{"z":null}]},"events":[null,{"eventData":null,"eventName":"other","version":"2"},{"eventData":{"tags":[],"consumer":null,"isVerified":true,"stars":null}}],"after":1} """, true },
        { """{"events":[]}""", true },
        { """{"events":null}""", true },
        { """{}""", true },
        { """{"ev\u0065nts":[{"eventName":"service-review-deleted","eventData":{"id":"r\"2","deletedAt":"2025-03-16T00:00:00+01:00"}}]}""", true },
        // Given to the serializer.
        { """{"events":[{"eventData":{"stars":"4"}}]}""", false },
        { """{"events":[{"eventData":{"stars":4.5}}]}""", false },
        { """{"events":[{"eventData":{"createdAt":"yesterday"}}]}""", false },
        { """{"events":[{"eventData":{"isVerified":"true"}}]}""", false },
        { """{"events":[{"eventData":{"tags":{}}}]}""", false },
        { """{"events":[{"eventData":{"tags":["a"]}}]}""", false },
        { """{"events":[{"eventName":7}]}""", false },
        { """{"events":[{"eventName":"a","eventName":"b"}]}""", false },
        { """{"events":[],"events":[]}""", false },
        { """{"events":[1]}""", false },
        { """{"events":{}}""", false },
        { """{"events":[]} []""", false },
        { """{"events":[],}""", false },
        { """[]""", false },
        { """null""", false },
        { """{"events":[{"eventName":"a" """, false },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Reads_a_body_as_the_serializer_does_or_leaves_it_to_the_serializer(string json, bool readByHand)
    {
        var body = Encoding.UTF8.GetBytes(json);

        var read = TrustpilotWebhookReader.TryRead(body, out var webhook);

        Assert.Equal(readByHand, read);
        if (!read)
        {
            Assert.Null(webhook);
            return;
        }

        var expected = JsonSerializer.Deserialize(body, TrustpilotJsonContext.Default.TrustpilotWebhook)!;
        Assert.Equal(Describe(expected), Describe(webhook!));
    }

    [Theory]
    [InlineData("trustpilot/trustpilot-webhook-service-review-created.json")]
    [InlineData("trustpilot/trustpilot-webhook-service-review-updated.json")]
    [InlineData("trustpilot/trustpilot-webhook-service-review-deleted.json")]
    [InlineData("trustpilot/trustpilot-webhook-batch-with-bad-entries.json")]
    public void Reads_the_documented_deliveries_by_hand(string fixture)
    {
        var body = Fixture.Bytes(fixture);

        Assert.True(TrustpilotWebhookReader.TryRead(body, out var webhook));
        Assert.Equal(Describe(JsonSerializer.Deserialize(body, TrustpilotJsonContext.Default.TrustpilotWebhook)!), Describe(webhook!));
    }

    [Fact]
    public void Reads_more_events_than_its_first_buffer_holds()
    {
        var body = Encoding.UTF8.GetBytes("""{"events":[""" + string.Join(",", Enumerable.Range(0, 300).Select(i => """{"eventName":"service-review-created","eventData":{"id":"r""" + i + "\"}}")) + "]}");

        Assert.True(TrustpilotWebhookReader.TryRead(body, out var webhook));
        Assert.Equal(Describe(JsonSerializer.Deserialize(body, TrustpilotJsonContext.Default.TrustpilotWebhook)!), Describe(webhook!));
    }

    private static string Describe(TrustpilotWebhook webhook) =>
        webhook.Events is null ? "no events" : string.Join(" / ", webhook.Events.Select(e => e is null ? "null" :
            $"{e.EventName}|{e.Version}|{e.EventData is null}|{Describe(e.EventData)}"));

    private static string Describe(TrustpilotReview? r) => r is null ? "" :
        $"{r.Id}|{r.Language}|{r.Title}|{r.Text}|{r.ReferenceId}|{r.ReferralEmail}|{r.Stars}|{r.CreatedAt:O}|{r.UpdatedAt:O}|{r.DeletedAt:O}|{r.IsVerified}|{r.LocationId}"
        + $"|{r.Consumer is null}|{r.Consumer?.Id}|{r.Consumer?.Name}|{r.Tags is null}|{string.Join(",", (r.Tags ?? []).Select(t => t is null ? "null" : $"{t.Group}:{t.Value}"))}";
}
