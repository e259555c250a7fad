using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Ingestion;

/// <summary>
/// What the ingestion queue carries per delivery: its archive reference and, for small payloads, the bytes themselves
/// (archived by the processor, see <see cref="IngestionMessage.InlineBody"/>). This is the one queue-message contract: a
/// ServiceBusTrigger could consume the same JSON without other changes.
/// </summary>
public sealed record IngestionMessage
{
    /// <summary>
    /// Bodies up to this size travel inside the queue message, so the processor needs no archive read. 48,000
    /// bytes are 64,000 characters of base64, which leaves room for the rest of the message within the 64 KiB
    /// a Storage queue message may hold; <see cref="Ports.IIngestionQueue.CanCarry"/> has the last word.
    /// </summary>
    public const int MaxInlineBytes = 48_000;

    public required string Source { get; init; }

    /// <summary>The archive reference (<c>rawRef</c>): a table key or a blob name, opaque outside the archive. The name is kept for the queue contract.</summary>
    public required string BlobName { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
    public required string CorrelationId { get; init; }
    /// <summary>Sender facts that the processor needs and that live outside the body (e.g. the Standard Webhooks id).</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();
    /// <summary>Set when an operator replays a dead letter, so the processor can clear it on success.</summary>
    public string? ReplayOf { get; init; }

    /// <summary>
    /// The exact bytes received, when they are at most <see cref="MaxInlineBytes"/> (base64 in the JSON). Until the
    /// processor has archived them under <see cref="BlobName"/> (its first step, before anything else), this durable queue
    /// message is their only stored copy: it is sent without expiry, a failure before the archive write leaves the message
    /// to be retried, and a message that fails every attempt goes to the poison queue, whose recorder archives the bytes
    /// before it records the dead letter. Archiving them again (a retry, a redelivery) finds the entry and changes nothing.
    /// </summary>
    public byte[]? InlineBody { get; init; }

    /// <summary>The content type the sender stated, stored with <see cref="InlineBody"/> when the processor archives it.</summary>
    public string? ContentType { get; init; }
}

/// <summary>An archived raw payload as the processor reads it back; <paramref name="BlobName"/> is its archive reference.</summary>
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

    /// <summary>
    /// Every identity the payload names, as the adapter read it: its touchpoints' and its rejected entries'. A failure of
    /// the whole payload is recorded with them, so that erasing one of those people finds it.
    /// </summary>
    public IEnumerable<Identity> Identities => Touchpoints.SelectMany(t => t.Identities).Concat(Rejected.SelectMany(r => r.Identities));
}

/// <summary>A part of a payload that could not be normalized, with the reason an operator will read.</summary>
public sealed record RejectedEntry(int? EntryIndex, string Reason)
{
    /// <summary>Whose entry it is, when the adapter could tell: erasing that person erases the entry's raw payload too.</summary>
    public IReadOnlyList<Identity> Identities { get; init; } = [];
}

/// <summary>One adapter per sender, found by <see cref="Sources.SourceRegistry"/> under the source it states.</summary>
public interface ISourceAdapter
{
    Sources.SourceId Source { get; }

    NormalizationResult Normalize(RawPayload payload);
}

/// <summary>Thrown for input that will never succeed however often it is retried; it goes straight to the dead letters.</summary>
public sealed class PermanentIngestionException(string reason, Exception? inner = null) : Exception(reason, inner)
{
    /// <summary>Whose payload it is, as far as could be read (its entries read one by one): the dead letter records them.</summary>
    public IReadOnlyList<Identity> Identities { get; init; } = [];
}
