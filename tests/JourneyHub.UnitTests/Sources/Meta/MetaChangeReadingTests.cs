using System.Text;
using System.Text.Json;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Sources.Meta;
using static JourneyHub.UnitTests.Sources.SourceTestKit;

namespace JourneyHub.UnitTests.Sources.Meta;

/// <summary>
/// A change's <c>value</c> is read once, in the notification's pass, whatever the order of <c>field</c> and
/// <c>value</c>. The expected outcomes of these edge cases were taken from the adapter before that change (when each
/// value was kept as a JsonElement and deserialized again), rejection reasons and their JSON paths included.
/// </summary>
public sealed class MetaChangeReadingTests
{
    private const string Comment = """{"item":"comment","verb":"add","comment_id":"1_9","post_id":"1_1","from":{"id":"5","name":"Ann"},"message":"Love it","created_time":1741962128}""";

    /// <summary>Case → what the adapter made of it before the change: touchpoints and rejections, in order.</summary>
    public static TheoryData<string, string> Before => new()
    {
        { "value-before-field", "ok meta 1_9 comment.posted pageId=100,item=comment,verb=add,authorName=Ann,postId=1_1,commentId=1_9" },
        { "bad-shape-value-before-field", "rejected 0: Meta page item 0 (change 'feed'): value does not have the documented shape: The JSON value could not be converted to JourneyHub.Core.Sources.Meta.MetaFeedValue. Path: $.item | LineNumber: 0 | BytePositionInLine: 9." },
        { "bad-shape-nested", "rejected 0: Meta page item 0 (change 'feed'): value does not have the documented shape: The JSON value could not be converted to JourneyHub.Core.Sources.Meta.MetaUser. Path: $.from.id | LineNumber: 0 | BytePositionInLine: 64." },
        { "unknown-properties-around", "ok meta 1_9 comment.posted pageId=100,item=comment,verb=add,authorName=Ann,postId=1_1,commentId=1_9" },
        { "duplicate-field-last-wins", "ok meta 1_9 comment.posted pageId=100,item=comment,verb=add,authorName=Ann,postId=1_1,commentId=1_9" },
        { "duplicate-value-last-wins", "ok meta 1_9 comment.posted pageId=100,item=comment,verb=add,authorName=Ann,postId=1_1,commentId=1_9" },
        { "value-null", "rejected 0: Meta page item 0 (change 'feed'): value is not an object" },
        { "value-array", "rejected 0: Meta page item 0 (change 'feed'): value is not an object" },
        { "value-missing", "rejected 0: Meta page item 0 (change 'feed'): value is not an object" },
        { "field-null", "rejected 0: Meta page item 0 (change ''): field '' is not supported for meta" },
        { "field-missing", "rejected 0: Meta page item 0 (change ''): field '' is not supported for meta" },
        { "unsupported-field-bad-value", "rejected 0: Meta page item 0 (change 'ratings'): field 'ratings' is not supported for meta" },
        { "feed-on-instagram-bad-shape", "rejected 0: Meta instagram item 0 (change 'feed'): field 'feed' is not supported for instagram" },
        { "instagram-comment-bad-media", "rejected 0: Meta instagram item 0 (change 'comments'): value does not have the documented shape: The JSON value could not be converted to JourneyHub.Core.Sources.Meta.InstagramMedia. Path: $.media | LineNumber: 0 | BytePositionInLine: 38." },
        { "instagram-mention-value-first", "ok instagram c2 mention.posted accountId=900,mediaId=m1,commentId=c2" },
        { "instagram-comment-ok", "ok instagram c3 comment.posted accountId=900,commentId=c3,username=ann,mediaId=m1,mediaProductType=FEED,parentId=p,live=true" },
        { "number-as-string", "ok meta 1_9 comment.posted pageId=100,item=comment,verb=add,commentId=1_9" },
        { "change-not-an-object", "rejected : Meta payload is not a webhook notification object: The JSON value could not be converted to JourneyHub.Core.Sources.Meta.MetaChange. Path: $.entry[0].changes[0] | LineNumber: 0 | BytePositionInLine: 68." },
        { "change-null", "rejected 0: Meta page item 0 (change ''): change is null" },
        { "field-not-a-string", "rejected : Meta payload is not a webhook notification object: The JSON value could not be converted to JourneyHub.Core.Sources.Meta.MetaChange. Path: $.entry[0].changes[0].field | LineNumber: 0 | BytePositionInLine: 77." },
        { "value-unterminated", "rejected : Meta payload is not a webhook notification object: Expected depth to be zero at the end of the JSON payload. There is an open JSON object or array that should be closed. Path: $.entry[0].changes[0].value | LineNumber: 0 | BytePositionInLine: 109." },
    };

