using System.Diagnostics.CodeAnalysis;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Timeline;

namespace JourneyHub.Core.Ports;

public interface IRawArchive
{
    /// <summary>
    /// The reference (<c>rawRef</c>) that <see cref="ArchiveAsync"/> stores these bytes under. It depends only on the
    /// content (source, sender facts, bytes), so it is known at the acknowledgement even when the processor writes the
    /// entry later (<see cref="ArchiveInlineBodyAsync"/>), and a redelivery of the same bytes lands on the same entry
    /// (erasure finds it through the rows' <c>rawRef</c>).
    /// </summary>
    string ReferenceFor(string source, ReadOnlyMemory<byte> body, string contentType, IReadOnlyDictionary<string, string> properties);

    /// <summary>Stores the exact bytes received, durably, before it returns; returns <see cref="ReferenceFor"/>. Storing the same content again is a no-op.</summary>
    Task<string> ArchiveAsync(string source, ReadOnlyMemory<byte> body, string contentType, IReadOnlyDictionary<string, string> properties, DateTimeOffset receivedAt, CancellationToken cancellationToken);

    /// <summary>
    /// Stores the bytes a queue message carries (<see cref="IngestionMessage.InlineBody"/>) under the message's own
    /// reference, durably, before it returns; nothing for a message without bytes. An entry that exists already (a retry,
    /// a redelivery, a replay, a redacted copy) is left as it is.
    /// </summary>
    /// <returns>True when this call stored the bytes; false when the message carries none or the entry was there already.</returns>
    Task<bool> ArchiveInlineBodyAsync(IngestionMessage message, CancellationToken cancellationToken);

    /// <summary>The payload of a queue message: its inline bytes without any I/O when it carries them, else the archived entry; null when erased.</summary>
    Task<RawPayload?> ReadAsync(IngestionMessage message, CancellationToken cancellationToken);

    /// <summary>Deletes an archived payload by its <c>rawRef</c>; a reference that no longer exists is not an error.</summary>
    Task DeleteAsync(string rawRef, CancellationToken cancellationToken);
}

public interface IIngestionQueue
{
    /// <summary>Whether <paramref name="message"/>, inline bytes included, fits into one queue message.</summary>
    bool CanCarry(IngestionMessage message);

    Task EnqueueAsync(IngestionMessage message, CancellationToken cancellationToken);
}

/// <summary>
/// One partition per customer: the timeline rows and, apart from them by row key, the journey summary row
/// (<see cref="CustomerRecord"/>). Rows and summary change together, so a row exists exactly when it was applied.
/// </summary>
public interface ITimelineStore
{
    /// <summary>
    /// Inserts the rows that are new and applies them to the customer's journey summary in one entity-group transaction
    /// per at most 100 operations, guarded by the summary row's ETag. Rows that already exist were applied before and are
    /// reported as duplicates. A merge tombstone is followed to the survivor; an erasure tombstone stops the write.
    /// </summary>
    Task<AppendResult> AppendAsync(string customerId, IReadOnlyList<Touchpoint> touchpoints, AppendOptions options, CancellationToken cancellationToken);

    /// <summary>A page of touchpoints, parsed, with the storage facts they carry (merges and erasure copy and delete them).</summary>
    Task<TimelinePage> QueryAsync(string customerId, TimelineQuery query, CancellationToken cancellationToken);

    /// <summary>The same page as <see cref="QueryAsync"/>, each row's stored Touchpoint v1 JSON as written: what the read API serves.</summary>
    Task<StoredTimelinePage> ReadPageAsync(string customerId, TimelineQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// The archive references (<see cref="Touchpoint.RawRef"/>) the stored rows of these touchpoints hold, or null when a
    /// row is not there. Each touchpoint is given as <see cref="AppendResult.Duplicates"/> reports it, so its time and id
    /// name the stored row.
    /// </summary>
    Task<IReadOnlySet<string>?> StoredRawRefsAsync(string customerId, IReadOnlyList<Touchpoint> touchpoints, CancellationToken cancellationToken);

    /// <summary>Deletes the timeline rows of the partition; the summary row (and any tombstone on it) stays.</summary>
    Task<int> DeleteCustomerAsync(string customerId, CancellationToken cancellationToken);
}

public sealed record AppendOptions
{
    public static AppendOptions Default { get; } = new();

