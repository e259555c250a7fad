using System.Globalization;
using Azure.Data.Tables;
using JourneyHub.Azure.Segments;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Schema;
using JourneyHub.IntegrationTests.Infrastructure;

namespace JourneyHub.IntegrationTests.Customers;

/// <summary>The funnel from the stage and answer rows of the segment map's shards, on a generated population with known answers.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class FunnelTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_generated_population_gives_the_known_funnel_whatever_the_arrival_order()
    {
        var world = new CustomerWorld(azurite);

        // A window of its own, far from other tests' data: 30 days somewhere in 2001–2009.
        var from = new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(Random.Shared.Next(0, 3000));
        var to = from.AddDays(30);
        var source = "custom:" + CustomerWorld.Unique("funnel");

        // 40 customers aware in the window (day i/2); every 2nd considers 2 days later (20), every 4th decides 5 days
        // after that (10), every 8th is retained 1 day later (5). Decision for customer 36 falls after the window.
        // 6 more were aware before the window and convert inside it: they are not in the awareness cohort.
        var events = new List<(string Customer, Touchpoint Touchpoint)>();
        for (var i = 0; i < 40; i++)
        {
            var customer = "cus_" + CustomerWorld.Unique("f");
            var aware = from.AddHours(12 * i);
            events.Add((customer, Stage(source, aware, JourneyStage.Awareness)));
            if (i % 2 == 0)
            {
                events.Add((customer, Stage(source, aware.AddDays(2), JourneyStage.Consideration)));
            }

            if (i % 4 == 0)
            {
                var decide = i == 36 ? to.AddDays(1) : aware.AddDays(7);
                events.Add((customer, Stage(source, decide, JourneyStage.Decision)));
                if (i % 8 == 0 && i != 32)
                {
                    events.Add((customer, Stage(source, decide.AddDays(1), JourneyStage.Retention)));
                }
            }

            // A late, earlier awareness event for customer 1 moves its first time (still inside the window).
            if (i == 1)
            {
                events.Add((customer, Stage(source, aware.AddHours(-1), JourneyStage.Awareness)));
            }
        }

        for (var i = 0; i < 6; i++)
        {
            var customer = "cus_" + CustomerWorld.Unique("g");
            events.Add((customer, Stage(source, from.AddDays(-10), JourneyStage.Awareness)));
            events.Add((customer, Stage(source, from.AddDays(3), JourneyStage.Consideration)));
        }

        // NPS 9,10,10,8,7,3,5,0 → 3 promoters, 2 passives, 3 detractors = 0; CSAT 5,4,4,3 → 4.
        var nps = new[] { 9, 10, 10, 8, 7, 3, 5, 0 }.Select((score, k) => ("cus_" + CustomerWorld.Unique("n"), Survey(source, from.AddDays(k + 1), SurveyType.Nps, score)));
        var csat = new[] { 5, 4, 4, 3 }.Select((score, k) => ("cus_" + CustomerWorld.Unique("c"), Survey(source, from.AddDays(k + 1), SurveyType.Csat, score)));
        events.AddRange(nps.Concat(csat));

        // Arrival order has nothing to do with occurrence order.
        var states = new Dictionary<string, JourneyState>(StringComparer.Ordinal);
        foreach (var (customer, touchpoint) in events.OrderBy(_ => Random.Shared.Next()))
        {
            var before = states.GetValueOrDefault(customer) ?? new JourneyState();
            var after = states[customer] = before.Apply(touchpoint);
            await world.Segments.ApplyAsync(customer, before, after, [touchpoint], CancellationToken.None);
        }

        foreach (var filter in new[] { source, null })
        {
            var report = await world.Analytics.FunnelAsync(new FunnelQuery(from, to, filter), CancellationToken.None);

            // The 12 survey-only customers name no stage: they are in awareness from their answer (journey placement).
            Assert.Equal([52, 26, 9, 4], report.Stages.Select(s => s.Reached).ToArray());
            var (aware, consider, decide) = (report.Conversions[0], report.Conversions[1], report.Conversions[2]);
            Assert.Equal((52, 20, 0.3846, 2.0), (aware.Cohort, aware.Converted, aware.Rate!.Value, aware.MedianDays!.Value));
            Assert.Equal((26, 9, 5.0), (consider.Cohort, consider.Converted, consider.MedianDays!.Value));
            Assert.Equal((9, 4, 1.0), (decide.Cohort, decide.Converted, decide.MedianDays!.Value));
            Assert.Equal(new NpsFigures(8, 3, 2, 3, 0), report.Nps);
            Assert.Equal(new CsatFigures(4, 4), report.Csat);
        }

        var other = await world.Analytics.FunnelAsync(new FunnelQuery(from, to, "custom:nobody"), CancellationToken.None);
        Assert.All(other.Stages, s => Assert.Equal(0, s.Reached));
    }

    [Fact]
    public async Task A_merge_gives_the_merged_customers_answers_to_the_survivor_and_the_funnel_counts_them_once()
    {
        var world = new CustomerWorld(azurite);
        var from = new DateTimeOffset(2011, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(Random.Shared.Next(0, 3000));
        var source = "custom:" + CustomerWorld.Unique("merged");
        var (first, second, email) = (Person("crm"), Person("crm"), Person("email"));

        // Two customers with an answer each, then an event naming both of them: the younger is merged into the older.
        var older = await world.IngestAsync(Survey(source, from.AddDays(1), SurveyType.Nps, 9) with { Identities = [first, email] });
        var younger = await world.IngestAsync(Survey(source, from.AddDays(2), SurveyType.Nps, 3) with { Identities = [second] });
        Assert.NotEqual(older, younger);
        Assert.Equal(older, await world.IngestAsync(Stage(source, from.AddDays(3), JourneyStage.Consideration) with { Identities = [second, email] }));

        var report = await world.Analytics.FunnelAsync(new FunnelQuery(from, from.AddDays(10), source), CancellationToken.None);
        Assert.Equal(new NpsFigures(2, 1, 0, 1, 0), report.Nps);
        Assert.Equal([1, 1, 0, 0], report.Stages.Select(s => s.Reached).ToArray());

        // The answers are the survivor's rows now, in its shard; none is left under the merged customer's id.
        var answers = new List<string>();
        await foreach (var row in world.Storage.Clients.Tables.GetTableClient(TableSegmentAggregates.TableName)
            .QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"Source eq {source} and Type eq {"nps"}")))
        {
            answers.Add(row.PartitionKey + " " + row.GetString("CustomerId"));
        }

        var shard = "s" + TableSegmentAggregates.Shard(older!).ToString("00", CultureInfo.InvariantCulture);
        Assert.Equal([shard + " " + older, shard + " " + older], answers);
    }

    private static Identity Person(string type) => new(type, CustomerWorld.Unique("person"));

    private static Touchpoint Stage(string source, DateTimeOffset at, JourneyStage stage) =>
        CustomerWorld.Event(source, at) with { Stage = stage };

    private static Touchpoint Survey(string source, DateTimeOffset at, SurveyType type, double score) =>
        CustomerWorld.Event(source, at) with { Stage = null, Channel = Channel.Survey, Action = "survey.answered", Survey = new SurveyAnswer(type, score, null) };
}
