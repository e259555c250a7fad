using JourneyHub.Core.Pull;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Sources.Pull;
using Microsoft.Extensions.Options;

namespace JourneyHub.Azure.Pull;

/// <summary>
/// Meta Graph: the page's posts published in the window (an incremental run re-reads the last
/// <see cref="PullSourceSettings.PostsLookbackDays"/> days, since people comment on older posts), and for each post its
/// comments, cursor by cursor. One archived page = one comments page of one post; posts pages are navigation only.
/// </summary>
public sealed class MetaPullConnector(IMetaGraphPullApi api, IOptionsMonitor<PullSourceSettings> settings) : IPullConnector
{
    public const string DefaultApiVersion = "v21.0";
    public const string CommentFields = "id,message,from,created_time,parent";

    public SourceId Source => SourceId.Meta;

    public SourceId Adapter => SourceId.MetaPull;

    public string? MissingConfiguration => settings.Get(Source.Name) switch
    {
        { PullEnabled: false } => "Sources__Meta__PullEnabled is false.",
        { AccessToken: null or "" } => "Sources__Meta__AccessToken is not set.",
        { PageId: null or "" } => "Sources__Meta__PageId is not set.",
        _ => null,
    };

    public string Start(DateTimeOffset from, DateTimeOffset? to, DateTimeOffset now)
    {
        var since = to is null ? Min(from, now.AddDays(-Math.Max(1, settings.Get(Source.Name).PostsLookbackDays))) : from;
        return PullCalls.Cursor(new MetaCursor(since.ToUnixTimeSeconds(), to?.ToUnixTimeSeconds(), null, null, 0, null, false), PullCursorJsonContext.Default.MetaCursor);
    }

    public async Task<PulledPage> FetchAsync(string cursor, CancellationToken cancellationToken)
    {
        var c = PullCalls.ReadCursor(cursor, PullCursorJsonContext.Default.MetaCursor);
        var current = settings.Get(Source.Name);
        var version = current.ApiVersion is { Length: > 0 } v ? v : DefaultApiVersion;
        var pageId = current.PageId!;

        // Load the next posts page when the current one is used up; a post-less window ends the run.
        while (c.Posts is null || c.PostIndex >= c.Posts.Count)
        {
            if (c.PostsDone)
            {
                return new PulledPage(default, 0, new Dictionary<string, string>(), null);
            }

            var postsBody = await PullCalls.ReadAsync("Meta", "Sources__Meta__", () => api.PostsAsync(version, pageId, "id,created_time", 25, c.PostsAfter, c.Since, c.Until, cancellationToken));
            using var posts = PullCalls.Parse(postsBody);
            var ids = posts.RootElement.TryGetProperty("data", out var data) ? data.EnumerateArray().Select(p => PullCalls.Str(p, "id")).OfType<string>().ToList() : [];
            var (after, hasNext) = Paging(posts.RootElement);
            c = c with { Posts = ids, PostIndex = 0, CommentsAfter = null, PostsAfter = after, PostsDone = !hasNext || ids.Count == 0 };
        }

        var postId = c.Posts[c.PostIndex];
        var body = await PullCalls.ReadAsync("Meta", "Sources__Meta__", () => api.CommentsAsync(version, postId, CommentFields, 100, c.CommentsAfter, "stream", cancellationToken));
        int items;
        string? commentsAfter;
        bool moreComments;
        using (var document = PullCalls.Parse(body))
        {
            items = document.RootElement.TryGetProperty("data", out var data) ? data.GetArrayLength() : 0;
            (commentsAfter, moreComments) = Paging(document.RootElement);
        }

        var next = moreComments && items > 0
            ? c with { CommentsAfter = commentsAfter }
            : c with { PostIndex = c.PostIndex + 1, CommentsAfter = null };
        var end = !(moreComments && items > 0) && next.PostIndex >= next.Posts!.Count && next.PostsDone;
        var properties = new Dictionary<string, string>(StringComparer.Ordinal) { [MetaPullAdapter.PageIdProperty] = pageId, [MetaPullAdapter.PostIdProperty] = postId };
        return new PulledPage(body, items, properties, end ? null : PullCalls.Cursor(next, PullCursorJsonContext.Default.MetaCursor));
    }

    /// <summary>Graph paging: <c>paging.cursors.after</c>, and a <c>paging.next</c> link only when there is a next page.</summary>
    private static (string? After, bool HasNext) Paging(System.Text.Json.JsonElement root)
    {
        if (!root.TryGetProperty("paging", out var paging))
        {
            return (null, false);
        }

        var after = paging.TryGetProperty("cursors", out var cursors) ? PullCalls.Str(cursors, "after") : null;
        return (after, paging.TryGetProperty("next", out _) && after is not null);
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
