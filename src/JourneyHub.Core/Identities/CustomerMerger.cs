using JourneyHub.Core.Journey;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Timeline;
using Microsoft.Extensions.Logging;

namespace JourneyHub.Core.Identities;

/// <summary>
/// Joins customers shown to be one person. The customer with the smallest id (the oldest) survives. A merge is a sequence of idempotent
/// steps, recorded before they run so that a crash at any point is finished later:
/// <list type="number">
/// <item>intent: the survivor's summary lists the merge (<see cref="MergeRecord"/> without <c>CompletedAt</c>);</item>
/// <item>tombstone: the merged-away customer's summary row gets <c>MergedInto</c>. Every write into a partition is
///   guarded by that row's ETag, so from here on a delivery that resolved to the old customer fails its check, follows
///   the tombstone and writes to the survivor: nothing is written into the old partition after it is copied;</item>
/// <item>copy: the old rows are appended to the survivor through the same transactional append as deliveries, so each
///   row is applied to the survivor's summary exactly once (a row exists there exactly when it was applied);</item>
/// <item>identities move onto the survivor's summary, identity links are reassigned, the old rows deleted; the old
///   summary row stays as a tombstone that only says where the customer went; finally the survivor records
///   <c>CompletedAt</c>. A merge without it is resumed by the next resolution or write that reaches either customer.</item>
/// </list>
/// </summary>
public sealed partial class CustomerMerger(
    IIdentityStore identities,
    ICustomerStore customers,
    ITimelineStore timeline,
    IIdentityConflictStore conflicts,
    ICustomerAggregates aggregates,
    IdentityGuard guard,
    TimeProvider clock,
    ILogger<CustomerMerger> logger) : ICustomerMerger
{
    private const int MaxHops = 10;
    private const int MaxAttempts = 5;

    public async Task<string> SettleAsync(string customerId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SettleOnceAsync(customerId, cancellationToken);
            }
            catch (MergeTargetMovedException) when (attempt < MaxAttempts)
            {
                // A concurrent merge moved the survivor itself: follow the chain again.
            }
        }
    }

    public async Task<string> MergeAsync(IReadOnlyList<string> customerIds, string cause, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await MergeOnceAsync(customerIds, cause, cancellationToken);
            }
            catch (MergeTargetMovedException) when (attempt < MaxAttempts)
            {
                // Another delivery merged one of these customers meanwhile; start again from the current chains.
            }
        }
    }

    private async Task<string> SettleOnceAsync(string customerId, CancellationToken cancellationToken)
    {
        var chain = new List<string> { customerId };
        var record = await customers.GetAsync(customerId, cancellationToken);
        while (record?.MergedInto is { } next && chain.Count <= MaxHops && !chain.Contains(next))
        {
            chain.Add(next);
            record = await customers.GetAsync(next, cancellationToken);
        }

        var root = chain[^1];
        for (var i = chain.Count - 2; i >= 0; i--)
        {
            await CompleteAsync(chain[i], root, cause: null, cancellationToken);
        }

        // Merges into the root that a crash left unfinished after the identities had moved (so no resolution lands
        // on the old id any more) are finished from the survivor's side.
        foreach (var pending in record?.Merges.Where(m => m.CompletedAt is null && m.IntoCustomerId == root && m.MergedCustomerId != root).ToList() ?? [])
        {
            var loser = await customers.GetAsync(pending.MergedCustomerId, cancellationToken);
            if (loser?.MergedInto is { } elsewhere && elsewhere != root)
            {
                // The intent was overtaken by another merge of that customer: drop it.
                await customers.UpdateAsync(root, c => c with { Merges = [.. c.Merges.Where(m => m.MergedCustomerId != pending.MergedCustomerId)] }, cancellationToken);
                continue;
            }

            await CompleteAsync(pending.MergedCustomerId, root, pending.Cause, cancellationToken);
        }

        return root;
    }

    private async Task<string> MergeOnceAsync(IReadOnlyList<string> customerIds, string cause, CancellationToken cancellationToken)
    {
        var roots = new List<string>();
        foreach (var id in customerIds.Distinct(StringComparer.Ordinal))
        {
            var root = await SettleOnceAsync(id, cancellationToken);
            if (!roots.Contains(root))
            {
                roots.Add(root);
            }
        }

        if (roots.Count == 1)
        {
            return roots[0];
        }

        var records = new List<CustomerRecord>();
        foreach (var id in roots)
        {
            var record = await customers.GetAsync(id, cancellationToken) ?? new CustomerRecord { CustomerId = id, CreatedAt = clock.GetUtcNow() };
            if (record.ErasedAt is not null)
            {
                // An identity still pointing at an erased person (its erasure is under way): nothing may join it.
                throw new CustomerErasedException(id);
            }

            records.Add(record);
        }

        // The smallest id survives (ids start with their creation time, so it is the oldest customer). The choice must not
        // depend on what a merge happens to read: two merges racing over the same customers, one of which read a summary row
        // that the other did not yet see, would otherwise pick different survivors and tombstone each into the other (a
        // cycle that hides both). With one strict order every tombstone points at a smaller id, so chains cannot loop.
        var survivor = records.MinBy(r => r.CustomerId, StringComparer.Ordinal)!;
        var losers = records.Where(r => r.CustomerId != survivor.CustomerId).ToList();
        if (await RefuseAsync(survivor, losers, cause, cancellationToken))
        {
            return survivor.CustomerId;
        }

        foreach (var loser in losers)
        {
            var intent = new MergeRecord(loser.CustomerId, clock.GetUtcNow(), cause) { IntoCustomerId = survivor.CustomerId };
            await customers.UpdateAsync(
                survivor.CustomerId,
                c =>
                {
                    ThrowIfMovedOrErased(c, mayBeMergedInto: null);
                    return c.Merges.Any(m => m.MergedCustomerId == loser.CustomerId) ? c : c with { Merges = [.. c.Merges, intent] };
                },
                cancellationToken);
            await customers.UpdateAsync(
                loser.CustomerId,
                c =>
                {
                    ThrowIfMovedOrErased(c, mayBeMergedInto: survivor.CustomerId);
                    return c with { MergedInto = survivor.CustomerId, Merges = [.. c.Merges.Where(m => m.MergedCustomerId != loser.CustomerId), intent] };
                },
                cancellationToken);
            await CompleteAsync(loser.CustomerId, survivor.CustomerId, cause, cancellationToken);
        }

        return survivor.CustomerId;
    }

    /// <summary>
    /// Stops a merge step on a customer that changed since the merge read it: merged into any customer but
    /// <paramref name="mayBeMergedInto"/> (the merge starts again from the new survivor), or erased.
    /// </summary>
    private static void ThrowIfMovedOrErased(CustomerRecord customer, string? mayBeMergedInto)
    {
        if (customer.MergedInto is { } target && target != mayBeMergedInto)
        {
            throw new MergeTargetMovedException();
        }

        if (customer.ErasedAt is not null)
        {
            throw new CustomerErasedException(customer.CustomerId);
        }
    }

    /// <summary>Applies the guards; a refused merge is recorded on every customer involved.</summary>
    private async Task<bool> RefuseAsync(CustomerRecord survivor, List<CustomerRecord> losers, string cause, CancellationToken cancellationToken)
    {
        var merges = survivor.Merges.Count(m => m.IntoCustomerId is null || m.IntoCustomerId == survivor.CustomerId);
        string? reason = null;
        string? detail = null;
        if (merges + losers.Count > guard.Options.MaxMerges)
        {
            reason = IdentityConflictReasons.MaxMerges;
            detail = $"{survivor.CustomerId} already has {merges} merged customers; the limit is {guard.Options.MaxMerges} (Identity:MaxMerges).";
        }
        else if (!guard.FitsLimit(survivor.Identities, losers.SelectMany(l => l.Identities), out var overType))
        {
            reason = IdentityConflictReasons.MaxPerType;
            detail = $"Merging would give one customer more than {guard.Options.MaxPerType} identities of type '{overType}' (Identity:MaxPerType).";
        }

        if (reason is null)
        {
            return false;
        }

        var all = losers.Prepend(survivor).ToList();
        foreach (var record in all)
        {
            await conflicts.RecordAsync(
                new IdentityConflict
                {
                    CustomerId = record.CustomerId,
                    At = clock.GetUtcNow(),
                    Reason = reason,
                    Detail = detail!,
                    Cause = cause,
                    OtherCustomerIds = all.Where(r => r.CustomerId != record.CustomerId).Select(r => r.CustomerId).ToList(),
                },
                cancellationToken);
        }

        LogRefused(survivor.CustomerId, losers.Count, reason);
        return true;
    }

    /// <summary>Finishes the merge of <paramref name="loserId"/> into <paramref name="survivorId"/>; every step is safe to repeat.</summary>
    private async Task CompleteAsync(string loserId, string survivorId, string? cause, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var loser = await customers.GetAsync(loserId, cancellationToken);
        var intent = loser?.Merges.LastOrDefault(m => m.MergedCustomerId == loserId)
            ?? new MergeRecord(loserId, now, cause ?? "resumed merge") { IntoCustomerId = survivorId };
        if (loser is not null && loser.MergedInto != survivorId)
        {
            // The tombstone first (or, when the survivor was itself merged later, pointing straight at the final survivor).
            intent = intent with { IntoCustomerId = survivorId };
            loser = await customers.UpdateAsync(loserId, c => c with { MergedInto = survivorId, Merges = [.. c.Merges.Where(m => m.MergedCustomerId != loserId), intent] }, cancellationToken);
        }

        // Copy through the transactional append: rows an earlier attempt copied are found and left alone, the rest are
        // applied to the survivor's summary in the same transactions that insert them.
        var loserIdentities = loser?.Identities ?? [];
        var copied = 0;
        var loserAnswers = new List<Touchpoint>();
        var survivorAnswers = new List<Touchpoint>();
        string? cursor = null;
        do
        {
            var page = await timeline.QueryAsync(loserId, new TimelineQuery { Limit = TimelineQuery.MaxLimit, Cursor = cursor }, cancellationToken);
            loserAnswers.AddRange(page.Items.Where(t => t.Survey is not null));
            if (page.Items.Count > 0)
            {
                var result = await timeline.AppendAsync(survivorId, page.Items, new AppendOptions { RowsMayExist = true, Identities = loserIdentities }, cancellationToken);
                copied += result.Inserted.Count;

                // The survivor's answers are the rows it holds now. A row that was already there under another key (its own
                // copy of the same object event, an event without a time of its own received at another time) is reported
                // as stored: its answer row is the survivor's own, and another under the merged row's key would count the
                // answer twice and outlive an erasure, which finds answers on the timeline.
                survivorAnswers.AddRange(result.Inserted.Concat(result.Duplicates).Where(t => t.Survey is not null));
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);

        var committed = await customers.UpdateAsync(
            survivorId,
            c =>
            {
                ThrowIfMovedOrErased(c, mayBeMergedInto: null);
                var existing = c.Merges.FirstOrDefault(m => m.MergedCustomerId == loserId);
                var identities = IdentityResolver.Union(c.Identities, loserIdentities);
                if (existing?.CombinedAt is not null && ReferenceEquals(identities, c.Identities))
                {
                    return c;
                }

                var done = (existing ?? intent) with { IntoCustomerId = survivorId, CombinedAt = existing?.CombinedAt ?? now };
                return c with { Identities = identities, Merges = [.. c.Merges.Where(m => m.MergedCustomerId != loserId), done] };
            },
            cancellationToken);

        // The map and the funnel count a person once: the survivor's part and first times move and its shard takes the
        // merged customer's survey answers as the survivor stored them; the merged customer's rows go.
        await aggregates.ApplyAsync(survivorId, null, committed.Journey, survivorAnswers, cancellationToken);
        await aggregates.RemoveAsync(loserId, loserAnswers, cancellationToken);

        foreach (var identity in loserIdentities)
        {
            await identities.ReassignAsync(identity, loserId, survivorId, cancellationToken);
        }

        var deleted = await timeline.DeleteCustomerAsync(loserId, cancellationToken);
        if (loser is not null)
        {
            // The tombstone keeps only where the customer went and why: personal data lives on the survivor.
            await customers.UpdateAsync(
                loserId,
                c => c with
                {
                    Identities = [],
                    Journey = new JourneyState(),
                    Merges = [.. c.Merges.Where(m => m.MergedCustomerId != loserId), intent with { IntoCustomerId = survivorId, CombinedAt = intent.CombinedAt ?? now, CompletedAt = intent.CompletedAt ?? now }],
                },
                cancellationToken);
        }

        // Last: the survivor records the merge as finished; until then every resolution of the survivor resumes it.
        await customers.UpdateAsync(
            survivorId,
            c => c.Merges.FirstOrDefault(m => m.MergedCustomerId == loserId) is { CompletedAt: null } entry
                ? c with { Merges = [.. c.Merges.Where(m => m.MergedCustomerId != loserId), entry with { CompletedAt = now }] }
                : c,
            cancellationToken);

        LogMerged(loserId, survivorId, copied, deleted, intent.Cause);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Merged customer {LoserId} into {SurvivorId} ({Copied} rows copied, {Deleted} old rows removed) because of {Cause}")]
    private partial void LogMerged(string loserId, string survivorId, int copied, int deleted, string cause);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused to merge {Count} customer(s) into {SurvivorId}: {Reason}; recorded as an identity conflict")]
    private partial void LogRefused(string survivorId, int count, string reason);
}

/// <summary>A merge of one customer into another, listed on both: when it was decided, why, and when it finished.</summary>
public sealed record MergeRecord(string MergedCustomerId, DateTimeOffset MergedAt, string Cause)
{
    /// <summary>The survivor; null only on records written before merges recorded it.</summary>
    public string? IntoCustomerId { get; init; }

    /// <summary>When the merged customer's summary was combined into the survivor's (exactly once).</summary>
    public DateTimeOffset? CombinedAt { get; init; }

    /// <summary>Null while the merge is pending (a crash stopped it); the next resolution of either customer finishes it.</summary>
    public DateTimeOffset? CompletedAt { get; init; }
}

/// <summary>The chosen survivor was merged away by a concurrent delivery; the merge starts again from the new chain.</summary>
#pragma warning disable CA1032 // Internal control-flow signal; the standard constructors would only invite misuse.
public sealed class MergeTargetMovedException() : InvalidOperationException("The survivor of a merge was itself merged meanwhile.");

/// <summary>One of the customers to merge is erased (or being erased): the touchpoint that would join them is suppressed.</summary>
public sealed class CustomerErasedException(string customerId) : InvalidOperationException($"Customer {customerId} is erased.")
{
    public string CustomerId { get; } = customerId;
}
#pragma warning restore CA1032
