using JourneyHub.Core.Pull;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Sources.Pull;
using Microsoft.Extensions.Options;

namespace JourneyHub.Azure.Pull;

/// <summary>
/// Google Business Profile reviews for each configured location, newest update first, following <c>nextPageToken</c>
/// until a page reaches reviews older than the window (the API has no "changed since" filter).
/// </summary>
public sealed class GooglePullConnector(IGoogleReviewsApi api, IOptionsMonitor<PullSourceSettings> settings) : IPullConnector
{
    public const int PageSize = 50;

    public SourceId Source => SourceId.Google;

    public SourceId Adapter => SourceId.Google;

    public string? MissingConfiguration => settings.Get(Source.Name) switch
    {
        { PullEnabled: false } => "Sources__Google__PullEnabled is false.",
        { AccessToken: null or "" } => "Sources__Google__AccessToken is not set.",
        { LocationList.Count: 0 } => "Sources__Google__Locations is not set (comma-separated accounts/x/locations/y).",
        _ => null,
    };

    public string Start(DateTimeOffset from, DateTimeOffset? to, DateTimeOffset now) =>
        PullCalls.Cursor(new GoogleCursor(0, from, to, null), PullCursorJsonContext.Default.GoogleCursor);

    public async Task<PulledPage> FetchAsync(string cursor, CancellationToken cancellationToken)
    {
        var c = PullCalls.ReadCursor(cursor, PullCursorJsonContext.Default.GoogleCursor);
        var locations = settings.Get(Source.Name).LocationList;
        if (c.Location >= locations.Count)
        {
            return new PulledPage(default, 0, new Dictionary<string, string>(), null);
        }

        var location = locations[c.Location];
        var body = await PullCalls.ReadAsync("Google", "Sources__Google__", () => api.ListReviewsAsync(location, PageSize, c.PageToken, "updateTime desc", cancellationToken));
        int items;
        string? token;
        var reachedOlder = false;
        using (var document = PullCalls.Parse(body))
        {
            var reviews = document.RootElement.TryGetProperty("reviews", out var r) ? r.EnumerateArray().ToList() : [];
            items = reviews.Count;
            token = PullCalls.Str(document.RootElement, "nextPageToken");
            if (reviews.Count > 0 && PullCalls.Time(PullCalls.Str(reviews[^1], "updateTime") ?? PullCalls.Str(reviews[^1], "createTime")) is { } oldest)
            {
                reachedOlder = oldest < c.Since;
            }
        }

        string? next = token is { Length: > 0 } && !reachedOlder
            ? PullCalls.Cursor(c with { PageToken = token }, PullCursorJsonContext.Default.GoogleCursor)
            : c.Location + 1 < locations.Count ? PullCalls.Cursor(c with { Location = c.Location + 1, PageToken = null }, PullCursorJsonContext.Default.GoogleCursor)
            : null;
        return new PulledPage(body, items, new Dictionary<string, string>(StringComparer.Ordinal) { [GoogleReviewsAdapter.LocationProperty] = location }, next);
    }
}
