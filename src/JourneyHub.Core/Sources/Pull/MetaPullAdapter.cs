using System.Text.Json;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Pull;
using JourneyHub.Core.Sources.Meta;

namespace JourneyHub.Core.Sources.Pull;

/// <summary>
/// Graph API comment pages of one page post (properties <c>pageId</c>, <c>postId</c>). Each comment is rewritten as the
/// <c>feed</c> webhook change Meta would have sent (<c>item=comment</c>, <c>verb=add</c>) and normalized by the webhook
/// adapter: same source <c>meta</c>, same <c>sourceEventId</c> (the comment id), same occurredAt (created_time), so a
/// comment seen by both paths is one touchpoint. The page's own replies are not customers and are left out here.
/// </summary>
public sealed class MetaPullAdapter(MetaAdapter webhookAdapter) : ISourceAdapter
{
    public const string PageIdProperty = "pageId";
    public const string PostIdProperty = "postId";

    public SourceId Source => SourceId.MetaPull;

    public NormalizationResult Normalize(RawPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var pageId = payload.Properties.GetValueOrDefault(PageIdProperty) ?? "";
        var postId = payload.Properties.GetValueOrDefault(PostIdProperty);
        using var document = JsonDocument.Parse(payload.Body, PullJson.DocumentOptions);
        var comments = document.RootElement.Arr("data").Where(c => c.Obj("from").Str("id") != pageId).ToList();
        if (comments.Count == 0)
        {
            return new NormalizationResult([], []);
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("object", "page");
            writer.WriteStartArray("entry");
            foreach (var comment in comments)
            {
                var createdAt = PullJson.Time(comment.Str("created_time"));
                writer.WriteStartObject();
                writer.WriteString("id", pageId);
                if (createdAt is { } at)
                {
                    writer.WriteNumber("time", at.ToUnixTimeSeconds());
                }

                writer.WriteStartArray("changes");
                writer.WriteStartObject();
                writer.WriteString("field", "feed");
                writer.WriteStartObject("value");
                writer.WriteString("item", "comment");
                writer.WriteString("verb", "add");
                WriteIfPresent(writer, "comment_id", comment.Str("id"));
                WriteIfPresent(writer, "post_id", postId);
                WriteIfPresent(writer, "parent_id", comment.Obj("parent").Str("id"));
                WriteIfPresent(writer, "message", comment.Str("message"));
                if (createdAt is { } created)
                {
                    writer.WriteNumber("created_time", created.ToUnixTimeSeconds());
                }

                if (comment.Obj("from") is { ValueKind: JsonValueKind.Object } from)
                {
                    writer.WriteStartObject("from");
                    WriteIfPresent(writer, "id", from.Str("id"));
                    WriteIfPresent(writer, "name", from.Str("name"));
                    writer.WriteEndObject();
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return webhookAdapter.Normalize(payload with { Body = buffer.ToArray() });
    }

    private static void WriteIfPresent(Utf8JsonWriter writer, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            writer.WriteString(name, value);
        }
    }
}
