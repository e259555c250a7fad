using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace JourneyHub.Azure.Storage;

/// <summary>
/// Builds the storage clients from <c>AzureWebJobsStorage</c> the way the Functions host reads it: a
/// connection string (Azurite, local runs) or identity-based (<c>__accountName</c> / <c>__*ServiceUri</c>,
/// <c>__credential=managedidentity</c>, <c>__clientId</c>) in Azure, where no key is ever in settings.
/// </summary>
public sealed class StorageClients
{
    public const string ConnectionName = "AzureWebJobsStorage";

    /// <summary>
    /// Queue message text is sent as is, not base64: an ingestion message with inline bytes needs the room
    /// (base64 of base64 would not fit 48 KB into a 64 KiB message). host.json's <c>extensions.queues.messageEncoding</c>
    /// is <c>none</c> to match, so the Functions host reads what this client writes; the local host uses this client.
    /// </summary>
    public const QueueMessageEncoding MessageEncoding = QueueMessageEncoding.None;

    public StorageClients(IConfiguration configuration)
    {
        var connectionString = configuration[ConnectionName];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            Tables = new TableServiceClient(connectionString);
            Blobs = new BlobServiceClient(connectionString);
            Queues = new QueueServiceClient(connectionString, new QueueClientOptions { MessageEncoding = MessageEncoding });
            return;
        }

        var section = configuration.GetSection(ConnectionName);
        var account = section["accountName"];
        var blobUri = UriOrDefault(section["blobServiceUri"], account, "blob");
        var queueUri = UriOrDefault(section["queueServiceUri"], account, "queue");
        var tableUri = UriOrDefault(section["tableServiceUri"], account, "table");
        if (blobUri is null || queueUri is null || tableUri is null)
        {
            throw new InvalidOperationException(
                "Storage is not configured: set AzureWebJobsStorage (connection string, e.g. UseDevelopmentStorage=true) or AzureWebJobsStorage__accountName.");
        }

        TokenCredential credential = string.Equals(section["credential"], "managedidentity", StringComparison.OrdinalIgnoreCase)
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(section["clientId"] ?? throw new InvalidOperationException("AzureWebJobsStorage__clientId is required with __credential=managedidentity")))
            : new DefaultAzureCredential();
        Tables = new TableServiceClient(tableUri, credential);
        Blobs = new BlobServiceClient(blobUri, credential);
        Queues = new QueueServiceClient(queueUri, credential, new QueueClientOptions { MessageEncoding = MessageEncoding });
    }

    private StorageClients(TableServiceClient tables, BlobServiceClient blobs, QueueServiceClient queues)
    {
        Tables = tables;
        Blobs = blobs;
        Queues = queues;
    }

    /// <summary>
    /// Clients built with options of the caller's own (e.g. a pipeline policy that observes every request, as the archive
    /// tests count a redaction's storage calls); queue clients must use <see cref="MessageEncoding"/>.
    /// </summary>
    public static StorageClients From(TableServiceClient tables, BlobServiceClient blobs, QueueServiceClient queues)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(queues);
        return new StorageClients(tables, blobs, queues);
    }

    public TableServiceClient Tables { get; }

    public BlobServiceClient Blobs { get; }

    public QueueServiceClient Queues { get; }

    private static Uri? UriOrDefault(string? explicitUri, string? account, string service) =>
        !string.IsNullOrWhiteSpace(explicitUri) ? new Uri(explicitUri)
        : !string.IsNullOrWhiteSpace(account) ? new Uri($"https://{account}.{service}.core.windows.net")
        : null;
}

/// <summary>Creates tables, the raw container and the queues once, on first use, so a cold start never fails on storage.</summary>
public sealed class StorageBootstrap(StorageClients clients) : IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private volatile bool ready;

    public async ValueTask EnsureAsync(CancellationToken cancellationToken)
    {
        if (ready)
        {
            return;
        }

        await gate.WaitAsync(cancellationToken);
        try
        {
            if (ready)
            {
                return;
            }

            var work = new List<Task>();
            work.AddRange(StorageNames.Tables.Select(t => clients.Tables.CreateTableIfNotExistsAsync(t, cancellationToken)));
            work.Add(clients.Blobs.GetBlobContainerClient(StorageNames.RawContainer).CreateIfNotExistsAsync(cancellationToken: cancellationToken));
            work.Add(clients.Queues.GetQueueClient(StorageNames.IngestQueue).CreateIfNotExistsAsync(cancellationToken: cancellationToken));
            work.Add(clients.Queues.GetQueueClient(StorageNames.IngestPoisonQueue).CreateIfNotExistsAsync(cancellationToken: cancellationToken));
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
