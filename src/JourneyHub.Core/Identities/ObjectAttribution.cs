using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;
using Microsoft.Extensions.Logging;

namespace JourneyHub.Core.Identities;

/// <summary>
/// Touchpoints of objects (deals, orders) go to the people associated with them; objects never link or merge people.
/// <list type="bullet">
/// <item>A touchpoint that names only an object is recorded in the object's history and goes to <b>every</b> customer
///   associated with it, one copy each, keyed per customer so that each copy has its own deterministic touchpoint id
///   (<see cref="Attribute"/>). With nobody associated yet it is only recorded: parked until an association arrives.</item>
/// <item>A touchpoint that names a person and an object records the association (object → that customer) and gives
///   the customer the object's history, parked events included.</item>
/// <item>A touchpoint marked <see cref="AssociationRemovedAttribute"/> removes the association instead: later object
///   events stop going there.</item>
/// </list>
/// Both sides serialize on the object's version (<see cref="IObjectStore"/>): a history write changes it in the same write
/// and then reads the associations; an association is recorded only if the version is still the one read together with the
/// history (otherwise it reads again), so the history it brings is complete and nothing needs reading twice. A deal event
/// and an association processed at the same time never miss each other; when both see each other the copy is still one
/// row. The outcome is the same in whatever order the webhooks arrive: everyone associated with a deal has all its events.
/// </summary>
public sealed partial class ObjectAttribution(
    IObjectStore store,
    ICustomerStore customers,
    ILogger<ObjectAttribution> logger)
{
    /// <summary>Set by adapters (value <c>true</c>) on a person's touchpoint that says the person is no longer associated with its objects.</summary>
    public const string AssociationRemovedAttribute = "associationRemoved";

    /// <summary>On an attributed copy: the object (<c>type:value</c>) through which the touchpoint reached this customer.</summary>
    public const string AttributedViaAttribute = "attributedVia";

    private const int MaxMergeHops = 10;

    /// <summary>Reads and conditional writes of one association before giving up (each retry means the object changed meanwhile).</summary>
    private const int MaxAssociateAttempts = 5;

    /// <summary>The object ids a touchpoint carries, in a fixed order.</summary>
    public static IReadOnlyList<Identity> ObjectIds(Touchpoint touchpoint)
    {
        ArgumentNullException.ThrowIfNull(touchpoint);
        return [.. touchpoint.Identities.Where(i => IdentityTypes.IsObject(i.Type)).Distinct().OrderBy(i => i.Type, StringComparer.Ordinal).ThenBy(i => i.Value, StringComparer.Ordinal)];
    }

    /// <summary>True when the touchpoint names a person itself (it did not reach its customer only through an object).</summary>
    public static bool NamesPerson(Touchpoint touchpoint)
    {
        ArgumentNullException.ThrowIfNull(touchpoint);
        return touchpoint.Identities.Any(i => IdentityTypes.ClassOf(i.Type) == IdentityClass.Person);
    }

    public static bool RemovesAssociation(Touchpoint touchpoint)
    {
        ArgumentNullException.ThrowIfNull(touchpoint);
        return touchpoint.Attributes.TryGetValue(AssociationRemovedAttribute, out var removed) && removed == "true";
    }

    /// <summary>
    /// The copy of an object's touchpoint for one associated customer. Its source event id (and so its touchpoint id) adds
    /// the association's recorded customer id, which a merge does not change: a redelivery, a parked touchpoint released
    /// and redelivered, or a replay after the two customers merged all meet the same row. <see cref="Touchpoint.CopyOf"/>
    /// names the object event, so two copies of it (two contacts of one deal, merged later) never both stay on one customer.
    /// </summary>
    public static Touchpoint Attribute(Touchpoint touchpoint, Attribution person)
    {
        ArgumentNullException.ThrowIfNull(touchpoint);
        ArgumentNullException.ThrowIfNull(person);
        var sourceEventId = $"{touchpoint.SourceEventId}:{person.Key}";
        return touchpoint with
        {
            SourceEventId = sourceEventId,
            TouchpointId = TouchpointIds.For(touchpoint.Source, sourceEventId),
            CustomerId = person.CustomerId,
            CopyOf = touchpoint.TouchpointId,
            Attributes = new Dictionary<string, string>(touchpoint.Attributes, StringComparer.Ordinal) { [AttributedViaAttribute] = person.Via.ToString() },
        };
    }

    /// <summary>
    /// The customers the objects' touchpoints go to now: each recorded association followed to its surviving customer
    /// (erased ones dropped), once per survivor, keyed by the smallest recorded id that leads there.
    /// </summary>
    public async Task<IReadOnlyList<Attribution>> PeopleOfAsync(IReadOnlyList<Identity> objectIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(objectIds);
        var bySurvivor = new Dictionary<string, Attribution>(StringComparer.Ordinal);
        foreach (var objectId in objectIds)
        {
            foreach (var recorded in (await store.CustomersAsync(objectId, cancellationToken)).Order(StringComparer.Ordinal))
            {
                if (await SurvivorAsync(recorded, cancellationToken) is { } survivor && !bySurvivor.ContainsKey(survivor))
                {
                    bySurvivor[survivor] = new Attribution(survivor, recorded, objectId);
                }
            }
        }

        return [.. bySurvivor.Values.OrderBy(a => a.CustomerId, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Records that the object is associated with the customer a person's touchpoint was just assigned to, unless an
    /// earlier association already leads to that customer (then that one's key is kept, so copies keep their ids), and
    /// returns the object's history as it stood when the association was recorded or found: complete, since a history
    /// write in between changes the version the association is recorded under, and then it is read again.
    /// </summary>
    public async Task<Association> AssociateAsync(Identity objectId, string customerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(objectId);
        for (var attempt = 1; attempt <= MaxAssociateAttempts; attempt++)
        {
            var read = await store.ReadAsync(objectId, cancellationToken);
            if (await RecordedKeyOfAsync(read.Customers, customerId, cancellationToken) is { } key)
            {
                return new Association(new Attribution(customerId, key, objectId), read.History);
            }

            if (await store.TryAddAsync(objectId, customerId, read, cancellationToken))
            {
                LogAssociated(objectId.Type, customerId);
                return new Association(new Attribution(customerId, customerId, objectId), read.History);
            }
        }

        throw new InvalidOperationException($"A {objectId.Type} changed during each of {MaxAssociateAttempts} attempts to associate it with customer {customerId}.");
    }

    /// <summary>Removes every association of the object that leads to the customer (also ones recorded under merged-away ids).</summary>
    public async Task DissociateAsync(Identity objectId, string customerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(objectId);
        foreach (var recorded in await store.CustomersAsync(objectId, cancellationToken))
        {
            if (recorded == customerId || await SurvivorAsync(recorded, cancellationToken) == customerId)
            {
                await store.RemoveAsync(objectId, recorded, cancellationToken);
                LogDissociated(objectId.Type, customerId);
            }
        }
    }

    /// <summary>Removes every association recorded for the customer id (erasure); returns how many.</summary>
    public async Task<int> ForgetCustomerAsync(string customerId, CancellationToken cancellationToken)
    {
        var objects = await store.ObjectsOfAsync(customerId, cancellationToken);
        foreach (var objectId in objects)
        {
            await store.RemoveAsync(objectId, customerId, cancellationToken);
        }

        return objects.Count;
    }

    /// <summary>
    /// A touchpoint that names only objects: recorded in each object's history first, then sent to the customers
    /// associated now (an association recorded after the history write finds it there, because the write changed the
    /// version the association is recorded under). Empty: it is parked.
    /// </summary>
    public async Task<IReadOnlyList<Attribution>> RecordAsync(Touchpoint touchpoint, IReadOnlyList<Identity> objectIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(touchpoint);
        ArgumentNullException.ThrowIfNull(objectIds);
        foreach (var objectId in objectIds)
        {
            await store.RecordAsync(objectId, touchpoint, cancellationToken);
        }

        var people = await PeopleOfAsync(objectIds, cancellationToken);
        if (people.Count == 0)
        {
            LogParked(touchpoint.Source, touchpoint.Action, touchpoint.SourceEventId);
        }

        return people;
    }

    /// <summary>
    /// The smallest recorded id that leads to <paramref name="customerId"/> (the key <see cref="PeopleOfAsync"/> gives
    /// it), or null. Recorded ids are resolved in key order and only until one leads there; the customer's own id needs
    /// no read, as it was just assigned.
    /// </summary>
    private async Task<string?> RecordedKeyOfAsync(IReadOnlyList<string> recorded, string customerId, CancellationToken cancellationToken)
    {
        foreach (var id in recorded.Order(StringComparer.Ordinal))
        {
            if (id == customerId || await SurvivorAsync(id, cancellationToken) == customerId)
            {
                return id;
            }
        }

        return null;
    }

    /// <summary>
    /// The customer a recorded id is now: merge tombstones are followed, an erased customer is nobody. An id without a
    /// summary row yet belongs to a delivery still writing its first rows, so it counts as itself.
    /// </summary>
    private async Task<string?> SurvivorAsync(string customerId, CancellationToken cancellationToken)
    {
        var id = customerId;
        for (var hop = 0; hop <= MaxMergeHops; hop++)
        {
            var record = await customers.GetAsync(id, cancellationToken);
            if (record is null)
            {
                return id;
            }

            if (record.ErasedAt is not null)
            {
                return null;
            }

            if (record.MergedInto is not { } next)
            {
                return id;
            }

            id = next;
        }

        return id;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A {ObjectType} is now associated with customer {CustomerId}")]
    private partial void LogAssociated(string objectType, string customerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "A {ObjectType} is no longer associated with customer {CustomerId}")]
    private partial void LogDissociated(string objectType, string customerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Source} {Action} {SourceEventId} names only objects nobody is associated with yet: parked until an association arrives")]
    private partial void LogParked(string source, string action, string sourceEventId);
}

/// <summary>
/// One customer an object's touchpoint goes to: <paramref name="CustomerId"/> (the survivor today),
/// <paramref name="Key"/> (the customer id the association was recorded with, which keys the copy) and
/// <paramref name="Via"/> (the object that leads there).
/// </summary>
public sealed record Attribution(string CustomerId, string Key, Identity Via);

/// <summary>An association as recorded or found (<paramref name="Person"/>) and the object's complete history at that moment.</summary>
public sealed record Association(Attribution Person, IReadOnlyList<Touchpoint> History);
