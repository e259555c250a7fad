using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;
using Microsoft.Extensions.Caching.Memory;

namespace JourneyHub.Core.Identities;

/// <summary>
/// Identity → customer links kept in process, bounded. Safe because the customer partition is authoritative: a link
/// that went stale (the customer was merged away or erased by another instance) leads to a partition whose summary row
/// carries a tombstone, which the write follows or stops at; the processor then forgets the link. Only links that exist
/// are cached: an unknown identity is always asked again, so a link made elsewhere is found at once.
/// </summary>
public sealed class CachedIdentityStore : IIdentityStore, IDisposable
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

    public async Task<string?> FindCustomerAsync(Identity identity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identity);
        if (links.TryGetValue(identity, out string? cached))
        {
            return cached;
        }

        var customerId = await inner.FindCustomerAsync(identity, cancellationToken);
        if (customerId is not null)
        {
            Remember(identity, customerId);
        }

        return customerId;
    }

    public async Task<string> ClaimAsync(Identity identity, string customerId, CancellationToken cancellationToken)
    {
        var owner = await inner.ClaimAsync(identity, customerId, cancellationToken);
        Remember(identity, owner);
        return owner;
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

    public async Task DeleteAsync(Identity identity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identity);
        links.Remove(identity);
        await inner.DeleteAsync(identity, cancellationToken);
    }

    /// <summary>Drops cached links, e.g. after a write met a tombstone: the next lookup asks the table.</summary>
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
