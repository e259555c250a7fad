using System.Text.Json.Serialization;
using JourneyHub.Core.Sources;

namespace JourneyHub.Core.Pull;

/// <summary>
/// The pulled sources, by the name used in routes, settings and checkpoints. Each connector's pages are archived and queued
/// under its <see cref="IPullConnector.Adapter"/>; the touchpoints carry the webhook source name (<c>trustpilot</c>,
/// <c>meta</c>, …), so a pulled copy and a webhook copy of the same event hash to the same touchpoint id.
/// </summary>
public static class PullSources
{
    public static IReadOnlyList<SourceId> All { get; } = [SourceId.HubSpot, SourceId.Salesforce, SourceId.Google, SourceId.Trustpilot, SourceId.Meta];

    public static bool IsKnown(string? source) => SourceId.TryParse(source, out var id) && All.Contains(id);
}

/// <summary>One API of a pulled source. Cursors are opaque to the runner and serialized by the connector itself.</summary>
public interface IPullConnector
{
    SourceId Source { get; }

    /// <summary>The adapter that normalizes this connector's pages; the name the pages are archived and queued under.</summary>
    SourceId Adapter { get; }

    /// <summary>Why the source cannot pull (missing token, location, business unit…), or null when it can.</summary>
    string? MissingConfiguration { get; }

    /// <summary>The cursor of the first page of changes in [from, to); <paramref name="to"/> null = up to now.</summary>
    string Start(DateTimeOffset from, DateTimeOffset? to, DateTimeOffset now);

    Task<PulledPage> FetchAsync(string cursor, CancellationToken cancellationToken);
}

/// <summary>
/// One fetched API page. <see cref="Body"/> is archived byte for byte unless <see cref="Items"/> is 0.
/// <see cref="Next"/> is the cursor of the next page of this run; null ends the run (the next incremental run then
/// starts from the time this one began, less <see cref="PullOptions.Overlap"/>).
/// </summary>
public sealed record PulledPage(
    ReadOnlyMemory<byte> Body,
    int Items,
    IReadOnlyDictionary<string, string> Properties,
    string? Next,
    string ContentType = "application/json");

[JsonConverter(typeof(JsonStringEnumConverter<PullRunKind>))]
public enum PullRunKind
{
    [JsonStringEnumMemberName("incremental")] Incremental,
    [JsonStringEnumMemberName("backfill")] Backfill,
}

[JsonConverter(typeof(JsonStringEnumConverter<PullRunState>))]
public enum PullRunState
{
    [JsonStringEnumMemberName("idle")] Idle,
    [JsonStringEnumMemberName("queued")] Queued,
    [JsonStringEnumMemberName("running")] Running,
    [JsonStringEnumMemberName("completed")] Completed,
    [JsonStringEnumMemberName("failed")] Failed,
}

/// <summary>What the Checkpoints table keeps per source and run kind; also the backfill status the admin route shows.</summary>
public sealed record PullState
{
    public required string Source { get; init; }
    public required PullRunKind Kind { get; init; }
    public PullRunState State { get; init; } = PullRunState.Idle;
    /// <summary>Where the next fetch starts; advanced only after a page is archived and queued.</summary>
    public string? Cursor { get; init; }
    /// <summary>Incremental: the next run reads changes from here once <see cref="Cursor"/> is spent.</summary>
    public DateTimeOffset? Watermark { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public int Pages { get; init; }
    public int Items { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
    public DateTimeOffset? LastCheckpointAt { get; init; }
    public string? LastError { get; init; }
    public int Errors { get; init; }
    public string? RunId { get; init; }
}

public interface IPullStateStore
{
    Task<PullState?> GetAsync(string source, PullRunKind kind, CancellationToken cancellationToken);

    Task SaveAsync(PullState state, CancellationToken cancellationToken);
}

/// <summary>A durable request to run (or continue) a bounded backfill.</summary>
public sealed record BackfillRequest
{
    public required string Source { get; init; }
    public required DateTimeOffset From { get; init; }
    public required DateTimeOffset To { get; init; }
    public required string RunId { get; init; }
}

public interface IBackfillQueue
{
    Task EnqueueAsync(BackfillRequest request, CancellationToken cancellationToken);
}

public sealed class PullOptions
{
    public const string Section = "Pull";

    /// <summary>Pages one invocation fetches at most; the checkpoint lets the next invocation continue.</summary>
    public int MaxPagesPerRun { get; set; } = 200;

    /// <summary>How far back the first incremental run of a source reads.</summary>
    public TimeSpan InitialLookback { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Next incremental run starts this long before the previous one began, for clock skew and late indexing.</summary>
    public TimeSpan Overlap { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest backfill window accepted by the admin route.</summary>
    public TimeSpan MaxBackfillWindow { get; set; } = TimeSpan.FromDays(3 * 366);
}
