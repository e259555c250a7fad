using System.Collections.Frozen;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Sources.Kit;

/// <summary>
/// <see cref="JourneyRules.StageTable"/> read as one lookup per source and kind of signal (<c>action:</c>, <c>lifecycle:</c>),
/// keyed by what follows the prefix, the source's own rows over the "*" rows. Built once, so a stage costs one ordinal lookup
/// per touchpoint instead of a <c>prefix + value</c> string and up to two (source, signal) tuple lookups; the answers are
/// <see cref="JourneyRules.StageFor"/>'s (a unit test compares them for every row).
/// </summary>
public static class StageIndex
{
    /// <summary>Value (lower case) → stage, for <paramref name="sourceName"/>'s signals starting with <paramref name="signalPrefix"/>.</summary>
    public static FrozenDictionary<string, JourneyStage> Of(string sourceName, string signalPrefix)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        ArgumentNullException.ThrowIfNull(signalPrefix);
        var stages = new Dictionary<string, JourneyStage>(StringComparer.Ordinal);
        foreach (var rowSource in sourceName == "*" ? ["*"] : new[] { "*", sourceName })
        {
            foreach (var ((source, signal), stage) in JourneyRules.StageTable)
            {
                if (source == rowSource && signal.StartsWith(signalPrefix, StringComparison.Ordinal))
                {
                    stages[signal[signalPrefix.Length..]] = stage;
                }
            }
        }

        return stages.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The stage of <paramref name="value"/>, matched in lower case as <see cref="JourneyRules.StageFor"/> matches signals.</summary>
    public static JourneyStage? StageOf(this FrozenDictionary<string, JourneyStage> index, string? value)
    {
        ArgumentNullException.ThrowIfNull(index);
        return index.TryGetValue((value ?? "").ToLowerInvariant(), out var stage) ? stage : null;
    }
}
