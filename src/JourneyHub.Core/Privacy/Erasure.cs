using JourneyHub.Core.Identities;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Processing;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Timeline;
using Microsoft.Extensions.Logging;

namespace JourneyHub.Core.Privacy;

/// <summary>Where an erasure request stands; served by GET /api/customers/{id}/erasure. Holds ids and counts, nothing personal.</summary>
public sealed record ErasureStatus
{
    public const string Pending = "pending";
    public const string Completed = "completed";

    public required string CustomerId { get; init; }
    public required string Status { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Every customer id erased: the one asked for, its survivor and everything merged into it.</summary>
    public IReadOnlyList<string> CustomerIds { get; init; } = [];
    public int Touchpoints { get; init; }

    /// <summary>Raw payloads deleted, or replaced by a redacted copy when they held other people's events too.</summary>
    public int RawPayloads { get; init; }
    public int Identities { get; init; }
}

/// <summary>The durable record of erasure requests (the request is written before any work starts).</summary>
public interface IErasureLog
{
    Task<ErasureStatus?> GetAsync(string customerId, CancellationToken cancellationToken);

    Task SaveAsync(ErasureStatus status, CancellationToken cancellationToken);
}

/// <summary>
/// The <c>journey-erasure</c> queue; its trigger runs <see cref="ErasureService.EraseAsync"/> for a customer and
/// <see cref="RawPayloadEraser.RedactAsync"/> for a payload. A failure is retried by the queue, then goes to its poison
/// queue, which is listed among the dead letters and replayable.
/// </summary>
public interface IErasureQueue
{
    Task EnqueueAsync(string customerId, CancellationToken cancellationToken);

