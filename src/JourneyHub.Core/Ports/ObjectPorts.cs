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
/// Touchpoints that name only an object nobody is associated with yet, kept durably by object id until an association
/// arrives. Parking the same touchpoint again (a redelivery) overwrites it.
/// </summary>
public interface IParkedTouchpointStore
{
    Task ParkAsync(Identity objectId, Touchpoint touchpoint, CancellationToken cancellationToken);

    Task<IReadOnlyList<Touchpoint>> ListAsync(Identity objectId, CancellationToken cancellationToken);

    /// <summary>Forgets parked touchpoints once they are stored on a timeline; ids no longer parked are ignored.</summary>
    Task RemoveAsync(Identity objectId, IReadOnlyCollection<string> touchpointIds, CancellationToken cancellationToken);
}
