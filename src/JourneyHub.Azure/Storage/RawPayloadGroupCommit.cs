using System.Collections.Concurrent;
using Azure.Data.Tables;

namespace JourneyHub.Azure.Storage;

/// <summary>
/// Inserts of raw payload entities, group-committed per partition: one entity-group transaction per partition is in
/// flight at a time in a process, and every insert that arrives meanwhile rides the next one (at most
/// <see cref="MaxEntities"/> entities and <see cref="MaxRequestBytes"/> of request). A caller returns once a transaction
/// holding its entity has committed, or its entity was found there already (the same content archived before: a retry,
/// a redelivery, a replay, a redacted copy, which is left as it is). A storage failure fails every caller of that
/// transaction; each caller's queue message stays and is retried.
/// </summary>
/// <remarks>The idea of <c>TableSegmentAggregates</c>' group commit per shard, without its planning: inserts do not read first.</remarks>
internal sealed class RawPayloadGroupCommit(Func<TableClient> table)
{
    /// <summary>The most operations an entity-group transaction may hold.</summary>
    public const int MaxEntities = 100;

    /// <summary>
    /// A transaction's request may carry 4 MiB. Half of it leaves room for the multipart framing and each operation's
    /// headers around the estimate of <see cref="EstimatedWireBytes"/>.
    /// </summary>
    public const int MaxRequestBytes = 2 * 1024 * 1024;

    private readonly ConcurrentDictionary<string, PartitionQueue> partitions = new(StringComparer.Ordinal);

    /// <returns>True when a transaction of this call's group stored the entity; false when it was there already.</returns>
    public async Task<bool> InsertAsync(TableEntity entity, CancellationToken cancellationToken)
    {
        var partition = partitions.GetOrAdd(entity.PartitionKey, _ => new PartitionQueue());
        var insert = new PendingInsert(entity);
        partition.Enqueue(insert);
        try
        {
            await partition.Gate.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The holder of the gate may have this insert in its group already: if that holder is cancelled too, it must
            // not put the insert back, or it would be committed later, for nobody, perhaps after its entry was erased.
            partition.Abandon(insert);
            throw;
        }

        try
        {
            // Whoever held the gate before may have committed this insert with its own group.
            while (!insert.Done.Task.IsCompleted)
            {
                var group = partition.TakeGroup();
                try
                {
                    await CommitAsync(group, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    // This caller was cancelled: the others' inserts wait for the next holder of the gate.
                    partition.Abandon(insert);
                    partition.PutBack(group.Where(i => i != insert && !i.Done.Task.IsCompleted));
                    throw;
                }
            }
        }
        finally
        {
            partition.Gate.Release();
        }

        return await insert.Done.Task;
    }

    /// <summary>
    /// One transaction for the group (inserts of the same content share one entity). An entity the service refuses fails
    /// the whole transaction and is named by its index: one that exists is archived already, so it is done; any other
    /// refusal (too large, invalid) fails only the callers of that entity. Either way the rest is sent again, so one bad
    /// entity never fails the messages that happened to share its transaction.
    /// </summary>
    private async Task CommitAsync(List<PendingInsert> group, CancellationToken cancellationToken)
    {
        var rows = group.GroupBy(i => i.Entity.RowKey, StringComparer.Ordinal).Select(g => g.ToList()).ToList();
        while (rows.Count > 0)
        {
            try
            {
                await table().SubmitTransactionAsync(rows.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r[0].Entity)), cancellationToken);
                Complete(rows.SelectMany(r => r), stored: true, failure: null);
                return;
            }
            catch (TableTransactionFailedException ex) when (ex.FailedTransactionActionIndex is int index && index < rows.Count)
            {
                Complete(rows[index], stored: false, failure: ex.Status == 409 ? null : ex);
                rows.RemoveAt(index);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Complete(rows.SelectMany(r => r), stored: false, ex);
                return;
            }
        }
    }

    private static void Complete(IEnumerable<PendingInsert> inserts, bool stored, Exception? failure)
    {
        foreach (var insert in inserts)
        {
            if (failure is null)
            {
                insert.Done.TrySetResult(stored);
            }
            else
            {
                insert.Done.TrySetException(failure);
            }
        }
    }

    /// <summary>
    /// An upper bound of the entity's share of the request: binary travels as base64 (4/3), a string may be escaped up
    /// to six characters per character, and every property carries its name and type annotation.
    /// </summary>
    internal static int EstimatedWireBytes(TableEntity entity)
    {
        const int PerProperty = 96;
        long bytes = PerProperty * 2;
        foreach (var (_, value) in entity)
        {
            bytes += PerProperty + value switch
            {
                byte[] binary => (binary.Length + 2) / 3 * 4L,
                string text => text.Length * 6L,
                _ => 0L,
            };
        }

        return (int)Math.Min(bytes, int.MaxValue);
    }

    /// <summary>An entity waiting for its partition's next transaction.</summary>
    private sealed class PendingInsert(TableEntity entity)
    {
        public TableEntity Entity { get; } = entity;

        public int WireBytes { get; } = EstimatedWireBytes(entity);

        /// <summary>True when stored by its group's transaction, false when the entity was there already.</summary>
        public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Its caller stopped waiting (cancelled); read and written under the partition queue's lock.</summary>
        public bool Abandoned { get; set; }
    }

    /// <summary>The inserts waiting for one partition, oldest first, and the gate that lets one transaction of it through at a time.</summary>
    private sealed class PartitionQueue
    {
        private readonly List<PendingInsert> pending = [];

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public void Enqueue(PendingInsert insert)
        {
            lock (pending)
            {
                pending.Add(insert);
            }
        }

        /// <summary>Its caller stopped waiting: out of the queue, and never put back by a holder that had taken it.</summary>
        public void Abandon(PendingInsert insert)
        {
            lock (pending)
            {
                insert.Abandoned = true;
                pending.Remove(insert);
            }
        }

        /// <summary>The oldest inserts that fit one transaction; at least one, whatever its size.</summary>
        public List<PendingInsert> TakeGroup()
        {
            lock (pending)
            {
                var taken = 0;
                var bytes = 0L;
                while (taken < pending.Count && taken < MaxEntities && (taken == 0 || bytes + pending[taken].WireBytes <= MaxRequestBytes))
                {
                    bytes += pending[taken].WireBytes;
                    taken++;
                }

                var group = pending.GetRange(0, taken);
                pending.RemoveRange(0, taken);
                return group;
            }
        }

        public void PutBack(IEnumerable<PendingInsert> inserts)
        {
            var list = inserts.ToList();
            lock (pending)
            {
                pending.InsertRange(0, list.Where(i => !i.Abandoned));
            }
        }
    }
}
