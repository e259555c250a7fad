using System.Globalization;
using System.Text.Json;
using JourneyHub.Azure.Customers;
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
/// A customer's segment map part, funnel stage rows and survey answers live in its shard partition of the
/// <c>SegmentMap</c> table and change in one transaction, shared by the changes of the shard that meet (group commit).
/// Each test has an Azurite of its own behind the load harness's counting proxy, so requests are counted exactly; rows
/// are compared, every property, with those the same changes leave when applied one at a time in a second Azurite.
/// </summary>
public sealed class CustomerAggregatesTests(ITestOutputHelper output) : CountedStorageTests
{
    private const int Shard = 1;
    private static readonly DateTimeOffset Day = new(2025, 6, 2, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = Day.AddDays(20);


    [Fact]
    public async Task Concurrent_changes_with_stages_and_answers_share_transactions_and_leave_the_rows_of_one_at_a_time()
    {
        var customers = Population(30);
        using var aggregates = Aggregates(Storage);
        await aggregates.MapAsync(new SegmentMapQuery(Day, Day.AddDays(1), Segment.All), CancellationToken.None);
        Proxy.Reset();

        // Every customer's touchpoints in order, all customers at once: 5 changes each (stages move, answers arrive).
        await Task.WhenAll(customers.Select(c => Task.Run(() => ApplyInOrderAsync(aggregates, c))));

        var changes = customers.Sum(c => c.Touchpoints.Count);
        var transactions = Proxy.Counts.GetValueOrDefault("table batch SegmentMap");
        output.WriteLine($"{changes} changes in one shard from {customers.Count} concurrent customers: {transactions} transactions; " + string.Join(", ", Proxy.Counts.Select(c => $"{c.Key} {c.Value}")));
        Assert.InRange(transactions, 1, changes / 2);

        // Map, stages and answers are one request: nothing else is written, and a first change reads no contribution row.
        Assert.All(Proxy.Counts.Keys, key => Assert.Contains("SegmentMap", key, StringComparison.Ordinal));
        Assert.Equal(0, Proxy.Counts.GetValueOrDefault("table GET SegmentMap (entity)"));

        await AssertSameAsOneAtATimeAsync(customers);
        var funnel = await new TableJourneyAnalytics(Storage).FunnelAsync(Window, CancellationToken.None);
        Assert.Equal([30, 30, 0, 0], funnel.Stages.Select(s => s.Reached).ToArray());
        Assert.Equal((30, 30), (funnel.Conversions[0].Cohort, funnel.Conversions[0].Converted));
        Assert.Equal(new NpsFigures(30, 10, 10, 10, 0), funnel.Nps);
        Assert.Equal(new CsatFigures(30, 4), funnel.Csat);
    }

    [Fact]
    public async Task One_change_at_a_time_is_one_transaction_and_a_redelivered_answer_one_row()
    {
        var customers = Population(6);
        using var aggregates = Aggregates(Storage);
        Proxy.Reset();
        foreach (var customer in customers)
        {
            await ApplyInOrderAsync(aggregates, customer);
        }

        Assert.Equal(customers.Sum(c => c.Touchpoints.Count), Proxy.Counts.GetValueOrDefault("table batch SegmentMap"));
        Assert.Equal(0, Proxy.Counts.GetValueOrDefault("table GET SegmentMap (entity)"));

        // A redelivery of a customer's last touchpoint (the same summary, its answer stored again): the same rows.
        var before = await RowsAsync(Storage);
        var (last, answer) = (customers[0], customers[0].Touchpoints.Last(t => t.Survey is not null));
        using (var other = Aggregates(Storage))
        {
            await other.ApplyAsync(last.CustomerId, null, last.Final, [answer], CancellationToken.None);
        }

        Assert.Equal(before, await RowsAsync(Storage));
        Assert.Equal(2, (await RowsAsync(Storage)).Keys.Count(k => k.Contains("/a|", StringComparison.Ordinal) && before[k].Contains(last.CustomerId, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_older_summary_after_a_newer_one_changes_nothing()
    {
        var customer = Population(1).Single();
        using (var first = Aggregates(Storage))
        {
            await ApplyInOrderAsync(first, customer);
        }

        var newest = await RowsAsync(Storage);

        // A slower process (nothing cached) with the summaries of earlier touchpoints, as a retry would send them: one
        // with the answer it stored, one where the earlier awareness had not yet moved the first time.
        using var slower = Aggregates(Storage);
        var states = customer.States;
        await slower.ApplyAsync(customer.CustomerId, null, states[2], [customer.Touchpoints[1]], CancellationToken.None);
        await slower.ApplyAsync(customer.CustomerId, states[2], states[3], [], CancellationToken.None);
        await slower.ApplyAsync(customer.CustomerId, new JourneyState(), states[1], [], CancellationToken.None);
        Assert.Equal(newest, await RowsAsync(Storage));
        var stages = Assert.Single(await StageRowsAsync(customer.CustomerId), r => r.StartsWith("awareness", StringComparison.Ordinal));
        Assert.Equal("awareness " + Ticks(customer.Touchpoints[4].OccurredAt), stages);
    }

    [Fact]
    public async Task Removal_is_final_for_the_map_the_stage_rows_and_the_answers()
    {
        var customer = Population(1).Single();
        using var cached = Aggregates(Storage);
        await ApplyInOrderAsync(cached, customer);
        Assert.Equal(2, (await StageRowsAsync(customer.CustomerId)).Count);

        using (var remover = Aggregates(Storage))
        {
            await remover.RemoveAsync(customer.CustomerId, customer.Touchpoints, CancellationToken.None);
        }

        var left = await RowsAsync(Storage);
        Assert.Equal([$"s{Shard:00}/c|{customer.CustomerId}"], left.Keys);

        // Changes still in flight from before: through the host whose cached contribution row the removal made stale (a
        // newer summary with a new answer), and through a host that takes it for the customer's first change.
        var late = CustomerWorld.Event("typeform", Day.AddHours(20)) with { Stage = null, Channel = Channel.Survey, Action = "survey.answered", Survey = new SurveyAnswer(SurveyType.Nps, 10, null) };
        await cached.ApplyAsync(customer.CustomerId, customer.Final, customer.Final.Apply(late), [late], CancellationToken.None);
        using (var other = Aggregates(Storage))
        {
            await other.ApplyAsync(customer.CustomerId, new JourneyState(), customer.States[2], [customer.Touchpoints[1]], CancellationToken.None);
        }

        Assert.Equal(left, await RowsAsync(Storage));
        var funnel = await new TableJourneyAnalytics(Storage).FunnelAsync(Window, CancellationToken.None);
        Assert.All(funnel.Stages, s => Assert.Equal(0, s.Reached));
        Assert.Equal(0, funnel.Nps.Responses + funnel.Csat.Responses);
        var map = await cached.MapAsync(new SegmentMapQuery(Day.AddDays(-1), Day.AddDays(2), Segment.All), CancellationToken.None);
        Assert.Equal(0, map.Kpis.Customers);
    }

    [Fact]
    public async Task A_merge_within_one_shard_moves_the_answers_to_the_survivor_and_loses_none()
    {
        // Two customers of the same shard: the merged customer's answer rows and the survivor's share a partition.
        var pair = Population(2);
        var (loser, survivor) = (pair[0], pair[1]);
        using var aggregates = Aggregates(Storage);
        await ApplyInOrderAsync(aggregates, loser);
        await ApplyInOrderAsync(aggregates, survivor);

        // As the merger does: the survivor's combined summary with the merged customer's answers, then the removal.
        var combined = loser.Touchpoints.Aggregate(survivor.Final, (state, t) => state.Apply(t));
        await aggregates.ApplyAsync(survivor.CustomerId, null, combined, loser.Touchpoints, CancellationToken.None);
        await aggregates.RemoveAsync(loser.CustomerId, loser.Touchpoints, CancellationToken.None);

        var answers = (await RowsAsync(Storage)).Where(r => r.Key.Contains("/a|", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, answers.Count);
        Assert.All(answers, r => Assert.Contains("CustomerId=" + survivor.CustomerId + ":", r.Value, StringComparison.Ordinal));
        var funnel = await new TableJourneyAnalytics(Storage).FunnelAsync(Window, CancellationToken.None);
        Assert.Equal((2, 2), (funnel.Nps.Responses, funnel.Csat.Responses));
        Assert.Equal([1, 1, 0, 0], funnel.Stages.Select(s => s.Reached).ToArray());
    }

    [Fact]
    public async Task Changes_of_one_shard_from_two_processes_in_any_order_leave_the_newest_summaries()
    {
        var customers = Population(16);
        using var first = Aggregates(Storage);
        using var second = Aggregates(Storage);
        var random = new Random(11);

        // Every change of every customer at once, shuffled, through either process: later summaries may land first.
        var changes = customers
            .SelectMany(c => Enumerable.Range(1, c.States.Count - 1).Select(i => (c.CustomerId, Before: c.States[i - 1], After: c.States[i], Stored: c.Touchpoints[i - 1])))
            .OrderBy(_ => random.Next())
            .ToList();
        await Task.WhenAll(changes.Select((c, i) => Task.Run(() => (i % 2 == 0 ? first : second).ApplyAsync(c.CustomerId, c.Before, c.After, [c.Stored], CancellationToken.None))));

        await AssertSameAsOneAtATimeAsync(customers);
    }

    private static FunnelQuery Window => new(Day.AddDays(-1), Day.AddDays(5), null);

    private static async Task ApplyInOrderAsync(TableSegmentAggregates aggregates, Customer customer)
    {
        for (var i = 1; i < customer.States.Count; i++)
        {
            await aggregates.ApplyAsync(customer.CustomerId, customer.States[i - 1], customer.States[i], [customer.Touchpoints[i - 1]], CancellationToken.None);
        }
    }

    /// <summary>The same customers' changes applied one at a time, in order, by one host in an Azurite of its own: every row equal.</summary>
    private async Task AssertSameAsOneAtATimeAsync(List<Customer> customers)
    {
        await using var reference = await AzuriteProcess.StartAsync();
        var referenceClients = ClientsOf(reference.ConnectionString);
        using (var sequential = Aggregates(referenceClients))
        {
            foreach (var customer in customers)
            {
                await ApplyInOrderAsync(sequential, customer);
            }
        }

        var expected = await SegmentSeedTests.RowsAsync(referenceClients.Tables.GetTableClient(TableSegmentAggregates.TableName));
        Assert.Equal(customers.Count, expected.Keys.Count(k => k.Contains("/c|", StringComparison.Ordinal)));
        Assert.Equal(2 * customers.Count, expected.Keys.Count(k => k.Contains("/a|", StringComparison.Ordinal)));
        Assert.Equal(2 * customers.Count, expected.Keys.Count(k => k.Contains("/r|", StringComparison.Ordinal)));
        Assert.Equal(expected, await RowsAsync(Storage));
        Assert.Equal(
            JsonSerializer.Serialize(await new TableJourneyAnalytics(referenceClients).FunnelAsync(Window, CancellationToken.None), JourneyJson.Options),
            JsonSerializer.Serialize(await new TableJourneyAnalytics(Storage).FunnelAsync(Window, CancellationToken.None), JourneyJson.Options));
    }

    private async Task<SortedDictionary<string, string>> RowsAsync(StorageClients storage)
    {
        Proxy.Paused = true;
        try
        {
            return await SegmentSeedTests.RowsAsync(storage.Tables.GetTableClient(TableSegmentAggregates.TableName));
        }
        finally
        {
            Proxy.Paused = false;
        }
    }

    /// <summary>The customer's stage rows: stage and the ticks its row key holds.</summary>
    private async Task<List<string>> StageRowsAsync(string customerId) =>
        (await RowsAsync(Storage))
            .Where(r => r.Key.Contains("/r|", StringComparison.Ordinal) && r.Key.EndsWith("_" + customerId, StringComparison.Ordinal))
            .Select(r => r.Key.Split('_')[1] + " " + r.Key.Split('|')[1].Split('_')[0])
            .Order(StringComparer.Ordinal)
            .ToList();

    private static string Ticks(DateTimeOffset at) => at.UtcTicks.ToString("D19", CultureInfo.InvariantCulture);

    /// <summary>
    /// Customers of one shard, five touchpoints each: aware, an NPS answer (9, 7 or 3 in turn), considering, a CSAT answer
    /// of 4, and a late event that moves the first awareness earlier (every stage row is rewritten).
    /// </summary>
    private static List<Customer> Population(int count)
    {
        var ids = Enumerable.Range(0, int.MaxValue)
            .Select(_ => CustomerWorld.Unique("cus_agg"))
            .Where(id => TableSegmentAggregates.Shard(id) == Shard)
            .Take(count)
            .ToList();
        return ids.Select((id, i) =>
        {
            var aware = Day.AddHours(4 + (i % 6));
            var touchpoints = new List<Touchpoint>
            {
                CustomerWorld.Event("hubspot", aware) with { Channel = Channel.Email, Stage = JourneyStage.Awareness, Action = "email.opened" },
                Answer(aware.AddHours(1), SurveyType.Nps, new[] { 9, 7, 3 }[i % 3]),
                CustomerWorld.Event("hubspot", aware.AddDays(1)) with { Channel = Channel.Web, Stage = JourneyStage.Consideration, Action = "page.viewed" },
                Answer(aware.AddDays(1).AddHours(2), SurveyType.Csat, 4),
                CustomerWorld.Event("shopify", aware.AddHours(-3)) with { Channel = Channel.Web, Stage = JourneyStage.Awareness, Action = "page.viewed" },
            };
            var states = new List<JourneyState> { new() };
            foreach (var touchpoint in touchpoints)
            {
                states.Add(states[^1].Apply(touchpoint));
            }

            return new Customer(id, touchpoints, states);
        }).ToList();
    }

    private static Touchpoint Answer(DateTimeOffset at, SurveyType type, double score) =>
        CustomerWorld.Event("typeform", at) with { Stage = null, Channel = Channel.Survey, Action = "survey.answered", Survey = new SurveyAnswer(type, score, null) };

    private static TableSegmentAggregates Aggregates(StorageClients storage) => SegmentSeedTests.Aggregates(storage, Now);

    private sealed record Customer(string CustomerId, List<Touchpoint> Touchpoints, List<JourneyState> States)
    {
        public JourneyState Final => States[^1];
    }
}