    /// <summary>Identities to list on the customer's summary in the same write (links the resolver just made).</summary>
    public IReadOnlyList<Identity> Identities { get; init; } = [];

    /// <summary>
    /// A retry or a replay: some rows probably exist already, so they are looked up in one range query first instead of
    /// being discovered one insert conflict at a time.
    /// </summary>
    public bool RowsMayExist { get; init; }

    /// <summary>The customer was created by this delivery (<see cref="CustomerAssignment.IsNew"/>): no summary row to read before the first write.</summary>
    public bool CustomerIsNew { get; init; }
}

public sealed record AppendResult
{
    /// <summary>Where the rows went: the requested customer, or the survivor its merge tombstone named.</summary>
    public required string CustomerId { get; init; }
    public IReadOnlyList<Touchpoint> Inserted { get; init; } = [];
    public IReadOnlyList<Touchpoint> Duplicates { get; init; } = [];

    /// <summary>Rows dropped because the customer was erased (its tombstone was met).</summary>
    public IReadOnlyList<Touchpoint> Erased { get; init; } = [];

    public JourneyState Before { get; init; } = new();
    public JourneyState After { get; init; } = new();

    /// <summary>The requested customer when a merge tombstone was followed: its merge may still need finishing.</summary>
    public string? FollowedFrom { get; init; }

    /// <summary>The summary lists a merge that has not finished: the caller settles it.</summary>
    public bool HasPendingMerges { get; init; }
}

/// <summary>
/// The identity table: per identity one record, the customer it is linked to and whether its person was erased
/// (suppressed), so one request answers both questions for an identity no cached link names, and a claim and an erasure
/// of one identity meet on that one record (whichever writes first, the other sees it).
/// </summary>
public interface IIdentityStore
{
    /// <summary>The customer the identity is linked to, and whether it is suppressed: one request.</summary>
    Task<IdentityLookup> LookupAsync(Identity identity, CancellationToken cancellationToken);

