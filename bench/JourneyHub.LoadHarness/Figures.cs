using System.Collections.Concurrent;
using System.Diagnostics;
using Azure.Storage.Blobs;

namespace JourneyHub.LoadHarness;

/// <summary>
/// Storage list prices the cost figures assume: pay-as-you-go, USD, Standard LRS, Hot blob tier, East US, as listed on
/// azure.microsoft.com/pricing/details/storage/{tables,blobs,queues} and recorded in docs/deploy.md (2025). Not fetched
/// live; change them here and the harness recomputes.
/// </summary>
public static class StoragePrices
{
    public const string Source = "list prices of docs/deploy.md, 2025";

    /// <summary>Table transactions: $0.00036 per 10,000.</summary>
    public const double TablePerMillion = 0.036;

    /// <summary>Hot blob write operations (PUT, POST, DELETE counted with them): $0.065 per 10,000.</summary>
    public const double BlobWritePerMillion = 6.5;

    /// <summary>Hot blob read and other operations: $0.005 per 10,000.</summary>
    public const double BlobReadPerMillion = 0.5;

    /// <summary>Queue operations (put, get, delete, peek, properties): $0.004 per 10,000.</summary>
    public const double QueuePerMillion = 0.40;

    /// <summary>Dollars per million deliveries for the given requests per delivery.</summary>
    public static (double Table, double Blob, double Queue, double Total) PerMillion(double table, double blobWrites, double blobReads, double queue)
    {
        var t = table * TablePerMillion;
        var b = (blobWrites * BlobWritePerMillion) + (blobReads * BlobReadPerMillion);
        var q = queue * QueuePerMillion;
        return (t, b, q, t + b + q);
    }
}

/// <summary>The ack path's floor: bare blob PUTs of the same bodies into the same Azurite, as many at once as there are senders.</summary>
public static class BlobPutBaseline
{
    public static async Task<(double P50, double P99, int Count)> RunAsync(HubEnvironment environment, IReadOnlyList<byte[]> bodies, int concurrency, CancellationToken cancellationToken)
    {
        var container = new BlobServiceClient(environment.StorageConnectionString).GetBlobContainerClient("put-baseline-" + Guid.NewGuid().ToString("N")[..8]);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var latencies = new ConcurrentBag<double>();

        // Warm the connection pool first, as the webhook senders' connections were warm.
        await Parallel.ForEachAsync(Enumerable.Range(0, concurrency), cancellationToken, async (i, ct) =>
            await container.GetBlobClient("warm-" + i).UploadAsync(BinaryData.FromBytes(bodies[i % bodies.Count]), ct));
        await Parallel.ForEachAsync(Enumerable.Range(0, bodies.Count), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var start = Stopwatch.GetTimestamp();
            await container.GetBlobClient("b" + i).UploadAsync(BinaryData.FromBytes(bodies[i]), ct);
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        });
        await container.DeleteAsync(cancellationToken: cancellationToken);
        var all = latencies.ToList();
        return (Percentiles.Of(all, 50), Percentiles.Of(all, 99), all.Count);
    }

    /// <summary>
    /// One writer more beside the webhook senders, while they send: bare PUTs of the same bodies, one after another, until
    /// <paramref name="stop"/> is cancelled. Its latencies are the floor under the same load the replies saw, where
    /// <see cref="RunAsync"/> measures the floor after the load, on an idle Azurite.
    /// </summary>
    public static async Task<(double P50, double P99, int Count)> ProbeAsync(HubEnvironment environment, IReadOnlyList<byte[]> bodies, CancellationToken stop)
    {
        var container = new BlobServiceClient(environment.StorageConnectionString).GetBlobContainerClient("put-probe-" + Guid.NewGuid().ToString("N")[..8]);
        await container.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None);
        await container.GetBlobClient("warm").UploadAsync(BinaryData.FromBytes(bodies[0]), CancellationToken.None);
        var latencies = new List<double>();
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var start = Stopwatch.GetTimestamp();
            try
            {
                await container.GetBlobClient("p" + i).UploadAsync(BinaryData.FromBytes(bodies[i % bodies.Count]), stop);
                latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The PUT in flight when the senders finished is not a sample.
            }
        }

        await container.DeleteAsync(cancellationToken: CancellationToken.None);
        return latencies.Count == 0 ? (double.NaN, double.NaN, 0) : (Percentiles.Of(latencies, 50), Percentiles.Of(latencies, 99), latencies.Count);
    }
}
