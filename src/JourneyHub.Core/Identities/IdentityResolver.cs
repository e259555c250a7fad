using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;
using Microsoft.Extensions.Logging;

namespace JourneyHub.Core.Identities;

/// <summary>
/// Maps the identities of a touchpoint to one customer id. Identities are claimed in a fixed order with
/// insert-if-absent, so two first events for the same person racing each other end up on one customer.
/// Blocked values (placeholders, shared inboxes) never link anyone; links beyond the per-type limit are
/// recorded as conflicts instead of made. A customer found with a pending merge has that merge finished first.
/// </summary>
public sealed partial class IdentityResolver(
    IIdentityStore identities,
    ICustomerStore customers,
    ICustomerMerger merger,
    IIdentityConflictStore conflicts,
    IdentityGuard guard,
    TimeProvider clock,
    ILogger<IdentityResolver> logger)
{
    public async Task<string?> ResolveAsync(IReadOnlyList<Identity> touchpointIdentities, string cause, CancellationToken cancellationToken)
    {
        var ordered = guard.Linkable(touchpointIdentities);
        if (ordered.Count == 0)
        {
            return null;
        }

        // Who each identity points at now, and where that customer lives after any merge (finishing pending ones).
        var linked = new Dictionary<Identity, string>();
        var rootOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var identity in ordered)
        {
            if (await identities.FindCustomerAsync(identity, cancellationToken) is { } existing)
            {
                linked[identity] = existing;
                if (!rootOf.ContainsKey(existing))
                {
                    rootOf[existing] = await merger.SettleAsync(existing, cancellationToken);
                }
            }
        }

        var roots = rootOf.Values.Distinct(StringComparer.Ordinal).ToList();
        var isNew = roots.Count == 0;
        var customerId = isNew ? TouchpointIds.NewCustomerId(clock.GetUtcNow())
            : roots.Count == 1 ? roots[0]
            : await merger.MergeAsync(roots, cause, cancellationToken);

        // Links still naming a merged-away customer (claimed while it was being merged) follow it to its survivor.
        foreach (var (identity, owner) in linked)
        {
            var root = roots.Count > 1 ? await merger.SettleAsync(rootOf[owner], cancellationToken) : rootOf[owner];
            if (root != owner)
            {
                await identities.ReassignAsync(identity, owner, root, cancellationToken);
            }

            linked[identity] = root;
        }

        var record = isNew ? null : await customers.GetAsync(customerId, cancellationToken);
        var held = new List<Identity>(record?.Identities ?? []);
        held.AddRange(linked.Where(l => l.Value == customerId).Select(l => l.Key).Where(i => !held.Contains(i)));
        var claimedForCandidate = new List<Identity>();
        foreach (var identity in ordered.Where(i => !linked.ContainsKey(i)))
        {
            if (!guard.FitsLimit(held, [identity], out _))
            {
                await RecordLimitConflictAsync(customerId, identity, cause, cancellationToken);
                continue;
            }

            var owner = await identities.ClaimAsync(identity, customerId, cancellationToken);
            if (owner == customerId)
            {
                held.Add(identity);
                if (isNew)
                {
                    claimedForCandidate.Add(identity);
                }

                continue;
            }

            var ownerRoot = await merger.SettleAsync(owner, cancellationToken);
            if (ownerRoot != owner)
            {
                await identities.ReassignAsync(identity, owner, ownerRoot, cancellationToken);
            }

            if (isNew && claimedForCandidate.Count == 0)
            {
                // Another delivery for the same person won the race before our candidate claimed anything.
                LogLostRace(identity.Type, ownerRoot);
                customerId = ownerRoot;
                isNew = false;
                held = [.. (await customers.GetAsync(customerId, cancellationToken))?.Identities ?? [], identity];
                continue;
            }

            if (isNew)
            {
                // Our candidate already holds some identities: hand them to the winner instead of leaving a second customer.
                LogLostRace(identity.Type, ownerRoot);
                foreach (var mine in claimedForCandidate)
                {
                    await identities.ReassignAsync(mine, customerId, ownerRoot, cancellationToken);
                }

                customerId = ownerRoot;
                isNew = false;
                held = [.. (await customers.GetAsync(customerId, cancellationToken))?.Identities ?? [], .. claimedForCandidate, identity];
                continue;
            }

            if (ownerRoot != customerId)
            {
                // Linked meanwhile by someone else: the touchpoint joins two customers.
                var before = customerId;
                customerId = await merger.MergeAsync([customerId, ownerRoot], cause, cancellationToken);
                held = customerId == before ? held : [.. (await customers.GetAsync(customerId, cancellationToken))?.Identities ?? []];
                if (await identities.FindCustomerAsync(identity, cancellationToken) == customerId)
                {
                    held.Add(identity);
                }
            }
        }

        // Only identities that really point at this customer are listed on it (a refused merge leaves others apart).
        var mineNow = held.Where(i => ordered.Contains(i)).ToList();
        if (record is null || record.CustomerId != customerId || mineNow.Any(i => !record.Identities.Contains(i)))
        {
            // Most touchpoints of a known customer add no identity: skip the write (and the ETag contention it brings).
            await customers.UpdateAsync(customerId, c => c with { Identities = Union(c.Identities, mineNow) }, cancellationToken);
        }

        return customerId;
    }

    private async Task RecordLimitConflictAsync(string customerId, Identity identity, string cause, CancellationToken cancellationToken)
    {
        LogLimit(customerId, identity.Type, guard.Options.MaxPerType);
        await conflicts.RecordAsync(
            new IdentityConflict
            {
                CustomerId = customerId,
                At = clock.GetUtcNow(),
                Reason = IdentityConflictReasons.MaxPerType,
                Detail = $"The customer already has {guard.Options.MaxPerType} identities of type '{identity.Type}' (Identity:MaxPerType); this one was not linked.",
                Cause = cause,
                Identities = [identity],
            },
            cancellationToken);
    }

    /// <summary>The union, or <paramref name="existing"/> itself when nothing is new.</summary>
    internal static IReadOnlyList<Schema.Identity> Union(IReadOnlyList<Schema.Identity> existing, IEnumerable<Schema.Identity> added)
    {
        List<Schema.Identity>? set = null;
        foreach (var identity in added)
        {
            if (!(set ?? existing).Contains(identity))
            {
                set ??= [.. existing];
                set.Add(identity);
            }
        }

        return set ?? existing;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Concurrent first delivery: {IdentityType} already belongs to {CustomerId}; joining it")]
    private partial void LogLostRace(string identityType, string customerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Customer {CustomerId} already has {Max} identities of type {IdentityType}; the new one is recorded as a conflict")]
    private partial void LogLimit(string customerId, string identityType, int max);
}

/// <summary>Joins customers that one touchpoint shows to be the same person.</summary>
public interface ICustomerMerger
{
    /// <summary>Merges the customers into the oldest and returns it; when a guard refuses, records a conflict and returns the oldest unmerged.</summary>
    Task<string> MergeAsync(IReadOnlyList<string> customerIds, string cause, CancellationToken cancellationToken);

    /// <summary>Follows <c>MergedInto</c> to the surviving customer, finishing any merge a crash left pending on the way.</summary>
    Task<string> SettleAsync(string customerId, CancellationToken cancellationToken);
}
