using JourneyHub.Core.Ports;
using JourneyHub.Core.Timeline;
using Microsoft.Extensions.Logging;

namespace JourneyHub.Core.Identities;

/// <summary>
/// Joins customers shown to be one person. The oldest customer survives. Steps are ordered so that a
/// crash at any point is finished by running the merge again: mark → copy rows → rebuild summary →
/// move identities → delete the old rows. Copying is idempotent (deterministic row keys).
/// </summary>
public sealed partial class CustomerMerger(
    IIdentityStore identities,
    ICustomerStore customers,
    ITimelineStore timeline,
    TimeProvider clock,
    ILogger<CustomerMerger> logger) : ICustomerMerger
{
    public async Task<string> MergeAsync(IReadOnlyList<string> customerIds, string cause, CancellationToken cancellationToken)
    {
        var records = new List<CustomerRecord>();
        foreach (var id in customerIds.Distinct(StringComparer.Ordinal))
        {
            var record = await customers.GetAsync(id, cancellationToken);
            // A customer already merged away points at its survivor; follow it.
            while (record?.MergedInto is { } next && next != record.CustomerId && !customerIds.Contains(next))
            {
                record = await customers.GetAsync(next, cancellationToken);
            }

            records.Add(record ?? new CustomerRecord { CustomerId = id, CreatedAt = clock.GetUtcNow() });
        }

        var survivor = records
            .Where(r => r.MergedInto is null)
            .DefaultIfEmpty(records[0])
            .OrderBy(r => r.CreatedAt)
            .ThenBy(r => r.CustomerId, StringComparer.Ordinal)
            .First();
        foreach (var loser in records.Where(r => r.CustomerId != survivor.CustomerId).DistinctBy(r => r.CustomerId))
        {
            await MergeOneAsync(survivor.CustomerId, loser, cause, cancellationToken);
        }

        return survivor.CustomerId;
    }

    private async Task MergeOneAsync(string survivorId, CustomerRecord loser, string cause, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await customers.UpdateAsync(loser.CustomerId, c => c with { MergedInto = survivorId }, cancellationToken);

        string? cursor = null;
        var moved = 0;
        do
        {
            var page = await timeline.QueryAsync(loser.CustomerId, new TimelineQuery { Limit = TimelineQuery.MaxLimit, Cursor = cursor }, cancellationToken);
            if (page.Items.Count > 0)
            {
                await timeline.AppendAsync(survivorId, page.Items.Select(t => t with { CustomerId = survivorId }).ToList(), cancellationToken);
                moved += page.Items.Count;
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);

        var journey = new Journey.JourneyState();
        cursor = null;
        do
        {
            var page = await timeline.QueryAsync(survivorId, new TimelineQuery { Limit = TimelineQuery.MaxLimit, Cursor = cursor }, cancellationToken);
            journey = page.Items.Aggregate(journey, (j, t) => j.Apply(t));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        await customers.UpdateAsync(
            survivorId,
            c => c with
            {
                Journey = journey,
                Identities = IdentityResolver.Union(c.Identities, loser.Identities),
                Merges = [.. c.Merges.Where(m => m.MergedCustomerId != loser.CustomerId), new MergeRecord(loser.CustomerId, now, cause)],
            },
            cancellationToken);

        foreach (var identity in loser.Identities)
        {
            await identities.ReassignAsync(identity, loser.CustomerId, survivorId, cancellationToken);
        }

        await timeline.DeleteCustomerAsync(loser.CustomerId, cancellationToken);
        LogMerged(loser.CustomerId, survivorId, moved, cause);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Merged customer {LoserId} into {SurvivorId} ({Moved} touchpoints moved) because of {Cause}")]
    private partial void LogMerged(string loserId, string survivorId, int moved, string cause);
}

public sealed record MergeRecord(string MergedCustomerId, DateTimeOffset MergedAt, string Cause);
