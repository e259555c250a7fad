using System.Text;
using System.Text.Json;
using JourneyHub.Core.Sources.Meta;

namespace JourneyHub.UnitTests.Sources.Meta;

/// <summary>
/// The hand reader of a change's value either reads exactly what the serializer reads into <see cref="MetaChangeValue"/>
/// or leaves the value to the serializer: it never reads a value differently.
/// </summary>
public sealed class MetaChangeValueReaderTests
{
    public static TheoryData<string, bool> Values => new()
    {
        { """{"item":"comment","verb":"add","comment_id":"1_9","post_id":"1_1","parent_id":"1_1","from":{"id":"5","name":"Ann","x":[1]},"message":"Love it","created_time":1741962128}""", true },
        { """{"id":"c3","text":"gr\u00e9at","from":{"id":"9","username":"ann"},"media":{"id":"m1","media_product_type":"FEED","y":{}},"parent_id":"p","unknown":{"a":[null]}}""", true },
        { """{"media_id":"m1","comment_id":"c2","created_time":"2025-03-14T14:22:08+0000"}""", true },
        { """{"created_time":1.5,"from":null,"media":null,"item":null}""", true },
        { """{"created_time":null,"it\u0065m":"post"}""", true },
        { """{}""", true },
        // Left to the serializer.
        { """{"item":7}""", false },
        { """{"from":{"id":5}}""", false },
        { """{"from":"x"}""", false },
        { """{"media":[1]}""", false },
        { """{"verb":"add","verb":"edited"}""", false },
        { """{"from":{"id":"1","id":"2"}}""", false },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void Reads_a_value_as_the_serializer_does_or_leaves_it_to_the_serializer(string json, bool readByHand)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(body);
        reader.Read();

        var value = MetaChangeValueReader.TryRead(ref reader);

        Assert.Equal(readByHand, value is not null);
        if (value is not null)
        {
            Assert.Equal(JsonTokenType.EndObject, reader.TokenType);
            Assert.False(reader.Read());
            var expected = JsonSerializer.Deserialize(body, MetaJsonContext.Default.MetaChangeValue)!;
            Assert.Equal(Describe(expected), Describe(value));
        }
    }

    private static string Describe(MetaChangeValue v) =>
        $"{v.Item}|{v.Verb}|{v.Id}|{v.CommentId}|{v.PostId}|{v.ParentId}|{v.MediaId}|{v.From is null}|{v.From?.Id}|{v.From?.Name}|{v.From?.Username}|{v.Message}|{v.Text}"
        + $"|{v.Media is null}|{v.Media?.Id}|{v.Media?.MediaProductType}|{Time(v)}";

    /// <summary>created_time as the adapter reads it: a whole number, or the JSON kept for any other value.</summary>
    private static string Time(MetaChangeValue v) =>
        v.CreatedUnixTime is { } unix ? unix.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : v.CreatedTime is { ValueKind: not JsonValueKind.Null } json ? json.GetRawText() : "";
}
