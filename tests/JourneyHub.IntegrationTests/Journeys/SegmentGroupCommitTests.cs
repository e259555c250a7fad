using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using JourneyHub.Azure.Segments;
using JourneyHub.Azure.Storage;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Journey.Segments;
using JourneyHub.Core.Schema;
using JourneyHub.IntegrationTests.Customers;
using JourneyHub.IntegrationTests.Infrastructure;
using JourneyHub.LoadHarness;
using JourneyHub.LocalHost;
using Xunit.Abstractions;

namespace JourneyHub.IntegrationTests.Journeys;

/// <summary>
/// Group commit of the segment map: changes of one shard that arrive while its transaction is in flight share the next
/// one. Each test has an Azurite of its own behind the load harness's counting proxy, so the transactions it asks for
/// are counted exactly, and the stored rows are checked against <see cref="TableSegmentAggregates.SeedAsync"/> of the
/// final summaries into a second Azurite (which folds the same rows customer by customer).
/// </summary>
public sealed class SegmentGroupCommitTests(ITestOutputHelper output) : CountedStorageTests
{
    private const int Shard = TableSegmentAggregates.Shards - 1;
    private static readonly DateTimeOffset Day = new(2025, 3, 14, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = Day.AddDays(20);


    [Fact]
    public async Task Concurrent_changes_in_one_shard_share_transactions_and_leave_exact_sums()
    {
        var customers = Population(40);
        using var aggregates = Aggregates(Storage);
        await aggregates.MapAsync(new SegmentMapQuery(Day, Day.AddDays(1), Segment.All), CancellationToken.None);
        Proxy.Reset();

        // Every customer's touchpoints in order, all customers at once: 3 changes each, 120 in all, one shard.
        await Task.WhenAll(customers.Select(c => Task.Run(async () =>
        {
            var before = new JourneyState();
            foreach (var touchpoint in c.Touchpoints)
            {
                var after = before.Apply(touchpoint);
                await aggregates.ApplyAsync(c.CustomerId, before, after, [], CancellationToken.None);
                before = after;
            }
        })));

        var changes = customers.Sum(c => c.Touchpoints.Count);
        var transactions = Proxy.Counts.GetValueOrDefault("table batch SegmentMap");
        output.WriteLine($"{changes} changes in one shard from {customers.Count} concurrent customers: {transactions} transactions, " +
            $"{Proxy.Counts.GetValueOrDefault("table GET SegmentMap (entity)")} point reads, {Proxy.Counts.GetValueOrDefault("table GET SegmentMap (query)")} queries");
        Assert.InRange(transactions, 1, changes / 2);

        // A first change (summary without touchpoints before it) expects no contribution row: no point read.
        Assert.Equal(0, Proxy.Counts.GetValueOrDefault("table GET SegmentMap (entity)"));
        await AssertSameAsSeededAsync(aggregates, customers);
    }

    [Fact]
    public async Task Two_processes_changing_one_shard_at_once_keep_the_sums_exact()
    {
        var customers = Population(30);

        // Two hosts with caches of their own: each one's cached sums rows go stale under the other's transactions, so
        // groups fail their ETags and are read and made again.
        using var first = Aggregates(Storage);
        using var second = Aggregates(Storage);
        await Task.WhenAll(customers.Select((c, index) => Task.Run(async () =>
        {
            var before = new JourneyState();
            for (var i = 0; i < c.Touchpoints.Count; i++)
            {
                var after = before.Apply(c.Touchpoints[i]);
                await ((index + i) % 2 == 0 ? first : second).ApplyAsync(c.CustomerId, before, after, [], CancellationToken.None);
                before = after;
            }
        })));

        // Retried as after a crash (no previous state), through either host: nothing moves.
        await Task.WhenAll(customers.Select((c, index) => (index % 2 == 0 ? first : second).ApplyAsync(c.CustomerId, null, c.Final, [], CancellationToken.None)));
        await AssertSameAsSeededAsync(first, customers);
    }

    [Fact]
    public async Task A_day_read_once_is_known_in_full_and_a_row_another_host_added_meanwhile_is_caught()
    {
        // Each customer comes from a source of its own, so each first change needs sums rows nobody wrote before.
        var customers = Population(8, i => "source" + Math.Min(i, 6).ToString(CultureInfo.InvariantCulture));
        using var aggregates = Aggregates(Storage);
        await aggregates.MapAsync(new SegmentMapQuery(Day, Day.AddDays(1), Segment.All), CancellationToken.None);
        Proxy.Reset();
        foreach (var customer in customers.Take(6))
        {
            await aggregates.ApplyAsync(customer.CustomerId, new JourneyState(), customer.Final, [], CancellationToken.None);
        }

        // The shard's day was read once, with all its segments; later customers' new rows are known to be absent.
        Assert.Equal(1, Proxy.Counts.GetValueOrDefault("table GET SegmentMap (query)"));
        Assert.Equal(6, Proxy.Counts.GetValueOrDefault("table batch SegmentMap"));

        // Another host (its own read of the day) adds a customer of source 6, a new row of the day; this host's insert of
        // that row for customer 7, also of source 6, fails, and the day is read again: three queries in all.
        using var other = Aggregates(Storage);
        await other.ApplyAsync(customers[6].CustomerId, new JourneyState(), customers[6].Final, [], CancellationToken.None);
        await aggregates.ApplyAsync(customers[7].CustomerId, new JourneyState(), customers[7].Final, [], CancellationToken.None);
        Assert.Equal(3, Proxy.Counts.GetValueOrDefault("table GET SegmentMap (query)"));
        await AssertSameAsSeededAsync(aggregates, customers);
    }

    [Fact]
    public async Task A_first_change_for_a_removed_customer_stores_nothing()
    {
        var customer = Population(1).Single();
        using var aggregates = Aggregates(Storage);
        await aggregates.ApplyAsync(customer.CustomerId, null, customer.Final, [], CancellationToken.None);
        await aggregates.RemoveAsync(customer.CustomerId, [], CancellationToken.None);

        // Another host (nothing cached) sees what looks like the customer's first change: its insert meets the removal's
        // row, which outranks every summary.
        using var other = Aggregates(Storage);
        await other.ApplyAsync(customer.CustomerId, new JourneyState(), new JourneyState().Apply(customer.Touchpoints[0]), [], CancellationToken.None);

        var map = await other.MapAsync(new SegmentMapQuery(Day.AddDays(-1), Day.AddDays(2), Segment.All), CancellationToken.None);
        Assert.Equal(0, map.Kpis.Customers);
        var rows = await SegmentSeedTests.RowsAsync(Storage.Tables.GetTableClient(TableSegmentAggregates.TableName));
        Assert.Equal([$"s{Shard:00}/c|{customer.CustomerId}"], rows.Keys);
    }

    private async Task AssertSameAsSeededAsync(TableSegmentAggregates aggregates, List<Customer> customers)
    {
        await using var reference = await AzuriteProcess.StartAsync();
        var referenceClients = ClientsOf(reference.ConnectionString);
        using var seeding = Aggregates(referenceClients);
        await seeding.SeedAsync(customers.Select(c => (c.CustomerId, c.Final)), parallelTransactions: 1, CancellationToken.None);

        var expected = await SegmentSeedTests.RowsAsync(referenceClients.Tables.GetTableClient(TableSegmentAggregates.TableName));
        var actual = await SegmentSeedTests.RowsAsync(Storage.Tables.GetTableClient(TableSegmentAggregates.TableName));
        Assert.Equal(customers.Count, expected.Keys.Count(k => k.Contains("/c|", StringComparison.Ordinal)));
        Assert.Equal(expected, actual);

        foreach (var segment in new[] { Segment.All, Segment.FirstSource("hubspot"), Segment.FirstSource("shopify"), Segment.Converted(false) })
        {
            var query = new SegmentMapQuery(Day.AddDays(-1), Day.AddDays(2), segment);
            Assert.Equal(
                JsonSerializer.Serialize(await seeding.MapAsync(query, CancellationToken.None), JourneyJson.Options),
                JsonSerializer.Serialize(await aggregates.MapAsync(query, CancellationToken.None), JourneyJson.Options));
        }

        var all = await aggregates.MapAsync(new SegmentMapQuery(Day.AddDays(-1), Day.AddDays(2), Segment.All), CancellationToken.None);
        Assert.Equal(customers.Count, all.Kpis.Customers);
    }

    /// <summary>Customers of one shard, three touchpoints each on one day (so they share sums rows), from two sources.</summary>
    private static List<Customer> Population(int count, Func<int, string>? sourceOf = null)
    {
        var ids = Enumerable.Range(0, int.MaxValue)
            .Select(i => CustomerWorld.Unique("cus_group"))
            .Where(id => TableSegmentAggregates.Shard(id) == Shard)
            .Take(count)
            .ToList();
        return ids.Select((id, i) =>
        {
            var source = sourceOf?.Invoke(i) ?? (i % 3 == 0 ? "shopify" : "hubspot");
            var touchpoints = new List<Touchpoint>
            {
                CustomerWorld.Event(source, Day.AddHours(1 + (i % 7))) with { Channel = Channel.Email, Stage = JourneyStage.Awareness, Action = "email.opened" },
                CustomerWorld.Event(source, Day.AddHours(9 + (i % 5))) with { Channel = Channel.Web, Stage = JourneyStage.Consideration, Action = "page.viewed" },
                CustomerWorld.Event(source, Day.AddHours(15 + (i % 3))) with { Channel = i % 2 == 0 ? Channel.Chat : Channel.Crm, Stage = JourneyStage.Consideration, Action = "ticket.created" },
            };
            return new Customer(id, touchpoints, touchpoints.Aggregate(new JourneyState(), (state, t) => state.Apply(t)));
        }).ToList();
    }

    private static TableSegmentAggregates Aggregates(StorageClients clients) => SegmentSeedTests.Aggregates(clients, Now);

    private sealed record Customer(string CustomerId, List<Touchpoint> Touchpoints, JourneyState Final);
}
