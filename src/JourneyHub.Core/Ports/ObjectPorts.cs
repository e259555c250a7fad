using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Ports;

/// <summary>
/// Which customers an object (a deal, an opportunity, an order: <see cref="Identities.IdentityTypes.IsObject"/>) is
/// associated with. Kept apart from the identity links on purpose: an object id never names a person, so it never
/// takes part in claims, merges, per-type limits or suppression. Customer ids are the ones recorded; readers follow
/// merge tombstones to the survivor and skip erased customers.
/// </summary>
public interface IObjectAssociationStore
{
    /// <summary>The customer ids recorded for the object (possibly merged away or erased since).</summary>
    Task<IReadOnlyList<string>> CustomersAsync(Identity objectId, CancellationToken cancellationToken);

    /// <summary>Records the association; recording it again is a no-op.</summary>
    Task AddAsync(Identity objectId, string customerId, CancellationToken cancellationToken);

    /// <summary>Removes the association; an association that does not exist is not an error.</summary>
    Task RemoveAsync(Identity objectId, string customerId, CancellationToken cancellationToken);

    /// <summary>Every object the customer id is recorded with (erasure removes them).</summary>
    Task<IReadOnlyList<Identity>> ObjectsOfAsync(string customerId, CancellationToken cancellationToken);
}

/// <summary>
/// Every touchpoint that names only an object (a deal's stage change, an order's refund), kept by object id: the object's
/// history. A new association receives it, so the customers a deal event reaches never depend on the order in which
/// webhooks arrive or are processed; an event nobody is associated with yet waits here ("parked") until one is.
/// Recording the same touchpoint again (a redelivery) overwrites it.
/// </summary>
public interface IObjectTouchpointStore
{
    Task AddAsync(Identity objectId, Touchpoint touchpoint, CancellationToken cancellationToken);

    Task<IReadOnlyList<Touchpoint>> ListAsync(Identity objectId, CancellationToken cancellationToken);
}
