using System.Globalization;
using JourneyHub.Core.Pull;
using JourneyHub.Core.Sources;
using Microsoft.Extensions.Options;

namespace JourneyHub.Azure.Pull;

/// <summary>Trustpilot business-unit reviews created in [since, until), oldest first, page by page until no <c>next-page</c> link.</summary>
public sealed class TrustpilotPullConnector(ITrustpilotPullApi api, IOptionsMonitor<PullSourceSettings> settings) : IPullConnector
{
    public const int PageSize = 100;

    public SourceId Source => SourceId.Trustpilot;

    public SourceId Adapter => SourceId.TrustpilotPull;

    public string? MissingConfiguration => settings.Get(Source.Name) switch
    {
        { PullEnabled: false } => "Sources__Trustpilot__PullEnabled is false.",
        { ApiKey: null or "" } => "Sources__Trustpilot__ApiKey is not set.",
        { BusinessUnitId: null or "" } => "Sources__Trustpilot__BusinessUnitId is not set.",
        _ => null,
    };

    public string Start(DateTimeOffset from, DateTimeOffset? to, DateTimeOffset now) =>
        PullCalls.Cursor(new TrustpilotCursor(1, from, to), PullCursorJsonContext.Default.TrustpilotCursor);

    public async Task<PulledPage> FetchAsync(string cursor, CancellationToken cancellationToken)
    {
        var c = PullCalls.ReadCursor(cursor, PullCursorJsonContext.Default.TrustpilotCursor);
        var businessUnit = settings.Get(Source.Name).BusinessUnitId!;
        var body = await PullCalls.ReadAsync("Trustpilot", "Sources__Trustpilot__", () => api.ListReviewsAsync(
            businessUnit, PageSize, c.Page, "createdat.asc", Literal(c.Since), c.Until is { } u ? Literal(u) : null, cancellationToken));
        int items;
        bool hasNext;
        using (var document = PullCalls.Parse(body))
        {
            items = document.RootElement.TryGetProperty("reviews", out var reviews) ? reviews.GetArrayLength() : 0;
            hasNext = items > 0 && document.RootElement.TryGetProperty("links", out var links)
                && links.EnumerateArray().Any(l => PullCalls.Str(l, "rel") == "next-page");
        }

        var next = hasNext ? PullCalls.Cursor(c with { Page = c.Page + 1 }, PullCursorJsonContext.Default.TrustpilotCursor) : null;
        return new PulledPage(body, items, new Dictionary<string, string>(StringComparer.Ordinal) { ["businessUnitId"] = businessUnit }, next);
    }

    private static string Literal(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
}
