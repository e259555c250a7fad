using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Ingestion;

/// <summary>
/// The small reference put on the ingestion queue after the raw payload is archived. This is the one
/// queue-message contract: a ServiceBusTrigger could consume the same JSON without other changes.
/// </summary>
public sealed record IngestionMessage
{
    public required string Source { get; init; }
    public required string BlobName { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
    public required string CorrelationId { get; init; }
    /// <summary>Sender facts that the processor needs and that live outside the body (e.g. the Standard Webhooks id).</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();
    /// <summary>Set when an operator replays a dead letter, so the processor can clear it on success.</summary>
    public string? ReplayOf { get; init; }
}

/// <summary>An archived raw payload as the processor reads it back.</summary>
public sealed record RawPayload(
    string Source,
    string BlobName,
    ReadOnlyMemory<byte> Body,
    DateTimeOffset ReceivedAt,
    string CorrelationId,
    IReadOnlyDictionary<string, string> Properties);

/// <summary>What a source adapter made of one raw payload: touchpoints it understood, entries it could not.</summary>
public sealed record NormalizationResult(IReadOnlyList<Touchpoint> Touchpoints, IReadOnlyList<RejectedEntry> Rejected)
{
    public static NormalizationResult Failed(string reason) => new([], [new RejectedEntry(null, reason)]);
}

/// <summary>A part of a payload that could not be normalized, with the reason an operator will read.</summary>
public sealed record RejectedEntry(int? EntryIndex, string Reason);

/// <summary>One adapter per sender, found by <see cref="Sources.SourceRegistry"/> under the source it states.</summary>
public interface ISourceAdapter
{
    Sources.SourceId Source { get; }

    NormalizationResult Normalize(RawPayload payload);
}

/// <summary>Thrown for input that will never succeed however often it is retried; it goes straight to the dead letters.</summary>
public sealed class PermanentIngestionException(string reason, Exception? inner = null) : Exception(reason, inner);
