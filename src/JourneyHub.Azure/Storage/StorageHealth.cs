using JourneyHub.Core.Ports;

namespace JourneyHub.Azure.Storage;

/// <summary>Asks each storage service one cheap question, each with its own short deadline.</summary>
public sealed class StorageHealth(StorageClients clients) : IStorageHealth
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(3);

    public async Task<IReadOnlyDictionary<string, bool>> CheckAsync(CancellationToken cancellationToken)
    {
        var tables = Probe(ct => clients.Tables.GetTableClient(StorageNames.TimelineTable).QueryAsync<global::Azure.Data.Tables.TableEntity>(maxPerPage: 1, cancellationToken: ct).AsPages().GetAsyncEnumerator(ct).MoveNextAsync().AsTask(), cancellationToken);
        var blobs = Probe(ct => clients.Blobs.GetBlobContainerClient(StorageNames.RawContainer).ExistsAsync(ct), cancellationToken);
        var queues = Probe(ct => clients.Queues.GetQueueClient(StorageNames.IngestQueue).ExistsAsync(ct), cancellationToken);
        return new Dictionary<string, bool>(StringComparer.Ordinal)
        {
            ["tables"] = await tables,
            ["blobs"] = await blobs,
            ["queues"] = await queues,
        };
    }

    private static async Task<bool> Probe(Func<CancellationToken, Task> probe, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Deadline);
        try
        {
            await probe(deadline.Token);
            return true;
        }
        catch (global::Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            // The service answered; the resource is simply not created yet.
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
