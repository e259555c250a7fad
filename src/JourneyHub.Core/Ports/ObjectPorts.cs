using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Ports;

/// <summary>
/// An object (a deal, an opportunity, an order: <see cref="Identities.IdentityTypes.IsObject"/>): which customers it is
/// associated with, and its history, every touchpoint that named only the object (a deal's stage change, an order's
/// refund). A new association receives the history, so the customers a deal event reaches never depend on the order in
/// which webhooks arrive or are processed; an event nobody is associated with yet waits there ("parked") until one is.
/// Kept apart from the identity links on purpose: an object id never names a person, so it never takes part in claims,
/// merges, per-type limits or suppression. Customer ids are the ones recorded; readers follow merge tombstones to the
/// survivor and skip erased customers.
/// <para>Both live under one version (<see cref="ObjectState.Version"/>) that every history write and every association
/// write changes: an association recorded only if the object is still at the version it was read at
/// (<see cref="TryAddAsync"/>) got the complete history with that read.</para>
/// </summary>
public interface IObjectStore
{
    /// <summary>One read of the object: the customer ids recorded, its history, and the version both are at.</summary>
    Task<ObjectState> ReadAsync(Identity objectId, CancellationToken cancellationToken);

    /// <summary>The customer ids recorded for the object (possibly merged away or erased since), without its history.</summary>
    Task<IReadOnlyList<string>> CustomersAsync(Identity objectId, CancellationToken cancellationToken);

    /// <summary>
    /// Records the association if the object is still at <paramref name="read"/>'s version, changing the version; false
    /// when anything was written to the object since (read again). The customer's index entry
    /// (<see cref="ObjectsOfAsync"/>) is written first, so erasure finds every association that exists.
    /// </summary>
    Task<bool> TryAddAsync(Identity objectId, string customerId, ObjectState read, CancellationToken cancellationToken);

    /// <summary>Removes the association (the object's row first, the customer's index entry last); one that does not exist is not an error.</summary>
    Task RemoveAsync(Identity objectId, string customerId, CancellationToken cancellationToken);

    /// <summary>Every object the customer id is recorded with (erasure removes them).</summary>
    Task<IReadOnlyList<Identity>> ObjectsOfAsync(string customerId, CancellationToken cancellationToken);

    /// <summary>
    /// Adds the touchpoint to the object's history and changes the object's version in the same write, so an association
    /// read before it cannot be recorded without reading it. Recording the same touchpoint again (a redelivery) overwrites it.
    /// </summary>
    Task RecordAsync(Identity objectId, Touchpoint touchpoint, CancellationToken cancellationToken);
}

/// <summary>
/// What one read of an object found: the customer ids recorded, its history, and <paramref name="Version"/>, an opaque
/// token of the object's state (null: nothing was ever written to it).
/// </summary>
public sealed record ObjectState(IReadOnlyList<string> Customers, IReadOnlyList<Touchpoint> History, string? Version)
{
    public static ObjectState Empty { get; } = new([], [], null);
}
