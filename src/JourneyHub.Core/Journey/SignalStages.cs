using System.Collections.Frozen;
using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Journey;

/// <summary>
/// The stages of one source's signals of one kind (<see cref="JourneyRules.ActionSignal"/>, <see cref="JourneyRules.LifecycleSignal"/>),
/// keyed by what follows the kind's prefix: <see cref="JourneyRules.StageTable"/>'s rows of the source over its "*" rows.
/// <see cref="JourneyRules.StagesOf"/> builds each once, so an adapter pays one ordinal lookup per touchpoint instead of a
/// <c>prefix + value</c> string and two (source, signal) tuple lookups.
/// </summary>
public sealed class SignalStages
{
    internal static readonly SignalStages None = new(FrozenDictionary<string, JourneyStage>.Empty);

    private readonly FrozenDictionary<string, JourneyStage> stagesByValue;

    internal SignalStages(FrozenDictionary<string, JourneyStage> stagesByValue) => this.stagesByValue = stagesByValue;

    /// <summary>The stage of <paramref name="value"/> (a lifecycle stage, an action), matched in lower case; null when no row names it.</summary>
    public JourneyStage? StageOf(string? value) =>
        // ToLowerInvariant returns the same string when it is already lower case, as vendors send it: no allocation then.
        stagesByValue.TryGetValue((value ?? "").ToLowerInvariant(), out var stage) ? stage : null;
}
