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

/// <summary>A page of rows as the read API serves them: each touchpoint's stored JSON, unparsed.</summary>
public sealed record StoredTimelinePage(IReadOnlyList<StoredTouchpoint> Items, string? NextCursor);

/// <summary>Row keys that sort newest first and that a redelivered event reproduces exactly.</summary>
public static class TimelineKeys
{
    private const int TicksDigits = 19;

    public static string RowKey(DateTimeOffset occurredAt, string touchpointId) =>
        InvertedTicks(occurredAt) + "_" + touchpointId;

    /// <summary>The smallest row key of anything that occurred at or before <paramref name="at"/> (newest-first order).</summary>
    public static string LowerBoundFor(DateTimeOffset at) => InvertedTicks(at);

    /// <summary>
    /// The time and touchpoint id a row key was made from (<see cref="RowKey"/>), so a page can be placed on the journey
    /// without parsing each row's JSON. The time comes back in UTC, the same instant as the touchpoint's.
    /// </summary>
    public static (DateTimeOffset OccurredAt, string TouchpointId) Parse(string rowKey)
    {
        ArgumentNullException.ThrowIfNull(rowKey);
        if (rowKey.Length <= TicksDigits + 1
            || rowKey[TicksDigits] != '_'
            || !long.TryParse(rowKey.AsSpan(0, TicksDigits), NumberStyles.None, CultureInfo.InvariantCulture, out var inverted)
            || inverted > DateTimeOffset.MaxValue.UtcTicks)
        {
            throw new FormatException($"'{rowKey}' is not a timeline row key.");
        }

        return (new DateTimeOffset(DateTimeOffset.MaxValue.UtcTicks - inverted, TimeSpan.Zero), rowKey[(TicksDigits + 1)..]);
    }

    private static string InvertedTicks(DateTimeOffset at) =>
        (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture);
}