    Task EnqueueAsync(PayloadRedactionRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// Right to erasure. DELETE records the request and queues it; the queue-triggered worker then, in an order that is
/// safe to repeat after a crash: writes the erasure tombstone on the summary row of the customer and every id merged
/// with it (every write into a partition is guarded by that row's ETag, so a racing event fails its check, meets the
/// tombstone and is dropped: it can never bring the customer back); suppresses each of the person's identities and deletes
/// its link in one atomic write (both rows live in the identity's own partition of the identity table, under its keyed
/// hash), so from then on an event naming it finds no customer and is dropped; erases the archived raw payloads of the
/// person's rows and dead letters (a payload that holds other people's events too is replaced by a redacted copy without the
/// person's entries, see <see cref="RawPayloadEraser"/>; dead letters are found by their keyed identity hashes); deletes analytics rows,
/// timeline rows, conflicts and object associations; strips the summary rows down to the tombstone; and
/// marks the request completed. Objects are not people: a deal or order id is never suppressed, and the raw payload of a
/// touchpoint that reached the person only through an object is kept while another person is still associated with that
/// object (a deal shared with another contact: the payload backs their copies); their rows and associations stay untouched.
/// An object only the erased person held goes with them: its entries leave a redacted copy like the person's own.
/// </summary>
public sealed partial class ErasureService(
    ICustomerStore customers,
    IIdentityStore identities,
    ITimelineStore timeline,
    RawPayloadEraser payloads,
    IDeadLetterErasure deadLetters,
    IIdentityConflictStore conflicts,
    ICustomerAggregates aggregates,
    ObjectAttribution objects,
    IErasureLog log,
    IErasureQueue queue,
    IdentityGuard guard,
    TimeProvider clock,
    ILogger<ErasureService> logger)
{
    private const int MaxCustomers = 200;

    /// <summary>Records and queues the request; null when neither the customer nor an earlier request is known.</summary>
    public async Task<ErasureStatus?> RequestAsync(string customerId, CancellationToken cancellationToken)
    {
        var existing = await log.GetAsync(customerId, cancellationToken);
        if (existing is { Status: ErasureStatus.Completed })
        {
            return existing;
        }

        if (existing is null && await customers.GetAsync(customerId, cancellationToken) is null)
        {
            return null;
        }

        var status = existing ?? new ErasureStatus { CustomerId = customerId, Status = ErasureStatus.Pending, RequestedAt = clock.GetUtcNow() };
        await log.SaveAsync(status, cancellationToken);

        // Queued again for a pending request too: the work is idempotent, and a lost message must not strand a request.
        await queue.EnqueueAsync(customerId, cancellationToken);
        LogRequested(customerId);
        return status;
    }

    public Task<ErasureStatus?> StatusAsync(string customerId, CancellationToken cancellationToken) => log.GetAsync(customerId, cancellationToken);

    public async Task<ErasureStatus> EraseAsync(string customerId, CancellationToken cancellationToken)
    {
        var status = await log.GetAsync(customerId, cancellationToken)
            ?? new ErasureStatus { CustomerId = customerId, Status = ErasureStatus.Pending, RequestedAt = clock.GetUtcNow() };
        if (status.Status == ErasureStatus.Completed)
        {
            return status;
        }

        // Remember every id before deleting the records that link them, so a retry after a crash still finds them all.
        var ids = await ConnectedCustomersAsync(status.CustomerIds.Prepend(customerId), cancellationToken);
        status = status with { CustomerIds = ids };
        await log.SaveAsync(status, cancellationToken);

        // Tombstones first; the records read afterwards can no longer change, so their identities are complete.
        var erasedAt = clock.GetUtcNow();
        var records = new List<CustomerRecord>();
        foreach (var id in ids)
        {
            records.Add(await customers.UpdateAsync(id, c => c.ErasedAt is not null ? c : c with { ErasedAt = erasedAt }, cancellationToken));
        }

        // Summaries written before objects were told apart from people may still list deal or order ids: never suppress those.
        var people = new HashSet<Identity>(IdentityTypes.People(records.SelectMany(r => r.Identities)));
        var rawRefs = new HashSet<string>(StringComparer.Ordinal);
        var objectPayloads = new Dictionary<string, HashSet<Identity>>(StringComparer.Ordinal);
        var rows = 0;
        var answers = new Dictionary<string, List<Touchpoint>>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            var surveys = answers[id] = [];
            string? cursor = null;
            do
            {
                var page = await timeline.QueryAsync(id, new TimelineQuery { Limit = TimelineQuery.MaxLimit, Cursor = cursor }, cancellationToken);
                foreach (var touchpoint in page.Items)
                {
                    people.UnionWith(guard.Linkable(touchpoint.Identities));
                    if (!string.IsNullOrEmpty(touchpoint.RawRef) && ObjectAttribution.NamesPerson(touchpoint))
                    {
                        rawRefs.Add(touchpoint.RawRef);
                    }
                    else if (!string.IsNullOrEmpty(touchpoint.RawRef))
                    {
                        if (!objectPayloads.TryGetValue(touchpoint.RawRef, out var via))
                        {
                            objectPayloads[touchpoint.RawRef] = via = [];
                        }

                        via.UnionWith(ObjectAttribution.ObjectIds(touchpoint));
                    }

                    if (touchpoint.Survey is not null)
                    {
                        surveys.Add(touchpoint);
                    }
                }

                cursor = page.NextCursor;
            }
            while (cursor is not null);
        }

        // A payload that names only objects goes with this person unless someone else is still associated with one of them
        // (the tombstones above already hide the erased ids from the associations); so do those objects' entries in a
        // payload that is redacted.
        var erased = new HashSet<Identity>(people);
        foreach (var (rawRef, via) in objectPayloads)
        {
            if ((await objects.PeopleOfAsync([.. via], cancellationToken)).Count == 0)
            {
                rawRefs.Add(rawRef);
                erased.UnionWith(via);
            }
        }

        // Suppress and unlink first (after the tombstones): from here on, new events for this person are dropped at ingestion.
        // The links go now rather than after the rows: nothing below reads them (the identities come from the records and rows).
        var identityList = people.ToList();
        var links = await identities.SuppressAndUnlinkAsync(identityList, ids, cancellationToken);

        // The person's dead-lettered and rejected events, where their identities could be read, and what they came from.
        foreach (var deadLetter in await deadLetters.FindAsync(identityList, cancellationToken))
        {
            if (deadLetter.BlobName.Length > 0)
            {
                rawRefs.Add(deadLetter.BlobName);
            }
        }

        var reason = "erasure of customer " + customerId;
        var erasedPeople = payloads.People(erased);
        var (deleted, redacted) = (0, 0);
        foreach (var rawRef in rawRefs.Order(StringComparer.Ordinal))
        {
            switch (await payloads.EraseAsync(rawRef, erasedPeople, reason, cancellationToken))
            {
                case PayloadErasure.Deleted:
                    deleted++;
                    break;
                case PayloadErasure.Redacted:
                    redacted++;
                    break;
            }
        }

        foreach (var id in ids)
        {
            // The map's part, the stage rows and the survey answers found on the timeline above; a delivery racing this
            // erasure cannot bring any of them back.
            await aggregates.RemoveAsync(id, answers.GetValueOrDefault(id) ?? [], cancellationToken);
            rows += await timeline.DeleteCustomerAsync(id, cancellationToken);
            await conflicts.DeleteCustomerAsync(id, cancellationToken);
            await objects.ForgetCustomerAsync(id, cancellationToken);
        }

        foreach (var id in ids)
        {
            // Only the tombstone stays: the id, when it was created, where it was merged, and that it is erased.
            await customers.UpdateAsync(
                id,
                c => c.Identities.Count == 0 && c.Merges.Count == 0 && c.Journey.TouchpointCount == 0
                    ? c
                    : new CustomerRecord { CustomerId = c.CustomerId, CreatedAt = c.CreatedAt, MergedInto = c.MergedInto, ErasedAt = c.ErasedAt ?? erasedAt },
                cancellationToken);
        }

        var done = status with
        {
            Status = ErasureStatus.Completed,
            CompletedAt = clock.GetUtcNow(),
            Touchpoints = status.Touchpoints + rows,
            RawPayloads = status.RawPayloads + deleted + redacted,
            Identities = status.Identities + links,
        };
        foreach (var id in ids)
        {
            // Every erased id answers GET .../erasure, whichever one the request named.
            await log.SaveAsync(done with { CustomerId = id }, cancellationToken);
        }

        LogErased(customerId, ids.Count, rows, deleted, redacted, links);
        return done;
    }

    /// <summary>The customer, its survivor and everything merged into either, following links both ways.</summary>
    private async Task<List<string>> ConnectedCustomersAsync(IEnumerable<string> start, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        var pending = new Queue<string>(start);
        while (pending.Count > 0 && ids.Count < MaxCustomers)
        {
            var id = pending.Dequeue();
            if (ids.Contains(id))
            {
                continue;
            }

            ids.Add(id);
            if (await customers.GetAsync(id, cancellationToken) is not { } record)
            {
                continue;
            }

            if (record.MergedInto is { } into)
            {
                pending.Enqueue(into);
            }

            foreach (var merge in record.Merges)
            {
                pending.Enqueue(merge.MergedCustomerId);
                if (merge.IntoCustomerId is { } survivor)
                {
                    pending.Enqueue(survivor);
                }
            }
        }

        return ids;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Erasure of {CustomerId} requested")]
    private partial void LogRequested(string customerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Erased {CustomerId}: {Customers} customer id(s), {Rows} timeline rows, {RawPayloads} raw payloads deleted and {Redacted} redacted, {Identities} identity links")]
    private partial void LogErased(string customerId, int customers, int rows, int rawPayloads, int redacted, int identities);
}
