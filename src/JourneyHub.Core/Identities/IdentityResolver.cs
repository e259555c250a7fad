using JourneyHub.Core.Ports;
using JourneyHub.Core.Processing;
using JourneyHub.Core.Schema;
using Microsoft.Extensions.Logging;

namespace JourneyHub.Core.Identities;

/// <summary>
/// Maps the identities of a touchpoint to one customer id. Identities are claimed in a fixed order with
/// insert-if-absent, so two first events for the same person racing each other end up on one customer.
/// Blocked values (placeholders, shared inboxes) never link anyone; links beyond the per-type limit are
/// recorded as conflicts instead of made. An identity's suppression (its person was erased) counts only while no
/// customer holds it (erasure removes the links); the identity table answers link and suppression in one lookup, so an
/// unknown identity costs one request before its claim, and a claim of an identity erased after that lookup answers
/// "suppressed" instead of linking it. The common case, every identity already linked to one customer,
/// costs no storage request with a warm link cache: the write that follows meets any tombstone and follows it.
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
    /// <summary>
    /// The customer a touchpoint with these identities belongs to. The identities it links are returned, not written:
    /// the caller lists them on the summary in the same transaction as the rows.
    /// </summary>
    public async Task<CustomerAssignment> AssignAsync(IReadOnlyList<Identity> touchpointIdentities, string cause, CancellationToken cancellationToken)
    {
        var ordered = guard.Linkable(touchpointIdentities);
        if (ordered.Count == 0)
        {
            return CustomerAssignment.NoIdentity;
        }

        var linked = new Dictionary<Identity, string>();
        foreach (var identity in ordered)
        {
            var found = await identities.LookupAsync(identity, cancellationToken);
            if (found.CustomerId is { } existing)
            {
                linked[identity] = existing;
            }
            else if (found.IsSuppressed)
            {
                // An identity of an erased person that nobody holds: the touchpoint is dropped, whatever else it names.
                return CustomerAssignment.Suppressed;
            }
        }

        var unknown = ordered.Count - linked.Count;
        var owners = linked.Values.Distinct(StringComparer.Ordinal).ToList();
        if (unknown == 0 && owners.Count == 1)
        {
            return new CustomerAssignment(owners[0], []);
        }

        try
        {
            return await SettleAndClaimAsync(ordered, linked, owners, cause, cancellationToken);
        }
        catch (CustomerErasedException ex)
        {
            LogErasedOwner(ex.CustomerId);
            return CustomerAssignment.Suppressed;
        }
    }

    /// <summary>The slow path: new identities to claim, or several customers to settle and merge.</summary>
    private async Task<CustomerAssignment> SettleAndClaimAsync(IReadOnlyList<Identity> ordered, Dictionary<Identity, string> linked, List<string> owners, string cause, CancellationToken cancellationToken)
    {
        // Where each linked customer lives after any merge (finishing pending ones).
        var rootOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var owner in owners)
        {
            rootOf[owner] = await merger.SettleAsync(owner, cancellationToken);
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
        if (record?.ErasedAt is not null)
        {
            // Erasure is under way for this person: link nothing new to it.
            throw new CustomerErasedException(customerId);
        }

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

            var claim = await identities.ClaimAsync(identity, customerId, cancellationToken);
            if (claim.IsSuppressed)
            {
                // Its person was erased after our lookup: the touchpoint is dropped, as the lookup would have dropped it.
                // Identities claimed for a new candidate before it stay linked to that candidate, which has no rows: as
                // if their person had first appeared alone.
                LogSuppressedOnClaim(identity.Type);
                return CustomerAssignment.Suppressed;
            }

            var owner = claim.CustomerId;
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
        var listed = record is not null && record.CustomerId == customerId ? record.Identities : [];
        return new CustomerAssignment(customerId, mineNow.Where(i => !listed.Contains(i)).ToList()) { IsNew = isNew };
    }

    /// <summary>
    /// Links this delivery made to a customer whose erasure began meanwhile (the write met its tombstone): the erasure
    /// listed the customer's identities before these existed, so it cannot remove them. They are suppressed like the
    /// rest of the person and the links that still name the erased customer are deleted, so no identity of an erased
    /// person stays in the link table.
    /// </summary>
    public async Task UnlinkFromErasedAsync(IReadOnlyCollection<Identity> linked, string erasedCustomerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(linked);
        if (linked.Count == 0)
        {
            return;
        }

        await identities.SuppressAndUnlinkAsync(linked, [erasedCustomerId], cancellationToken);

        LogUnlinkedFromErased(linked.Count, erasedCustomerId);
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
    public static IReadOnlyList<Identity> Union(IReadOnlyList<Identity> existing, IEnumerable<Identity> added)
    {
        List<Identity>? set = null;
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

    [LoggerMessage(Level = LogLevel.Information, Message = "An identity of the touchpoint still points at erased customer {CustomerId}: suppressed")]
    private partial void LogErasedOwner(string customerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "An identity of the touchpoint ({IdentityType}) was erased while it was being claimed: suppressed")]
    private partial void LogSuppressedOnClaim(string identityType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} identities linked while customer {CustomerId} was being erased: suppressed and unlinked")]
    private partial void LogUnlinkedFromErased(int count, string customerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Concurrent first delivery: {IdentityType} already belongs to {CustomerId}; joining it")]
    private partial void LogLostRace(string identityType, string customerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Customer {CustomerId} already has {Max} identities of type {IdentityType}; the new one is recorded as a conflict")]
    private partial void LogLimit(string customerId, string identityType, int max);
}

/// <summary>Which customer a touchpoint belongs to, and the identities newly linked to it.</summary>
public sealed record CustomerAssignment(string? CustomerId, IReadOnlyList<Identity> Linked)
{
    /// <summary>No identity that can name a customer.</summary>
    public static CustomerAssignment NoIdentity { get; } = new(null, []);

    /// <summary>An identity of an erased person: the touchpoint is dropped.</summary>
    public static CustomerAssignment Suppressed { get; } = new(null, []) { IsSuppressed = true };

    public bool IsSuppressed { get; init; }

    /// <summary>
    /// The customer id was minted for this delivery: it has no summary row yet, so its first write need not read one (a
    /// concurrent delivery that found the new links and wrote first makes that write fail, and the summary is read then).
    /// </summary>
    public bool IsNew { get; init; }
}

/// <summary>Joins customers that one touchpoint shows to be the same person.</summary>
public interface ICustomerMerger
{
    /// <summary>Merges the customers into the oldest and returns it; when a guard refuses, records a conflict and returns the oldest unmerged.</summary>
    Task<string> MergeAsync(IReadOnlyList<string> customerIds, string cause, CancellationToken cancellationToken);

    /// <summary>Follows <c>MergedInto</c> to the surviving customer, finishing any merge a crash left pending on the way.</summary>
    Task<string> SettleAsync(string customerId, CancellationToken cancellationToken);
}
