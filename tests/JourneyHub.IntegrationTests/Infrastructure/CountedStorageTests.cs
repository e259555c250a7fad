using JourneyHub.Azure.Storage;
using JourneyHub.LoadHarness;
using JourneyHub.LocalHost;
using Microsoft.Extensions.Configuration;

namespace JourneyHub.IntegrationTests.Infrastructure;

/// <summary>
/// Tests that count storage requests exactly: each test gets an Azurite of its own behind the load harness's counting
/// proxy (<see cref="Proxy"/>), and <see cref="Storage"/> clients that go through it.
/// </summary>
public abstract class CountedStorageTests : IAsyncLifetime
{
    private AzuriteProcess azurite = null!;

    protected CountingProxy Proxy { get; private set; } = null!;

    protected StorageClients Storage { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        azurite = await AzuriteProcess.StartAsync();
        Proxy = await CountingProxy.StartAsync(azurite, CancellationToken.None);
        Storage = ClientsOf(Proxy.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await Proxy.DisposeAsync();
        await azurite.DisposeAsync();
    }

    /// <summary>Clients of another storage endpoint (e.g. a second Azurite holding the rows of one-at-a-time application).</summary>
    protected static StorageClients ClientsOf(string connectionString) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = connectionString }).Build());
}
