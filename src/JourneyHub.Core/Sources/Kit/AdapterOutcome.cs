using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Sources.Kit;

/// <summary>What an adapter made of one entry of a payload: a touchpoint, or the reason it could not become one.</summary>
public readonly record struct AdapterOutcome(Touchpoint? Touchpoint, string? Error)
{
    public static AdapterOutcome Ok(Touchpoint touchpoint) => new(touchpoint, null);

    public static AdapterOutcome Fail(string error) => new(null, error);
}
