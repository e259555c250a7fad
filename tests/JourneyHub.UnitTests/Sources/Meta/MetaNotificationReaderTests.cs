using System.Text;
using System.Text.Json;
using JourneyHub.Core.Sources.Meta;

namespace JourneyHub.UnitTests.Sources.Meta;

/// <summary>
/// The hand reader of Meta notifications either reads exactly what the serializer reads (every entry, change and value)
/// or gives the body to the serializer: it never reads a body differently.
/// </summary>
public sealed class MetaNotificationReaderTests
{
    public static TheoryData<string, bool> Bodies => new()
    {
        { """{"object":"page","entry":[{"id":"1","time":1741962140,"changes":[{"field":"feed","value":{"item":"comment","verb":"add","from":{"id":"5"},"created_time":"1741962128"}},null,{"value":{"item":7},"field":"feed"},{"field":"x","value":[1]},{"field":"y","value":null},{"field":"z"}],"messaging":null,"other":{"a":[1]}},null]}""", true },
        { """{"entry":[{"changes":[]}],"object":"instagram","more":[{}]}""", true },
        { """{"object":"page","entry":[]}""", true },
        { """{"object":null,"entry":null}""", true },
        { """{"obj\u0065ct":"page"}""", true },
        // Given to the serializer.
        { """{"object":"page","entry":[{"messaging":[{"sender":{"id":"1"}}]}]}""", false },
        { """{"object":"page","entry":[{"time":"1741962140"}]}""", false },
        { """{"object":"page","entry":[{"changes":[{"field":7}]}]}""", false },
        { """{"object":"page","entry":[{"changes":[{"field":"feed","field":"x"}]}]}""", false },
        { """{"object":"page","entry":[{"changes":[1]}]}""", false },
        { """{"object":"page","object":"instagram"}""", false },
        { """{"object":"page","entry":{}}""", false },
        { """{"object":"page"} 1""", false },
        { """{"object":"page","entry":[{"changes":[{"field":"feed","value":{"item":"comment" """, false },
        { """[]""", false },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Reads_a_body_as_the_serializer_does_or_leaves_it_to_the_serializer(string json, bool readByHand) =>
        AssertReadsAsTheSerializer(Encoding.UTF8.GetBytes(json), readByHand);

    [Theory]
    [InlineData("meta/meta-page-feed-batch.json")]
    [InlineData("meta/meta-page-feed-comment.json")]
    [InlineData("meta/meta-instagram-comment.json")]
    [InlineData("meta/meta-instagram-mention.json")]
    public void Reads_the_documented_notifications_of_changes(string fixture) => AssertReadsAsTheSerializer(Fixture.Bytes(fixture), readByHand: true);

    private static void AssertReadsAsTheSerializer(byte[] body, bool readByHand)
    {
        var read = MetaNotificationReader.TryRead(body, out var notification);

        Assert.Equal(readByHand, read);
        if (!read)
        {
            Assert.Null(notification);
            return;
        }

        Assert.Equal(Describe(JsonSerializer.Deserialize(body, MetaJsonContext.Default.MetaNotification)!), Describe(notification!));
    }

    private static string Describe(MetaNotification n) =>
        $"{n.ObjectType}|{n.Entry is null}|" + string.Join(" / ", (n.Entry ?? []).Select(e => e is null ? "null" :
            $"{e.Id}|{e.Time}|{e.Messaging is null}|{e.Changes is null}|" + string.Join(";", (e.Changes ?? []).Select(c => c is null ? "null" : $"{c.Field}={Describe(c.Value)}"))));

    private static string Describe(MetaChangeValue? v) => v is null ? "none"
        : v.Unread is { } json ? "json " + json.GetRawText()
        : $"{v.Item}|{v.Verb}|{v.Id}|{v.CommentId}|{v.PostId}|{v.ParentId}|{v.MediaId}|{v.From?.Id}|{v.From?.Name}|{v.From?.Username}|{v.Message}|{v.Text}|{v.Media?.Id}|{v.Media?.MediaProductType}"
            + $"|{v.CreatedUnixTime?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? v.CreatedTime?.GetRawText()}";
}
