using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;
using Microsoft.Extensions.Logging;

namespace JourneyHub.Core.Identities;

/// <summary>
/// Maps the identities of a touchpoint to one customer id. Identities are claimed in a fixed order with
/// insert-if-absent, so two first events for the same person racing each other end up on one customer.
/// </summary>
public sealed partial class IdentityResolver(
    IIdentityStore identities,
    ICustomerStore customers,
    ICustomerMerger merger,
    TimeProvider clock,
    ILogger<IdentityResolver> logger)
{
    public async Task<string?> ResolveAsync(IReadOnlyList<Schema.Identity> touchpointIdentities, string cause, CancellationToken cancellationToken)
    {
        var ordered = touchpointIdentities
            .Distinct()
            .OrderBy(i => i.Type, StringComparer.Ordinal)
            .ThenBy(i => i.Value, StringComparer.Ordinal)
            .ToList();
        if (ordered.Count == 0)
        {
            return null;
        }

        var linked = new Dictionary<Schema.Identity, string>();
        foreach (var identity in ordered)
        {
            if (await identities.FindCustomerAsync(identity, cancellationToken) is { } existing)
            {
                linked[identity] = existing;
            }
        }

        var known = linked.Values.Distinct(StringComparer.Ordinal).ToList();
        string customerId;
        if (known.Count == 0)
        {
            customerId = await ClaimForNewCustomerAsync(ordered, cancellationToken);
        }
        else
        {
            customerId = known.Count == 1 ? known[0] : await merger.MergeAsync(known, cause, cancellationToken);
            foreach (var identity in ordered.Where(i => !linked.ContainsKey(i)))
            {
                var owner = await identities.ClaimAsync(identity, customerId, cancellationToken);
                if (!string.Equals(owner, customerId, StringComparison.Ordinal))
                {
                    // Linked meanwhile by someone else: the touchpoint joins two customers.
                    customerId = await merger.MergeAsync([customerId, owner], cause, cancellationToken);
                }
            }
        }

        // Returning the record unchanged lets the store skip the write: most events add no new identity.
        await customers.UpdateAsync(customerId, c => Union(c.Identities, ordered) is var union && ReferenceEquals(union, c.Identities) ? c : c with { Identities = union }, cancellationToken);
        return customerId;
    }

    private async Task<string> ClaimForNewCustomerAsync(List<Schema.Identity> ordered, CancellationToken cancellationToken)
    {
        var candidate = TouchpointIds.NewCustomerId(clock.GetUtcNow());
        var claimedByUs = new List<Schema.Identity>();
        var customerId = candidate;
        foreach (var identity in ordered)
        {
            var owner = await identities.ClaimAsync(identity, customerId, cancellationToken);
            if (string.Equals(owner, customerId, StringComparison.Ordinal))
            {
                if (customerId == candidate)
                {
                    claimedByUs.Add(identity);
                }

                continue;
            }

            if (customerId == candidate)
            {
                // Another delivery for the same person won the race; our candidate never got used, so
                // hand what we claimed for it to the winner instead of leaving a second customer.
                LogLostRace(identity.Type, owner);
                foreach (var mine in claimedByUs)
                {
                    await identities.ReassignAsync(mine, candidate, owner, cancellationToken);
                }

                customerId = owner;
            }
            else
            {
                customerId = await merger.MergeAsync([customerId, owner], "identity race", cancellationToken);
            }
        }

        return customerId;
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
}

/// <summary>Joins customers that one touchpoint shows to be the same person; returns the surviving id.</summary>
public interface ICustomerMerger
{
    Task<string> MergeAsync(IReadOnlyList<string> customerIds, string cause, CancellationToken cancellationToken);
}
