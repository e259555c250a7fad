using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Timeline;

namespace JourneyHub.Core.Ports;

public interface IRawArchive
{
    /// <summary>
    /// The reference (<c>rawRef</c>) that <see cref="ArchiveAsync"/> stores these bytes under. It depends only on the
    /// content (source, sender facts, bytes), so the queue message can be sent while the write is in flight, and a
    /// redelivery of the same bytes lands on the same entry (erasure finds it through the rows' <c>rawRef</c>).
    /// </summary>
    string ReferenceFor(string source, ReadOnlyMemory<byte> body, string contentType, IReadOnlyDictionary<string, string> properties);

    /// <summary>Stores the exact bytes received, durably, before it returns; returns <see cref="ReferenceFor"/>. Storing the same content again is a no-op.</summary>
    Task<string> ArchiveAsync(string source, ReadOnlyMemory<byte> body, string contentType, IReadOnlyDictionary<string, string> properties, DateTimeOffset receivedAt, CancellationToken cancellationToken);

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

public interface ITimelineStore
{
    /// <summary>Writes rows for one customer; rows that already exist are reported as duplicates and left as they are.</summary>
    Task<AppendResult> AppendAsync(string customerId, IReadOnlyList<Touchpoint> touchpoints, CancellationToken cancellationToken);

    Task<TimelinePage> QueryAsync(string customerId, TimelineQuery query, CancellationToken cancellationToken);

    Task<int> DeleteCustomerAsync(string customerId, CancellationToken cancellationToken);
}

public sealed record AppendResult(IReadOnlyList<Touchpoint> Inserted, IReadOnlyList<Touchpoint> Duplicates);

public interface IIdentityStore
{
    Task<string?> FindCustomerAsync(Identity identity, CancellationToken cancellationToken);

    /// <summary>Links the identity to the customer unless it is linked already; returns the customer it is linked to.</summary>
    Task<string> ClaimAsync(Identity identity, string customerId, CancellationToken cancellationToken);

    /// <summary>Moves a link from one customer to another, only if it still points at <paramref name="fromCustomerId"/>.</summary>
    Task<bool> ReassignAsync(Identity identity, string fromCustomerId, string toCustomerId, CancellationToken cancellationToken);

    Task DeleteAsync(Identity identity, CancellationToken cancellationToken);
}

public interface ICustomerStore
{
    Task<CustomerRecord?> GetAsync(string customerId, CancellationToken cancellationToken);

    Task CreateAsync(CustomerRecord customer, CancellationToken cancellationToken);

    /// <summary>Read-modify-write under optimistic concurrency; <paramref name="update"/> may run more than once.</summary>
    Task<CustomerRecord> UpdateAsync(string customerId, Func<CustomerRecord, CustomerRecord> update, CancellationToken cancellationToken);

    Task DeleteAsync(string customerId, CancellationToken cancellationToken);
}

public static class CustomerStoreExtensions
{
    private const int MaxMergeHops = 10;

    /// <summary>The customer that <paramref name="customerId"/> is now: merged-away ids lead to their survivor.</summary>
    public static async Task<CustomerRecord?> FindSurvivorAsync(this ICustomerStore customers, string customerId, CancellationToken cancellationToken)
    {
        var record = await customers.GetAsync(customerId, cancellationToken);
        for (var hop = 0; record?.MergedInto is { } next && hop < MaxMergeHops; hop++)
        {
            record = await customers.GetAsync(next, cancellationToken);
        }

        return record;
    }
}

public sealed record CustomerRecord
{
    public required string CustomerId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public IReadOnlyList<Identity> Identities { get; init; } = [];
    public Journey.JourneyState Journey { get; init; } = new();
    public string? MergedInto { get; init; }
    public IReadOnlyList<Identities.MergeRecord> Merges { get; init; } = [];

    /// <summary>
    /// Ids of the touchpoints most recently applied to <see cref="Journey"/>, written in the same entity
    /// update, so a retried delivery can tell which of its already-stored rows still need applying.
    /// </summary>
    public IReadOnlyList<string> RecentlyApplied { get; init; } = [];
}

public interface IDeadLetterStore
{
    Task AddAsync(DeadLetter deadLetter, CancellationToken cancellationToken);

    Task<IReadOnlyList<DeadLetter>> ListAsync(string? source, DateTimeOffset? from, DateTimeOffset? to, int limit, CancellationToken cancellationToken);

    Task<DeadLetter?> GetAsync(string id, CancellationToken cancellationToken);

    Task RemoveForBlobAsync(string blobName, CancellationToken cancellationToken);
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
}

public interface ITouchpointPublisher
{
    Task PublishAsync(IReadOnlyList<Touchpoint> touchpoints, CancellationToken cancellationToken);
}

/// <summary>Adds what a source's API knows about a touchpoint (e-mail of a CRM contact, lifecycle stage…).</summary>
public interface ITouchpointEnricher
{
    Sources.SourceId Source { get; }

    Task<IReadOnlyList<Touchpoint>> EnrichAsync(IReadOnlyList<Touchpoint> touchpoints, CancellationToken cancellationToken);
}

public interface IStorageHealth
{
    Task<IReadOnlyDictionary<string, bool>> CheckAsync(CancellationToken cancellationToken);
}
