using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Timeline;

namespace JourneyHub.IntegrationTests.Customers;

/// <summary>Stands for the process dying at one point of a merge: thrown right after (or instead of) one store call.</summary>
internal sealed class SimulatedCrashException() : Exception("simulated crash");

/// <summary>Which store call "crashes", against which customer.</summary>
internal sealed class Fault(string point, string customerId)
{
    private int updates;

    public string Point => point;

    public string CustomerId => customerId;

    public bool Fired { get; private set; }

    public void Fire()
    {
        Fired = true;
        throw new SimulatedCrashException();
    }

    public int NextUpdate() => Interlocked.Increment(ref updates);
}

internal sealed class FaultingTimelineStore(ITimelineStore inner, Fault fault) : ITimelineStore
{
    public async Task<AppendResult> AppendAsync(string customerId, IReadOnlyList<Touchpoint> touchpoints, AppendOptions options, CancellationToken cancellationToken)
    {
        var result = await inner.AppendAsync(customerId, touchpoints, options, cancellationToken);
        if (fault.Point == "after-copy" && customerId == fault.CustomerId)
        {
            fault.Fire();
        }

        return result;
    }

    public Task<TimelinePage> QueryAsync(string customerId, TimelineQuery query, CancellationToken cancellationToken) => inner.QueryAsync(customerId, query, cancellationToken);

    public Task<StoredTimelinePage> ReadPageAsync(string customerId, TimelineQuery query, CancellationToken cancellationToken) => inner.ReadPageAsync(customerId, query, cancellationToken);

    public Task<IReadOnlySet<string>?> StoredRawRefsAsync(string customerId, IReadOnlyList<Touchpoint> touchpoints, CancellationToken cancellationToken) => inner.StoredRawRefsAsync(customerId, touchpoints, cancellationToken);

    public Task<int> DeleteCustomerAsync(string customerId, CancellationToken cancellationToken)
    {
        if (fault.Point == "before-delete" && customerId == fault.CustomerId)
        {
            fault.Fire();
        }

        return inner.DeleteCustomerAsync(customerId, cancellationToken);
    }
}

internal sealed class FaultingCustomerStore(ICustomerStore inner, Fault fault) : ICustomerStore
{
    public Task<CustomerRecord?> GetAsync(string customerId, CancellationToken cancellationToken) => inner.GetAsync(customerId, cancellationToken);

    public async Task<CustomerRecord> UpdateAsync(string customerId, Func<CustomerRecord, CustomerRecord> update, CancellationToken cancellationToken)
    {
        var result = await inner.UpdateAsync(customerId, update, cancellationToken);
        if (customerId == fault.CustomerId)
        {
            var call = fault.NextUpdate();

            // On the merged-away customer the first write is the mark; on the survivor the second is the commit.
            if ((fault.Point == "after-mark" && call == 1) || (fault.Point == "after-commit" && call == 2))
            {
                fault.Fire();
            }
        }

        return result;
    }
}

internal sealed class FaultingIdentityStore(IIdentityStore inner, Fault fault) : IIdentityStore
{
    public Task<IdentityLookup> LookupAsync(Identity identity, CancellationToken cancellationToken) => inner.LookupAsync(identity, cancellationToken);

    public Task<IdentityClaim> ClaimAsync(Identity identity, string customerId, CancellationToken cancellationToken) => inner.ClaimAsync(identity, customerId, cancellationToken);

    public async Task<bool> ReassignAsync(Identity identity, string fromCustomerId, string toCustomerId, CancellationToken cancellationToken)
    {
        var moved = await inner.ReassignAsync(identity, fromCustomerId, toCustomerId, cancellationToken);
        if (fault.Point == "after-first-reassign" && fromCustomerId == fault.CustomerId)
        {
            fault.Fire();
        }

        return moved;
    }

    public Task<int> SuppressAndUnlinkAsync(IReadOnlyCollection<Identity> identities, IReadOnlyCollection<string> erasedCustomerIds, CancellationToken cancellationToken) =>
        inner.SuppressAndUnlinkAsync(identities, erasedCustomerIds, cancellationToken);
}