    /// <summary>
    /// Links the identity to the customer unless it is linked already (the first writer wins) and returns the customer it
    /// is linked to, or <see cref="IdentityClaim.Suppressed"/> when its person was erased and nobody holds it: an erased
    /// person's identity is never linked to anyone again, however the claim and the erasure interleave.
    /// </summary>
    Task<IdentityClaim> ClaimAsync(Identity identity, string customerId, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a link from one customer to another, only if it still points at <paramref name="fromCustomerId"/> (an erased
    /// identity nobody holds points at no one, so it is never moved). A suppression the link carries moves with it.
    /// </summary>
    Task<bool> ReassignAsync(Identity identity, string fromCustomerId, string toCustomerId, CancellationToken cancellationToken);

    /// <summary>
    /// Erasure: suppresses each identity (later events naming it, while no customer holds it, are dropped, and no claim
    /// links it again) and, in the same atomic write, unlinks it if the link still names one of
    /// <paramref name="erasedCustomerIds"/> (a link to anyone else is theirs and stays, marked suppressed). Safe to
    /// repeat. Returns how many links were removed.
    /// </summary>
    Task<int> SuppressAndUnlinkAsync(IReadOnlyCollection<Identity> identities, IReadOnlyCollection<string> erasedCustomerIds, CancellationToken cancellationToken);
}

/// <summary>What the identity table holds for one identity.</summary>
/// <param name="CustomerId">The customer the identity is linked to; null when none is.</param>
/// <param name="IsSuppressed">The identity belonged to an erased person. Only consulted while no customer holds the identity.</param>
public readonly record struct IdentityLookup(string? CustomerId, bool IsSuppressed);

/// <summary>What a claim of an identity ended with.</summary>
/// <param name="CustomerId">The customer the identity is linked to (the claimant's or an earlier writer's); null when suppressed.</param>
public readonly record struct IdentityClaim(string? CustomerId)
{
    /// <summary>The identity's person was erased and no customer holds it: nothing was linked.</summary>
    public static IdentityClaim Suppressed => default;

    [MemberNotNullWhen(false, nameof(CustomerId))]
    public bool IsSuppressed => CustomerId is null;
}

public static class IdentityStoreExtensions
{
    /// <summary>The customer the identity is linked to, or null.</summary>
    public static async Task<string?> FindCustomerAsync(this IIdentityStore store, Identity identity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return (await store.LookupAsync(identity, cancellationToken)).CustomerId;
    }
}

/// <summary>The summary row of a customer partition, read and written on its own (merges, identities, tombstones).</summary>
public interface ICustomerStore
{
    Task<CustomerRecord?> GetAsync(string customerId, CancellationToken cancellationToken);

    /// <summary>
    /// Read-modify-write of the summary row under its ETag; creates it when missing. <paramref name="update"/> may run more
    /// than once; returning the record unchanged (the same instance) skips the write.
    /// </summary>
    Task<CustomerRecord> UpdateAsync(string customerId, Func<CustomerRecord, CustomerRecord> update, CancellationToken cancellationToken);
}

public static class CustomerStoreExtensions
{
    private const int MaxMergeHops = 10;

    /// <summary>The customer that <paramref name="customerId"/> is now: merged-away ids lead to their survivor; erased ones to nothing.</summary>
    public static async Task<CustomerRecord?> FindSurvivorAsync(this ICustomerStore customers, string customerId, CancellationToken cancellationToken)
    {
        var record = await customers.GetAsync(customerId, cancellationToken);
        for (var hop = 0; record?.MergedInto is { } next && hop < MaxMergeHops; hop++)
        {
            record = await customers.GetAsync(next, cancellationToken);
        }

        return record is { ErasedAt: null, MergedInto: null } ? record : null;
    }
}

/// <summary>The summary row of a customer partition: profile, journey summary, and the tombstones of merge and erasure.</summary>
public sealed record CustomerRecord
{
    public required string CustomerId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public IReadOnlyList<Identity> Identities { get; init; } = [];
    public JourneyState Journey { get; init; } = new();

    /// <summary>Merge tombstone: the customer this one was merged into. Written first by a merge; writers follow it.</summary>
    public string? MergedInto { get; init; }
    public IReadOnlyList<MergeRecord> Merges { get; init; } = [];

    /// <summary>Erasure tombstone: written first by an erasure; nothing is written into the partition afterwards.</summary>
    public DateTimeOffset? ErasedAt { get; init; }

    /// <summary>The summary row's ETag when read (opaque; null for a record not yet stored).</summary>
    public string? ETag { get; init; }

    public bool HasPendingMerges => Merges.Any(m => m.CompletedAt is null && m.IntoCustomerId == CustomerId && m.MergedCustomerId != CustomerId);
}

public interface IDeadLetterStore
{
    Task AddAsync(DeadLetter deadLetter, CancellationToken cancellationToken);

    Task<IReadOnlyList<DeadLetter>> ListAsync(string? source, DateTimeOffset? from, DateTimeOffset? to, int limit, CancellationToken cancellationToken);

    Task<DeadLetter?> GetAsync(string id, CancellationToken cancellationToken);

    Task RemoveForBlobAsync(string blobName, CancellationToken cancellationToken);

    Task RemoveAsync(string id, CancellationToken cancellationToken);
}

public sealed record DeadLetter
{
    public required string Id { get; init; }
    public required string Source { get; init; }
    public required string BlobName { get; init; }
    public required string Reason { get; init; }
    public required DateTimeOffset FailedAt { get; init; }
    public DateTimeOffset ReceivedAt { get; init; }
    public int? EntryIndex { get; init; }
    public string CorrelationId { get; init; } = "";

    /// <summary>For a poisoned work-queue message (erasure, backfill): the queue it belongs to, and its text to send back on replay.</summary>
    public string Queue { get; init; } = "";
    public string? Message { get; init; }

    /// <summary>
    /// Whose failure it is, when known (the identities of a rejected entry or of the payload's touchpoints). The store keeps
    /// only their keyed hashes, like the identity table, so that an erasure finds the dead letter without the table
    /// holding personal data for that purpose; read back, this is empty.
    /// </summary>
    public IReadOnlyList<Identity> Identities { get; init; } = [];
}

public interface ITouchpointPublisher
{
    Task PublishAsync(IReadOnlyList<Touchpoint> touchpoints, CancellationToken cancellationToken);
}

/// <summary>Adds what a source's API knows about a touchpoint (e-mail of a CRM contact, lifecycle stage…).</summary>
public interface ITouchpointEnricher
{
    SourceId Source { get; }

    Task<IReadOnlyList<Touchpoint>> EnrichAsync(IReadOnlyList<Touchpoint> touchpoints, CancellationToken cancellationToken);
}

public interface IStorageHealth
{
    Task<IReadOnlyDictionary<string, bool>> CheckAsync(CancellationToken cancellationToken);
}