    [Theory]
    [MemberData(nameof(Before))]
    public void Every_change_normalizes_as_it_did_when_its_value_was_read_twice(string name, string expected)
    {
        var body = All.Single(c => c.Name == name).Body;

        Assert.Equal(expected, Describe(new MetaAdapter().Normalize(Raw("meta", Encoding.UTF8.GetBytes(body)))));
    }

    [Theory]
    [InlineData("meta/meta-page-feed-batch.json")]
    [InlineData("meta/meta-page-feed-comment.json")]
    [InlineData("meta/meta-instagram-comment.json")]
    [InlineData("meta/meta-instagram-mention.json")]
    public void Documented_values_are_read_in_the_notifications_one_pass(string fixture)
    {
        var notification = JsonSerializer.Deserialize(Fixture.Bytes(fixture), MetaJsonContext.Default.MetaNotification)!;
        var values = notification.Entry!.SelectMany(e => e!.Changes ?? []).Select(c => c!.Value!).ToList();

        Assert.NotEmpty(values);
        Assert.All(values, v => Assert.Null(v.Unread));
    }

    [Fact]
    public void A_value_with_another_fields_property_of_another_type_is_kept_as_json_and_still_maps()
    {
        // "item" is a feed property (a string); on an Instagram comment it is not documented, so 7 must not matter.
        var body = """{"object":"instagram","entry":[{"id":"900","time":1741962128,"changes":[{"field":"comments","value":{"item":7,"id":"c1","text":"nice","from":{"id":"9"}}}]}]}""";
        var change = JsonSerializer.Deserialize(body, MetaJsonContext.Default.MetaNotification)!.Entry![0]!.Changes![0]!;

        Assert.Equal(JsonValueKind.Object, change.Value!.Unread?.ValueKind);
        Assert.Equal("ok instagram c1 comment.posted accountId=900,commentId=c1", Describe(new MetaAdapter().Normalize(Raw("meta", Encoding.UTF8.GetBytes(body)))));
    }

    private static readonly (string Name, string Body)[] All =
    [
        ("value-before-field", Page($$"""{"value":{{Comment}},"field":"feed"}""")),
        ("bad-shape-value-before-field", Page("""{"value":{"item":7},"field":"feed"}""")),
        ("bad-shape-nested", Page("""{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"1_9","from":{"id":5}}}""")),
        ("unknown-properties-around", Page($$"""{"extra":{"a":[1,{"b":null}]},"field":"feed","more":"x","value":{{Comment}},"last":[]}""")),
        ("duplicate-field-last-wins", Page($$"""{"field":"ratings","field":"feed","value":{{Comment}}}""")),
        ("duplicate-value-last-wins", Page($$"""{"field":"feed","value":{"item":7},"value":{{Comment}}}""")),
        ("value-null", Page("""{"field":"feed","value":null}""")),
        ("value-array", Page("""{"field":"feed","value":[1,2]}""")),
        ("value-missing", Page("""{"field":"feed"}""")),
        ("field-null", Page("""{"field":null,"value":{}}""")),
        ("field-missing", Page("""{"value":{"item":"comment"}}""")),
        ("unsupported-field-bad-value", Page("""{"field":"ratings","value":{"item":7}}""")),
        ("feed-on-instagram-bad-shape", Instagram("""{"field":"feed","value":{"item":7}}""")),
        ("instagram-comment-bad-media", Instagram("""{"field":"comments","value":{"id":"c1","from":{"id":"9"},"media":[1]}}""")),
        ("instagram-mention-value-first", Instagram("""{"value":{"media_id":"m1","comment_id":"c2"},"field":"mentions"}""")),
        ("instagram-comment-ok", Instagram("""{"field":"live_comments","value":{"id":"c3","text":"great","from":{"id":"9","username":"ann"},"media":{"id":"m1","media_product_type":"FEED"},"parent_id":"p"}}""")),
        ("number-as-string", Page("""{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"1_9","from":{"id":"5"},"created_time":"1741962128"}}""")),
        ("change-not-an-object", Page("1")),
        ("change-null", Page("null")),
        ("field-not-a-string", Page("""{"field":7,"value":{}}""")),
        ("value-unterminated", """{"object":"page","entry":[{"id":"100","time":1741962128,"changes":[{"field":"feed","value":{"item":"comment" """),
    ];

    private static string Describe(NormalizationResult result) =>
        string.Join(" | ", result.Touchpoints.Select(t => $"ok {t.Source} {t.SourceEventId} {t.Action} {string.Join(",", t.Attributes.Select(a => a.Key + "=" + a.Value))}")
            .Concat(result.Rejected.Select(r => $"rejected {r.EntryIndex}: {r.Reason}")));

    private static string Page(string change) => $$"""{"object":"page","entry":[{"id":"100","time":1741962128,"changes":[{{change}}]}]}""";

    private static string Instagram(string change) => $$"""{"object":"instagram","entry":[{"id":"900","time":1741962128,"changes":[{{change}}]}]}""";
}
