using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Sources.Kit;

/// <summary>
/// The one loop over the entries of a payload: each entry is mapped on its own, and an entry that fails becomes a
/// <see cref="RejectedEntry"/> with its index and the reason <c>"{describe(index, entry)}: {error}"</c>, never the whole
/// payload. <c>describe</c> runs only for failed entries, so naming an entry costs nothing when all is well.
/// </summary>
public static class EntryCollector
{
    /// <summary>One outcome per entry (webhook batches).</summary>
    public static NormalizationResult Collect<TEntry>(IReadOnlyList<TEntry> entries, Func<TEntry, AdapterOutcome> map, Func<int, TEntry, string> describe)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(describe);
        var touchpoints = new List<Touchpoint>(entries.Count);
        List<RejectedEntry>? rejected = null;
        for (var i = 0; i < entries.Count; i++)
        {
            var outcome = map(entries[i]);
            if (outcome.Touchpoint is { } touchpoint)
            {
                touchpoints.Add(touchpoint);
            }
            else
            {
                (rejected ??= []).Add(new RejectedEntry(i, $"{describe(i, entries[i])}: {outcome.Error}") { Identities = outcome.Identities });
            }
        }

        return new NormalizationResult(touchpoints, rejected ?? []);
    }

    /// <summary>Any number of outcomes per entry (an API page where one record holds several facts).</summary>
    public static NormalizationResult CollectMany<TEntry>(IReadOnlyList<TEntry> entries, Func<TEntry, IEnumerable<AdapterOutcome>> map, Func<int, TEntry, string> describe)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(describe);
        var touchpoints = new List<Touchpoint>(entries.Count);
        List<RejectedEntry>? rejected = null;
        for (var i = 0; i < entries.Count; i++)
        {
            foreach (var outcome in map(entries[i]))
            {
                if (outcome.Touchpoint is { } touchpoint)
                {
                    touchpoints.Add(touchpoint);
                }
                else
                {
                    (rejected ??= []).Add(new RejectedEntry(i, $"{describe(i, entries[i])}: {outcome.Error}") { Identities = outcome.Identities });
                }
            }
        }

        return new NormalizationResult(touchpoints, rejected ?? []);
    }

    /// <summary>A payload that is one event (Standard Webhooks): entry 0, described only when it failed.</summary>
    public static NormalizationResult One<TState>(AdapterOutcome outcome, TState state, Func<TState, string> describe)
    {
        ArgumentNullException.ThrowIfNull(describe);
        return outcome.Touchpoint is { } touchpoint
            ? new NormalizationResult([touchpoint], [])
            : new NormalizationResult([], [new RejectedEntry(0, $"{describe(state)}: {outcome.Error}") { Identities = outcome.Identities }]);
    }

    /// <summary>A payload that is one event (Standard Webhooks): entry 0.</summary>
    public static NormalizationResult One(AdapterOutcome outcome, string description) => One(outcome, description, static d => d);
}
