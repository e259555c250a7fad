using Azure.Core;
using Azure.Data.Tables;
using JourneyHub.Azure.Configuration;
using JourneyHub.Azure.Storage;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;
using JourneyHub.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace JourneyHub.IntegrationTests.Storage;

/// <summary>
/// An object's associations and history in one partition under one version row (issue 11): what an association and a
/// history write cost, counted on the wire, and the version check that keeps a history write from slipping in between an
/// association's read and its write. Real Azurite, the production store and <see cref="ObjectAttribution"/>.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ObjectStoreTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2025, 5, 1, 9, 0, 0, TimeSpan.Zero);
    private readonly RecordedRequests requests = new();
    private readonly ServiceProvider services;

    public ObjectStoreTests(AzuriteFixture azurite)
    {
        var builder = HubHostBuilder.Create(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Privacy:SuppressionKey"] = "object-store-tests-suppression-key-0123456789",
        });
        builder.AddJourneyHubAzure();
        var tables = new TableClientOptions();
        tables.AddPolicy(requests, HttpPipelinePosition.PerRetry);
        builder.Services.AddSingleton(StorageClients.From(new TableServiceClient(azurite.ConnectionString, tables), azurite.Clients.Blobs, azurite.Clients.Queues));
        services = builder.Services.BuildServiceProvider();
    }

    public void Dispose() => services.Dispose();

    private IObjectStore Store => services.GetRequiredService<IObjectStore>();

    private ObjectAttribution Attribution => services.GetRequiredService<ObjectAttribution>();

    [Fact]
    public async Task A_new_association_costs_a_read_the_customers_index_entry_and_one_transaction_and_an_existing_one_only_the_read()
    {
        var deal = NewDeal();
        var customerId = NewCustomerId();
        await WarmUpAsync();

        // A deal event nobody is associated with yet: one transaction (history row and version), then the associations read.
        var won = DealEvent(deal, "deal.won");
        Assert.Empty(await Attribution.RecordAsync(won, [deal], default));
        Assert.Equal(["POST $batch", "GET Objects query"], requests.Take().Select(r => r.Kind));

        var association = await Attribution.AssociateAsync(deal, customerId, default);

        Assert.Equal(new Attribution(customerId, customerId, deal), association.Person);
        Assert.Equal([won.TouchpointId], association.History.Select(t => t.TouchpointId));

        // The read of associations, history and version; the customer's index entry before the association; one transaction.
        Assert.Equal(["GET Objects query", "PUT Objects entity", "POST $batch"], requests.Take().Select(r => r.Kind));
        Assert.Equal([deal], await Store.ObjectsOfAsync(customerId, default));
        requests.Take();

        // Seen again (the next touchpoint of the same contact and deal): the one read, nothing written, the same history.
        var again = await Attribution.AssociateAsync(deal, customerId, default);

        Assert.Equal(association.Person, again.Person);
        Assert.Equal([won.TouchpointId], again.History.Select(t => t.TouchpointId));
        Assert.Equal(["GET Objects query"], requests.Take().Select(r => r.Kind));
    }

    [Fact]
    public async Task An_association_read_before_a_history_write_is_refused_and_recorded_after_a_new_read_that_holds_the_event()
    {
        var deal = NewDeal();
        var customerId = NewCustomerId();
        await Store.RecordAsync(deal, DealEvent(deal, "deal.stage_changed"), default);
        var stale = await Store.ReadAsync(deal, default);
        Assert.Single(stale.History);

        var won = DealEvent(deal, "deal.won");
        await Store.RecordAsync(deal, won, default);

        Assert.False(await Store.TryAddAsync(deal, customerId, stale, default));
        Assert.Empty(await Store.CustomersAsync(deal, default));

        var current = await Store.ReadAsync(deal, default);
        Assert.Contains(current.History, t => t.TouchpointId == won.TouchpointId);
        Assert.True(await Store.TryAddAsync(deal, customerId, current, default));
        Assert.Equal([customerId], await Store.CustomersAsync(deal, default));

        // A redelivered history row is overwritten, not added; it still changes the version.
        var associated = await Store.ReadAsync(deal, default);
        await Store.RecordAsync(deal, won, default);
        var after = await Store.ReadAsync(deal, default);
        Assert.Equal(2, after.History.Count);
        Assert.NotEqual(associated.Version, after.Version);
    }

    [Fact]
    public async Task Two_first_associations_of_a_new_object_read_at_once_only_one_is_recorded_on_that_read()
    {
        var deal = NewDeal();
        var (first, second) = (NewCustomerId(), NewCustomerId());
        var readByFirst = await Store.ReadAsync(deal, default);
        var readBySecond = await Store.ReadAsync(deal, default);
        Assert.Null(readByFirst.Version);

        Assert.True(await Store.TryAddAsync(deal, first, readByFirst, default));
        Assert.False(await Store.TryAddAsync(deal, second, readBySecond, default));

        // Through ObjectAttribution the refused one reads again and is recorded.
        var association = await Attribution.AssociateAsync(deal, second, default);
        Assert.Equal(second, association.Person.Key);
        Assert.Equal(new[] { first, second }.Order(StringComparer.Ordinal), (await Store.CustomersAsync(deal, default)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Removing_an_association_removes_both_rows_and_keeps_the_history()
    {
        var deal = NewDeal();
        var customerId = NewCustomerId();
        await Store.RecordAsync(deal, DealEvent(deal, "deal.won"), default);
        await Attribution.AssociateAsync(deal, customerId, default);

        Assert.Equal(1, await Attribution.ForgetCustomerAsync(customerId, default));

        var read = await Store.ReadAsync(deal, default);
        Assert.Empty(read.Customers);
        Assert.Single(read.History);
        Assert.Empty(await Store.ObjectsOfAsync(customerId, default));
    }

    private async Task WarmUpAsync()
    {
        // Table creation happens once per process; it is not part of what an association costs.
        await Store.CustomersAsync(NewDeal(), default);
        requests.Take();
    }

    private static Identity NewDeal() => new(IdentityTypes.HubSpotDeal, HubSpotEvents.NewId().ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static string NewCustomerId() => TouchpointIds.NewCustomerId(DateTimeOffset.UtcNow);

    private static Touchpoint DealEvent(Identity deal, string action)
    {
        var eventId = $"{HubSpotEvents.NewId()}-{deal.Value}";
        return new Touchpoint
        {
            TouchpointId = TouchpointIds.For("hubspot", eventId),
            Source = "hubspot",
            SourceEventId = eventId,
            OccurredAt = At,
            Channel = Channel.Crm,
            Kind = TouchpointKind.Direct,
            Action = action,
            Summary = action,
            Identities = [deal],
        };
    }
}
