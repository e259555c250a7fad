using JourneyHub.Core.Identities;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;
using Microsoft.Extensions.Logging;

namespace JourneyHub.Core.Privacy;

/// <summary>
/// The delivery path's side of redacting a payload that mixes erased people with others: one small work item on the
/// erasure queue instead of the redaction itself, which normalizes every entry again and rewrites the archive entry
/// (<see cref="RawPayloadEraser.RedactAsync"/> does that on the queue). The people travel as keyed hashes only.
/// </summary>
public sealed partial class PayloadRedactionQueue(IIdentityKeys keys, IErasureQueue queue, IIdentityStore identities, ILogger<PayloadRedactionQueue> logger)
{
    /// <summary>300 hashes of 64 characters keep a message near 20 KB, well under a Storage queue message's 64 KiB.</summary>
    public const int MaxKeysPerRequest = 300;

    /// <param name="erased">The identities of the erased people whose events the payload holds (person identities only).</param>
    public async Task QueueAsync(string rawRef, IEnumerable<Identity> erased, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(rawRef);
        ArgumentNullException.ThrowIfNull(erased);
        var hashes = erased.Select(keys.Hash).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (hashes.Count == 0)
        {
            return;
        }

        // Each work item redacts for its share of the people; together they take out every entry of them.
        foreach (var chunk in hashes.Chunk(MaxKeysPerRequest))
        {
            await queue.EnqueueAsync(new PayloadRedactionRequest(rawRef, chunk), cancellationToken);
        }

        LogQueued(rawRef, hashes.Count);
    }

    /// <summary>
    /// For a dead letter just written about <paramref name="rawRef"/>: queues the payload's redaction for those of
    /// <paramref name="named"/> whose person is erased (suppressed, and no customer holds the identity). An erasure finds
    /// a dead letter through its person index only once the dead letter itself is written, and it suppresses before it
    /// searches; a writer that writes before it checks therefore either is found by the erasure or finds the suppression
    /// here, so a dead letter written during or after an erasure does not keep the person's bytes. One lookup per distinct
    /// person identity: callers pass the people of dead letters only (rejected entries, failed payloads), not of every event.
    /// </summary>
    /// <returns>How many of the identities are erased people's.</returns>
    public async Task<int> QueueForErasedAsync(string rawRef, IEnumerable<Identity> named, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(rawRef);
        var erased = await ErasedAmongAsync(named, cancellationToken);
        if (erased.Count > 0)
        {
            await QueueAsync(rawRef, erased, cancellationToken);
        }

        return erased.Count;
    }

    /// <summary>The person identities among <paramref name="named"/> that are suppressed and linked to no customer (one lookup each).</summary>
    public async Task<IReadOnlyList<Identity>> ErasedAmongAsync(IEnumerable<Identity> named, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(named);
        var erased = new List<Identity>();
        foreach (var identity in IdentityTypes.People(named).Distinct())
        {
            if (await identities.LookupAsync(identity, cancellationToken) is { CustomerId: null, IsSuppressed: true })
            {
                erased.Add(identity);
            }
        }

        return erased;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Redaction of {RawRef} queued for {Identities} identities of erased people")]
    private partial void LogQueued(string rawRef, int identities);
}
