using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using JourneyHub.Azure.Storage;
using JourneyHub.Core.Ingestion;
using JourneyHub.LocalHost;
using Microsoft.Extensions.Configuration;

namespace JourneyHub.IntegrationTests.Infrastructure;

/// <summary>One real Azurite process (free ports, in memory) shared by the tests of a collection.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteProcess? azurite;
    private StorageBootstrap? bootstrap;

    public string ConnectionString => azurite?.ConnectionString ?? throw new InvalidOperationException("Azurite not started");

    public StorageClients Clients { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        azurite = await AzuriteProcess.StartAsync();
        Clients = new StorageClients(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = ConnectionString })
            .Build());
        bootstrap = new StorageBootstrap(Clients);
        RawArchive = new StorageRawArchive(Clients, bootstrap);
    }

    /// <summary>The raw archive as the app reads it: table entity or blob, by <c>rawRef</c>.</summary>
    public StorageRawArchive RawArchive { get; private set; } = null!;

    public async Task DisposeAsync()
    {
        bootstrap?.Dispose();
        if (azurite is not null)
        {
            await azurite.DisposeAsync();
        }
    }

    public TableClient Table(string name) => Clients.Tables.GetTableClient(name);

    public BlobContainerClient RawContainer => Clients.Blobs.GetBlobContainerClient(StorageNames.RawContainer);

    public QueueClient Queue(string name) => Clients.Queues.GetQueueClient(name);

    /// <summary>The archived bytes behind a <c>rawRef</c>, or null when there are none.</summary>
    public async Task<byte[]?> RawPayloadAsync(string rawRef) =>
        (await RawArchive.ReadAsync(new IngestionMessage { Source = "test", BlobName = rawRef, ReceivedAt = DateTimeOffset.UtcNow, CorrelationId = "test" }, default))?.Body.ToArray();

    /// <summary>Every archived payload of a source (table entities and blobs), with the sender facts stored beside it.</summary>
    public async Task<List<(string RawRef, byte[] Body, IReadOnlyDictionary<string, string> Properties)>> RawPayloadsAsync(string source)
    {
        await bootstrap!.EnsureAsync(default);
        var found = new List<(string, byte[], IReadOnlyDictionary<string, string>)>();
        await foreach (var entity in Table(StorageNames.RawPayloadsTable).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"Source eq {source}")))
        {
            var properties = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(entity.GetString("Properties") ?? "{}") ?? [];
            found.Add(($"{StorageRawArchive.TableReferencePrefix}{entity.PartitionKey}/{entity.RowKey}", StorageRawArchive.BodyOf(entity) ?? [], properties));
        }

        await foreach (var blob in RawContainer.GetBlobsAsync(global::Azure.Storage.Blobs.Models.BlobTraits.Metadata, global::Azure.Storage.Blobs.Models.BlobStates.None, source.Replace(':', '/') + "/", default))
        {
            var content = (await RawContainer.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToArray();
            found.Add((blob.Name, content, blob.Metadata.ToDictionary(m => m.Key, m => Uri.UnescapeDataString(m.Value))));
        }

        return found;
    }

    /// <summary>How many touchpoint rows a customer's partition holds (the summary row and markers not counted).</summary>
    public async Task<int> CountTimelineRowsAsync(string customerId)
    {
        var count = 0;
        await foreach (var _ in Table(StorageNames.TimelineTable).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {customerId} and RowKey lt {PartitionRows.TouchpointRowsEnd}"), select: ["RowKey"]))
        {
            count++;
        }

        return count;
    }

    /// <summary>How many payloads are archived, in the table and in blobs.</summary>
    public async Task<int> CountRawPayloadsAsync()
    {
        await bootstrap!.EnsureAsync(default);
        var count = 0;
        await foreach (var _ in Table(StorageNames.RawPayloadsTable).QueryAsync<TableEntity>(select: ["PartitionKey"]))
        {
            count++;
        }

        await foreach (var _ in RawContainer.GetBlobsAsync(global::Azure.Storage.Blobs.Models.BlobTraits.None, global::Azure.Storage.Blobs.Models.BlobStates.None, null, default))
        {
            count++;
        }

        return count;
    }

    /// <summary>Test stand-in for "the adapter was fixed": replaces the bytes archived under a reference.</summary>
    public async Task ReplaceRawPayloadAsync(string rawRef, byte[] body)
    {
        if (StorageRawArchive.TryTableKey(rawRef, out var key))
        {
            var entity = (await Table(StorageNames.RawPayloadsTable).GetEntityAsync<TableEntity>(key.PartitionKey, key.RowKey)).Value;
            var chunks = (body.Length + StorageRawArchive.ChunkBytes - 1) / StorageRawArchive.ChunkBytes;
            entity["Length"] = body.Length;
            entity["Chunks"] = chunks;
            for (var i = 0; i < chunks; i++)
            {
                entity[StorageRawArchive.ChunkProperty(i)] = body.AsSpan(i * StorageRawArchive.ChunkBytes, Math.Min(StorageRawArchive.ChunkBytes, body.Length - (i * StorageRawArchive.ChunkBytes))).ToArray();
            }

            await Table(StorageNames.RawPayloadsTable).UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace);
            return;
        }

        await RawContainer.GetBlobClient(rawRef).UploadAsync(BinaryData.FromBytes(body), overwrite: true);
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
