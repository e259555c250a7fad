using JourneyHub.Core.Identities;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Timeline;

namespace JourneyHub.Core.Api;

/// <summary>What the read API serves, independent of the web framework. Merged-away ids answer for their survivor.</summary>
public sealed class CustomerReader(ICustomerStore customers, IIdentityStore identities, ITimelineStore timeline, IIdentityConflictStore conflicts)
{
    private const int MaxConflicts = 20;

    public Task<CustomerRecord?> FindAsync(string customerId, CancellationToken cancellationToken) =>
        customers.FindSurvivorAsync(customerId, cancellationToken);

    /// <summary>
    /// A page of the customer's timeline. The summary row (tombstones, journey) and the page are independent reads of
    /// one partition, so both are asked for at once: a page costs one round trip, not two. Only when the summary is a
    /// merge tombstone is the survivor's summary followed and its page read afterwards; an erased or unknown customer
    /// has no timeline.
    /// </summary>
    public async Task<TimelineResponse?> TimelineAsync(string customerId, TimelineQuery query, CancellationToken cancellationToken)
    {
        var summaryRead = customers.GetAsync(customerId, cancellationToken);
        var pageRead = timeline.ReadPageAsync(customerId, query, cancellationToken);
        await Task.WhenAll(summaryRead, pageRead);
        var record = await summaryRead;
        var page = await pageRead;
        if (record?.MergedInto is { } survivor)
        {
            record = await customers.FindSurvivorAsync(survivor, cancellationToken);
            if (record is null)
            {
                return null;
            }

            page = await timeline.ReadPageAsync(record.CustomerId, query, cancellationToken);
        }
        else if (record is not { ErasedAt: null })
        {
            // Unknown, or erased (its rows may still be there while the erasure runs: never served).
            return null;
        }

        var placement = record.Journey.Placement();
        return new TimelineResponse(record.CustomerId, page.Items, page.NextCursor, MergedFrom(customerId, record))
        {
            JourneyStages = page.Items
                .DistinctBy(t => t.TouchpointId)
                .ToDictionary(t => t.TouchpointId, t => placement.StageAt(t.OccurredAt), StringComparer.Ordinal),
        };
    }

    public async Task<CustomerResponse?> LookupAsync(Identity identity, CancellationToken cancellationToken)
    {
        var customerId = await identities.FindCustomerAsync(identity, cancellationToken);
        if (customerId is null)
        {
            return null;
        }

        var record = await FindAsync(customerId, cancellationToken);
        if (record is null)
        {
            return null;
        }

        var refused = await conflicts.ListAsync(record.CustomerId, MaxConflicts, cancellationToken);
        return new CustomerResponse(record.CustomerId, record.Identities, MergedFrom(customerId, record))
        {
            Merges = record.Merges.Where(m => m.MergedCustomerId != record.CustomerId).ToList(),
            Conflicts = refused,
        };
    }

    public async Task<JourneySummary?> JourneyAsync(string customerId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var record = await FindAsync(customerId, cancellationToken);
        return record is null ? null : JourneySummary.From(record, now) with { MergedFrom = MergedFrom(customerId, record) };
    }

    private static string? MergedFrom(string requested, CustomerRecord record) =>
        string.Equals(requested, record.CustomerId, StringComparison.Ordinal) ? null : requested;
}

/// <summary>A timeline page; each item is written as the store holds it (<see cref="StoredTouchpoint"/>), a Touchpoint v1.</summary>
public sealed record TimelineResponse(string CustomerId, IReadOnlyList<StoredTouchpoint> Items, string? NextCursor, string? MergedFrom)
{
    /// <summary>
    /// Touchpoint id → the journey stage the customer was in when it happened (<see cref="JourneyPlacement"/>), beside
    /// the items rather than in them: an item is exactly a Touchpoint v1, whose schema allows no other property.
    /// </summary>
    public IReadOnlyDictionary<string, JourneyStage> JourneyStages { get; init; } = new Dictionary<string, JourneyStage>(StringComparer.Ordinal);
}

public sealed record CustomerResponse(string CustomerId, IReadOnlyList<Identity> Identities, string? MergedFrom)
{
    /// <summary>Customers merged into this one: when, why, and whether the merge has finished.</summary>
    public IReadOnlyList<MergeRecord> Merges { get; init; } = [];

    /// <summary>The latest links the identity guards refused for this customer.</summary>
    public IReadOnlyList<IdentityConflict> Conflicts { get; init; } = [];
}
