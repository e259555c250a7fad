using JourneyHub.Core.Identities;
using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Sources.Kit;

/// <summary>
/// What an adapter made of one entry of a payload: a touchpoint, or the reason it could not become one. A failed entry
/// may still name its person (<see cref="Identities"/>): the dead letter then records whose it is, so erasing that person
/// finds it (keyed hashes only, see Privacy).
/// </summary>
public readonly record struct AdapterOutcome(Touchpoint? Touchpoint, string? Error)
{
    /// <summary>The identities a failed entry names, when the adapter could read them; empty otherwise.</summary>
    public IReadOnlyList<Identity> Identities { get; init; } = [];

    public static AdapterOutcome Ok(Touchpoint touchpoint) => new(touchpoint, null);

    public static AdapterOutcome Fail(string error) => new(null, error);

    /// <summary>
    /// A failed entry whose person is known (e.g. a contact event of a kind the hub does not read). Object ids among
    /// <paramref name="identities"/> (an order, an opportunity) are dropped: the dead letter records whose it is.
    /// </summary>
    public static AdapterOutcome Fail(string error, IEnumerable<Identity> identities) =>
        new(null, error) { Identities = [.. IdentityTypes.People(identities)] };
}
