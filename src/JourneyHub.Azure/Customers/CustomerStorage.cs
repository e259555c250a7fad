using Azure.Data.Tables;
using JourneyHub.Azure.Storage;

namespace JourneyHub.Azure.Customers;

/// <summary>
/// The tables and queue of identity conflicts and erasure (the funnel's rows live in the segment map's table). Created once, lazily, beside the
/// core resources of <see cref="StorageBootstrap"/> (kept apart so the two lists never conflict in a merge).
/// </summary>
public sealed class CustomerStorage(StorageClients clients, StorageBootstrap bootstrap) : IDisposable
{
    public const string IdentityConflictsTable = "IdentityConflicts";
    public const string ErasuresTable = "Erasures";
    public const string ErasureQueue = "journey-erasure";
    public const string ErasurePoisonQueue = "journey-erasure-poison";

    public static IReadOnlyList<string> Tables { get; } = [IdentityConflictsTable, ErasuresTable];

    private readonly SemaphoreSlim gate = new(1, 1);
    private volatile bool ready;

    public StorageClients Clients => clients;

    public TableClient Table(string name) => clients.Tables.GetTableClient(name);

    public async ValueTask EnsureAsync(CancellationToken cancellationToken)
    {
        if (ready)
        {
            return;
        }

        await bootstrap.EnsureAsync(cancellationToken);
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (ready)
            {
                return;
            }

            var work = Tables.Select(t => (Task)clients.Tables.CreateTableIfNotExistsAsync(t, cancellationToken)).ToList();
            work.Add(clients.Queues.GetQueueClient(ErasureQueue).CreateIfNotExistsAsync(cancellationToken: cancellationToken));
            work.Add(clients.Queues.GetQueueClient(ErasurePoisonQueue).CreateIfNotExistsAsync(cancellationToken: cancellationToken));
            await Task.WhenAll(work);
            ready = true;
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();
}
