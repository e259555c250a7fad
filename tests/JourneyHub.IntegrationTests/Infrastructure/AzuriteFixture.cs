using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using JourneyHub.Azure.Storage;
using JourneyHub.LocalHost;
using Microsoft.Extensions.Configuration;

namespace JourneyHub.IntegrationTests.Infrastructure;

/// <summary>One real Azurite process (free ports, in memory) shared by the tests of a collection.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteProcess? azurite;

    public string ConnectionString => azurite?.ConnectionString ?? throw new InvalidOperationException("Azurite not started");

    public StorageClients Clients { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        azurite = await AzuriteProcess.StartAsync();
        Clients = new StorageClients(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = ConnectionString })
            .Build());
    }

    public async Task DisposeAsync()
    {
        if (azurite is not null)
        {
            await azurite.DisposeAsync();
        }
    }

    public TableClient Table(string name) => Clients.Tables.GetTableClient(name);

    public BlobContainerClient RawContainer => Clients.Blobs.GetBlobContainerClient(StorageNames.RawContainer);

    public QueueClient Queue(string name) => Clients.Queues.GetQueueClient(name);
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
