using System.Globalization;
using Azure.Data.Tables;
using JourneyHub.Azure.Customers;
using JourneyHub.Azure.Segments;
using JourneyHub.Azure.Storage;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Schema;
using JourneyHub.LoadHarness;
using JourneyHub.LocalHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace JourneyHub.IntegrationTests.Customers;

/// <summary>
/// How the funnel's StageReached rows are written: a customer's stage rows and its pointer share a partition, so a
/// change of its first times is one transaction, and the pointer's touchpoint count keeps an older summary (a retry, a
/// slower process) or a sync racing a removal from bringing stale rows back. Each test has an Azurite of its own behind
/// the load harness's counting proxy, so the requests are counted exactly.
/// </summary>
public sealed class FunnelStageWritesTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2024, 5, 6, 8, 0, 0, TimeSpan.Zero);

    private AzuriteProcess azurite = null!;
    private CountingProxy proxy = null!;
    private CustomerStorage storage = null!;
    private StorageBootstrap bootstrap = null!;

    public async Task InitializeAsync()
    {
        azurite = await AzuriteProcess.StartAsync();
        proxy = await CountingProxy.StartAsync(azurite, CancellationToken.None);
        var clients = new StorageClients(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = proxy.ConnectionString })
            .Build());
        bootstrap = new StorageBootstrap(clients);
        storage = new CustomerStorage(clients, bootstrap);
        await storage.EnsureAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        storage.Dispose();
        bootstrap.Dispose();
        await proxy.DisposeAsync();
        await azurite.DisposeAsync();
    }

    [Fact]
    public async Task A_change_of_first_times_is_one_transaction_and_a_new_customer_needs_no_read()
    {
        using var analytics = Analytics();
        var customers = Enumerable.Range(0, 20).Select(i => Journey(CustomerWorld.Unique("cus_fw"), i)).ToList();
        proxy.Reset();

        foreach (var (customerId, states) in customers)
        {
            for (var i = 1; i < states.Count; i++)
            {
                await analytics.SyncStagesAsync(customerId, states[i - 1], states[i], CancellationToken.None);
            }
        }

        // Per customer: aware (new rows + pointer), considering (a row more, the first row's first times rewritten),
        // a later awareness event (first times unchanged: no request), an earlier one (the awareness row moves).
        Assert.Equal(3 * customers.Count, proxy.Counts.GetValueOrDefault("table batch StageReached"));
        Assert.Equal(3 * customers.Count, proxy.Counts.Where(c => c.Key.Contains("StageReached", StringComparison.Ordinal)).Sum(c => c.Value));
        foreach (var (customerId, states) in customers)
        {
            Assert.Equal(Expected(states[^1]), await StoredAsync(customerId));
        }

        var report = await analytics.FunnelAsync(new FunnelQuery(Start.AddDays(-1), Start.AddDays(30), null), CancellationToken.None);
        Assert.Equal([20, 20, 0, 0], report.Stages.Select(s => s.Reached).ToArray());
        Assert.Equal((20, 20), (report.Conversions[0].Cohort, report.Conversions[0].Converted));
    }

    [Fact]
    public async Task An_older_summary_or_a_sync_after_removal_brings_no_stale_row_back()
    {
        var (customerId, states) = Journey(CustomerWorld.Unique("cus_fo"), 3);
        using (var first = Analytics())
        {
            for (var i = 1; i < states.Count; i++)
            {
                await first.SyncStagesAsync(customerId, states[i - 1], states[i], CancellationToken.None);
            }
        }

        // A slower process (nothing cached) with the summary of two touchpoints ago, as a retry would send it.
        using var slower = Analytics();
        await slower.SyncStagesAsync(customerId, null, states[2], CancellationToken.None);
        await slower.SyncStagesAsync(customerId, states[1], states[2], CancellationToken.None);
        Assert.Equal(Expected(states[^1]), await StoredAsync(customerId));

        // Removed (erased or merged away): the rows go, and a sync still in flight from before cannot bring them back.
        using var remover = Analytics();
        await remover.RemoveStagesAsync(customerId, CancellationToken.None);
        Assert.Empty(await StoredAsync(customerId));
        await slower.SyncStagesAsync(customerId, null, states[^1], CancellationToken.None);
        using var late = Analytics();
        await late.SyncStagesAsync(customerId, new JourneyState(), states[1], CancellationToken.None);
        Assert.Empty(await StoredAsync(customerId));
    }

    [Fact]
    public async Task Syncs_of_one_customer_from_two_processes_in_any_order_leave_the_newest_summary()
    {
        using var first = Analytics();
        using var second = Analytics();
        var random = new Random(11);
        var customers = Enumerable.Range(0, 24).Select(i => Journey(CustomerWorld.Unique("cus_fc"), i)).ToList();

        // Every sync of every customer at once, shuffled, through either process: later summaries may land first.
        var syncs = customers
            .SelectMany(c => Enumerable.Range(1, c.States.Count - 1).Select(i => (c.CustomerId, Before: c.States[i - 1], After: c.States[i])))
            .OrderBy(_ => random.Next())
            .ToList();
        await Task.WhenAll(syncs.Select((s, i) => Task.Run(() => (i % 2 == 0 ? first : second).SyncStagesAsync(s.CustomerId, s.Before, s.After, CancellationToken.None))));

        foreach (var (customerId, states) in customers)
        {
            Assert.Equal(Expected(states[^1]), await StoredAsync(customerId));
        }
    }

    private TableJourneyAnalytics Analytics() =>
        new(storage, Microsoft.Extensions.Options.Options.Create(new StorageCacheOptions()), NullLogger<TableJourneyAnalytics>.Instance);

    /// <summary>A customer's summaries, one touchpoint at a time: aware, considering, aware again later, aware earlier.</summary>
    private static (string CustomerId, List<JourneyState> States) Journey(string customerId, int index)
    {
        var aware = Start.AddHours(index);
        var touchpoints = new[]
        {
            CustomerWorld.Event("hubspot", aware) with { Stage = JourneyStage.Awareness },
            CustomerWorld.Event("hubspot", aware.AddDays(2)) with { Stage = JourneyStage.Consideration, Channel = Channel.Web, Action = "page.viewed" },
            CustomerWorld.Event("hubspot", aware.AddDays(1)) with { Stage = JourneyStage.Awareness },
            CustomerWorld.Event("shopify", aware.AddHours(-3)) with { Stage = JourneyStage.Awareness },
        };
        var states = new List<JourneyState> { new() };
        foreach (var touchpoint in touchpoints)
        {
            states.Add(states[^1].Apply(touchpoint));
        }

        return (customerId, states);
    }

    /// <summary>(stage, first-reached ticks) of every stage row the summary calls for.</summary>
    private static List<string> Expected(JourneyState state) =>
        FunnelCalculator.StageEntries(state)
            .Select(e => JourneyJson.WireName(e.Key) + " " + e.Value.First.UtcTicks.ToString(CultureInfo.InvariantCulture) + " " + e.Value.Source)
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>The customer's stage rows as stored: stage, the ticks its row key starts with, source.</summary>
    private async Task<List<string>> StoredAsync(string customerId)
    {
        var partition = "s" + TableSegmentAggregates.Shard(customerId).ToString("00", CultureInfo.InvariantCulture);
        var found = new List<string>();
        proxy.Paused = true;
        try
        {
            var table = storage.Table(CustomerStorage.StageReachedTable);
            await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition} and CustomerId eq {customerId}")))
            {
                found.Add(row.GetString("Stage") + " " + long.Parse(row.RowKey.Split('_')[0], CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) + " " + row.GetString("Source"));
            }
        }
        finally
        {
            proxy.Paused = false;
        }

        return found.Order(StringComparer.Ordinal).ToList();
    }
}
