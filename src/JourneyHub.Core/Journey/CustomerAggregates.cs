using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Journey;

/// <summary>
/// Everything a customer's summary and stored touchpoints feed outside its timeline: its part of the segment map, its
/// funnel stage rows (first time per journey stage) and its survey answers. One call per change of the customer, so the
/// store can write them together (in Azure: one entity-group transaction of the customer's shard).
/// </summary>
public interface ICustomerAggregates
{
    /// <summary>
    /// Makes the customer's aggregates those its summary <paramref name="after"/> implies, and records the survey answers
    /// among <paramref name="stored"/> (the touchpoints this change stored; others are ignored). Idempotent and exact under
    /// any order: the summary's touchpoint count orders the changes of one customer, so an older summary changes nothing,
    /// and an answer is keyed by its touchpoint id. Does no I/O when <paramref name="before"/> implies the same aggregates
    /// and no answer was stored.
    /// </summary>
    Task ApplyAsync(string customerId, JourneyState? before, JourneyState after, IReadOnlyList<Touchpoint> stored, CancellationToken cancellationToken);

    /// <summary>
    /// The customer is gone (erased, or merged into another): its part of the map and its stage rows go, and so do the
    /// answers among <paramref name="touchpoints"/> (its timeline's rows). Final: no later change of the customer, however
    /// delayed, brings any of them back.
    /// </summary>
    Task RemoveAsync(string customerId, IReadOnlyList<Touchpoint> touchpoints, CancellationToken cancellationToken);
}
