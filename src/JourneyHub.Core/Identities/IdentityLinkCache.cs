using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;
using Microsoft.Extensions.Caching.Memory;

namespace JourneyHub.Core.Identities;

/// <summary>Forgets cached identity links, e.g. after a write met a tombstone: the next lookup asks the table.</summary>
public interface IIdentityLinkCache
{
    void Forget(IEnumerable<Identity> identities);
}

/// <summary>
/// Identity → customer links kept in process, bounded. Safe because the customer partition is authoritative: a link
/// that went stale (the customer was merged away or erased by another instance) leads to a partition whose summary row
/// carries a tombstone, which the write follows or stops at; the processor then forgets the link. Only links that exist
/// are cached: an unknown identity is always asked again, so a link made elsewhere is found at once.
/// </summary>
public sealed class CachedIdentityStore : IIdentityStore, IIdentityLinkCache, IDisposable
{
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(30);

    private readonly IIdentityStore inner;
    private readonly MemoryCache links;

    public CachedIdentityStore(IIdentityStore inner, int capacity)
    {
        ArgumentNullException.ThrowIfNull(inner);
        this.inner = inner;
        links = new MemoryCache(new MemoryCacheOptions { SizeLimit = Math.Max(1, capacity) });
    }

    /// <summary>
    /// A cached link answers without a request, and says nothing about suppression: the suppression of an identity that a
    /// customer holds is never consulted (see <see cref="IdentityLookup.IsSuppressed"/>).
    /// </summary>
    public async Task<IdentityLookup> LookupAsync(Identity identity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identity);
        if (links.TryGetValue(identity, out string? cached))
        {
            return new IdentityLookup(cached, IsSuppressed: false);
        }

        var found = await inner.LookupAsync(identity, cancellationToken);
        if (found.CustomerId is { } customerId)
        {
            Remember(identity, customerId);
        }

        return found;
    }

    public async Task<IdentityClaim> ClaimAsync(Identity identity, string customerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var claim = await inner.ClaimAsync(identity, customerId, cancellationToken);
        if (!claim.IsSuppressed)
        {
            Remember(identity, claim.CustomerId);
        }

        return claim;
    }

    public async Task<bool> ReassignAsync(Identity identity, string fromCustomerId, string toCustomerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var moved = await inner.ReassignAsync(identity, fromCustomerId, toCustomerId, cancellationToken);
        if (moved)
        {
            Remember(identity, toCustomerId);
        }
        else
        {
            links.Remove(identity);
        }

        return moved;
    }

    public async Task<int> SuppressAndUnlinkAsync(IReadOnlyCollection<Identity> identities, IReadOnlyCollection<string> erasedCustomerIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identities);
        try
        {
            return await inner.SuppressAndUnlinkAsync(identities, erasedCustomerIds, cancellationToken);
        }
        finally
        {
            // After the write, so a lookup racing it cannot put the deleted link back.
            Forget(identities);
        }
    }

    public void Forget(IEnumerable<Identity> identities)
    {
        ArgumentNullException.ThrowIfNull(identities);
        foreach (var identity in identities)
        {
            links.Remove(identity);
        }
    }

    public void Dispose() => links.Dispose();

    private void Remember(Identity identity, string customerId) =>
        links.Set(identity, customerId, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = Idle });
}
