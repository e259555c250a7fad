using System.Globalization;
using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Timeline;

public sealed record TimelineQuery
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public JourneyStage? Stage { get; init; }
    public Channel? Channel { get; init; }
    public string? Source { get; init; }
    public int Limit { get; init; } = DefaultLimit;
    public string? Cursor { get; init; }
}

public sealed record TimelinePage(IReadOnlyList<Touchpoint> Items, string? NextCursor);

/// <summary>Row keys that sort newest first and that a redelivered event reproduces exactly.</summary>
public static class TimelineKeys
{
    public static string RowKey(DateTimeOffset occurredAt, string touchpointId) =>
        InvertedTicks(occurredAt) + "_" + touchpointId;

    /// <summary>The smallest row key of anything that occurred at or before <paramref name="at"/> (newest-first order).</summary>
    public static string LowerBoundFor(DateTimeOffset at) => InvertedTicks(at);

    private static string InvertedTicks(DateTimeOffset at) =>
        (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture);
}
