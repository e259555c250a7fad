using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Privacy;

/// <summary>An archived raw payload as erasure reads it: the bytes, sender facts and content type, and the version a replace is conditional on.</summary>
/// <param name="Redaction">Set when the entry is already a redacted copy.</param>
public sealed record ArchivedPayload(RawPayload Payload, string ContentType, string Version, RedactionMark? Redaction);

/// <summary>Marks a redacted copy: when, and why (which erasure), without naming the person.</summary>
public sealed record RedactionMark(DateTimeOffset RedactedAt, string Reason);

/// <summary>
/// Reads and replaces archived raw payloads in place. The copy keeps its reference (<c>rawRef</c>): the other people's
/// rows, dead letters and replays keep finding it, and a redelivery of the original bytes lands on it without
/// overwriting it (the archive never overwrites an existing entry on ingestion).
/// </summary>
public interface IRawPayloadRedaction
{
    /// <summary>The archived entry under <paramref name="rawRef"/>; null when it does not exist (any more).</summary>
    Task<ArchivedPayload?> GetAsync(string rawRef, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the entry <paramref name="archived"/> (as <see cref="GetAsync"/> read it) by <paramref name="body"/>, marked
    /// with <paramref name="mark"/>, keeping its source, sender facts, content type and receipt time (retention still
    /// counts from the original receipt). One write, conditional on the version read: false when the entry changed since
    /// (or is gone), and the caller reads it again.
    /// </summary>
    Task<bool> ReplaceAsync(ArchivedPayload archived, ReadOnlyMemory<byte> body, RedactionMark mark, CancellationToken cancellationToken);
}

/// <summary>
/// Dead letters by whose they are. The store keeps the identities of a dead letter only as keyed hashes (HMAC-SHA256 under
/// the suppression key, like the identity table), so it can answer "which dead letters name this person" without holding
/// their identities in plain text for that purpose.
/// </summary>
public interface IDeadLetterErasure
{
    /// <summary>The dead letters recorded with at least one of <paramref name="identities"/>.</summary>
    Task<IReadOnlyList<DeadLetter>> FindAsync(IReadOnlyCollection<Identity> identities, CancellationToken cancellationToken);

    /// <summary>
    /// After the payload <paramref name="blobName"/> lost the entries of erased people: deletes its per-entry dead letters
    /// that name one of <paramref name="erasedKeys"/> (<see cref="IIdentityKeys"/> hashes, what the store holds), and drops
    /// those keys from the others. When <paramref name="renumbered"/>, the others' entry numbers no longer match the copy:
    /// they are cleared and the reason says so (a replay judges the copy again and numbers what still fails). Returns the
    /// number deleted.
    /// </summary>
    Task<int> SettleAsync(string blobName, IReadOnlySet<string> erasedKeys, bool renumbered, RedactionMark mark, CancellationToken cancellationToken);
}

/// <summary>
/// The keyed hash of an identity (HMAC-SHA256 of its normalized "type:value" under the suppression key): how the suppression
/// list, the dead letters and the erasure queue's redaction work items name a person without holding the identity in plain text.
/// </summary>
public interface IIdentityKeys
{
    string Hash(Identity identity);
}

/// <summary>
/// A work item of the <c>journey-erasure</c> queue: take the entries of erased people out of the archived payload
/// <paramref name="RawRef"/>. The people travel as <see cref="IIdentityKeys"/> hashes only (a poisoned message is listed
/// and quoted as a dead letter, so its text must name no one); the worker finds the identities again in the payload itself.
/// </summary>
public sealed record PayloadRedactionRequest(string RawRef, IReadOnlyList<string> ErasedKeys);
