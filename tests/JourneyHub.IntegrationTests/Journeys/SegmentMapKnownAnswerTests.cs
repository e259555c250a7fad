using System.Globalization;
using System.Text.Json;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Journey.Segments;
using JourneyHub.Core.Schema;
using JourneyHub.IntegrationTests.Customers;
using JourneyHub.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace JourneyHub.IntegrationTests.Journeys;

/// <summary>
/// The segment journey map on real table storage against a brute-force computation from the timelines: a generated
/// population of several hundred people, fed in random order through two hosts with caches of their own, with merges
/// and one erasure. Its own Azurite, so that "all" means exactly this population.
/// </summary>
public sealed class SegmentMapKnownAnswerTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private static readonly DateTimeOffset YearStart = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = new(2025, 1, 20, 12, 0, 0, TimeSpan.Zero);
    private static readonly string[] Personas = ["Bargain hunter", "Loyal regular", "Careful researcher"];

    [Fact]
    public async Task Every_figure_of_the_map_matches_a_brute_force_count_over_the_timelines()
    {
        var seed = Environment.GetEnvironmentVariable("SEGMENT_MAP_SEED") is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : 20241;
        output.WriteLine($"seed {seed} (set SEGMENT_MAP_SEED to replay)");
        var random = new Random(seed);
        var world = new CustomerWorld(azurite, clock: new FakeTimeProvider(Now));

        // A second host on the same storage, with caches of its own: every other event goes through it, so each host's
        // cached summary and segment rows are regularly stale and must be caught by their ETags.
        var otherHost = new CustomerWorld(azurite, clock: new FakeTimeProvider(Now));
        var people = Enumerable.Range(0, 300).Select(i => Person.Generate(i, random)).ToList();
        var feed = people.SelectMany(p => p.Events.Select(e => (Person: p, Event: e))).OrderBy(_ => random.Next()).ToList();
        Assert.True(people.Count(p => p.MergeCandidate) >= 30);

        // One person is erased once 60% of the feed is in; what would come later for them is suppressed at ingestion.
        var erased = people.First(p => p.Events.Any(e => e.Stage == JourneyStage.Decision) && !p.MergeCandidate);
        var erasedAt = feed.Count * 6 / 10;
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < feed.Count; index++)
        {
            if (index == erasedAt)
            {
                foreach (var id in ids.Where(id => people.Find(p => p.Owns(id)) == erased).ToList())
                {
                    // What the erasure does to the aggregates: the customer's part goes, for good.
                    await world.Segments.RemoveAsync(id, [], CancellationToken.None);
                    await world.Timeline.DeleteCustomerAsync(id, CancellationToken.None);
                    ids.Remove(id);
                }
            }

            var (person, touchpoint) = feed[index];
            if (index >= erasedAt && person == erased)
            {
                continue;
            }

            var customerId = await (index % 2 == 0 ? world : otherHost).IngestAsync(touchpoint);
            Assert.NotNull(customerId);
            person.CustomerIds.Add(customerId!);
            ids.Add(customerId!);
        }

        var population = new List<SegmentMapBruteForce.Customer>();
        var merged = 0;
        foreach (var id in ids)
        {
            var record = await world.Customers.GetAsync(id, CancellationToken.None);
            if (record?.MergedInto is not null)
            {
                merged++;
                continue;
            }

            var rows = await world.RowsAsync(id);
            if (rows.Count > 0)
            {
                population.Add(new SegmentMapBruteForce.Customer(id, rows));
            }
        }

        output.WriteLine($"{feed.Count} touchpoints, {population.Count} customers, {merged} merged away, 1 erased");
        Assert.True(merged >= 10, $"only {merged} merges happened");
        Assert.True(population.Count >= 250);

        var year = (YearStart, YearStart.AddYears(1));
        var quarter = (YearStart.AddMonths(3), YearStart.AddMonths(6));
        var segments = new[] { "all", "converted:true", "converted:false", "source:hubspot", "channel:email", "cohort:2024-03" }
            .Concat(Personas.Select(p => "persona:" + p));
        var checkedFigures = 0;
        foreach (var (from, to) in new[] { year, quarter })
        {
            foreach (var key in segments)
            {
                var query = new SegmentMapQuery(from, to, Segment.TryParse(key, out _)!);
                var actual = await world.Segments.MapAsync(query, CancellationToken.None);
                var expected = SegmentMapBruteForce.Map(population, query, Now);
                AssertExamplesAreRealPains(population, actual);
                Assert.Equal(Json(expected), Json(WithoutExamples(actual)));
                checkedFigures++;
            }
        }

        var all = await world.Segments.MapAsync(new SegmentMapQuery(year.YearStart, year.Item2, Segment.All), CancellationToken.None);
        Assert.Equal(population.Count, all.Kpis.Customers);
        Assert.Contains(all.Stages, s => s.PainPoints.Count > 0);
        Assert.Contains(all.Stages, s => s.Nps.Responses > 0);
        Assert.True(all.Kpis.ChurnRiskHigh > 0 && all.Kpis.ChurnRiskHigh < all.Kpis.Customers, "churn risk should split the population");
        Assert.True(all.Stages.Single(s => s.Stage == JourneyStage.Retention).Reached > 0);

        // Re-applying every summary, from nothing, changes nothing: the stored part is replaced, not added to.
        foreach (var customer in population)
        {
            var record = await world.Customers.GetAsync(customer.CustomerId, CancellationToken.None);
            await world.Segments.ApplyAsync(customer.CustomerId, null, record!.Journey, [], CancellationToken.None);
        }

        Assert.Equal(Json(all), Json(await world.Segments.MapAsync(new SegmentMapQuery(year.YearStart, year.Item2, Segment.All), CancellationToken.None)));

        // The drill-down names exactly the customers behind the top touchpoint type of consideration.
        var consideration = all.Stages.Single(s => s.Stage == JourneyStage.Consideration);
        var top = consideration.TopTouchpoints[0];
        var behind = await world.Segments.CustomersAsync(new SegmentMapQuery(year.YearStart, year.Item2, Segment.All), top.Metric, 200, CancellationToken.None);
        var expectedBehind = population
            .Select(c => (c.CustomerId, Count: c.Rows.Count(r => SegmentMapBruteForce.Place(c.Rows, r.OccurredAt) == JourneyStage.Consideration && r.Channel == top.Channel && r.Action == top.Action)))
            .Where(c => c.Count > 0)
            .OrderByDescending(c => c.Count).ThenBy(c => c.CustomerId, StringComparer.Ordinal)
            .Take(200)
            .ToList();
        Assert.Equal(expectedBehind, behind.Customers.Select(c => (c.CustomerId, (int)c.Count)).ToList());
        output.WriteLine($"{checkedFigures} maps compared figure by figure");
    }

    private static void AssertExamplesAreRealPains(List<SegmentMapBruteForce.Customer> population, SegmentMapReport report)
    {
        foreach (var stage in report.Stages)
        {
            foreach (var pain in stage.PainPoints)
            {
                Assert.NotEmpty(pain.Examples);
                foreach (var example in pain.Examples)
                {
                    var customer = population.Single(c => c.CustomerId == example.CustomerId);
                    Assert.Contains(SegmentMapBruteForce.Pains(customer), p => p.Stage == stage.Stage && p.Pain.TouchpointId == example.TouchpointId && p.Pain.Action == pain.Action);
                }
            }
        }
    }

    private static SegmentMapReport WithoutExamples(SegmentMapReport report) => report with
    {
        Stages = report.Stages.Select(s => s with { PainPoints = s.PainPoints.Select(p => p with { Examples = [] }).ToList() }).ToList(),
    };

    private static readonly JsonSerializerOptions Indented = new(JourneyJson.Options) { WriteIndented = true };

    private static string Json(SegmentMapReport report) => JsonSerializer.Serialize(report, Indented);

    /// <summary>One generated person: a persona, a first touch, maybe a purchase and life after it; some known under two ids that a later event joins.</summary>
    private sealed class Person
    {
        private static long clockMilliseconds;

        public required int Index { get; init; }
        public required bool MergeCandidate { get; init; }
        public List<Touchpoint> Events { get; } = [];
        public HashSet<string> CustomerIds { get; } = new(StringComparer.Ordinal);

        public bool Owns(string customerId) => CustomerIds.Contains(customerId);

        public static Person Generate(int index, Random random)
        {
            var person = new Person { Index = index, MergeCandidate = index % 6 == 0 };
            var persona = Personas[index % 3];
            var email = new Identity("email", $"kat{index}@example.com");
            var shop = new Identity("custom:shop", $"member-{index}");
            var start = YearStart.AddDays(random.Next(0, 330)).AddMinutes(random.Next(0, 1440));
            var at = start;
            DateTimeOffset Next(double maxDays) => at = at.AddHours(1 + (random.NextDouble() * maxDays * 24)).AddMilliseconds(Interlocked.Increment(ref clockMilliseconds));
            Identity[] Who() => person.MergeCandidate && random.Next(2) == 0 ? [shop] : [email];
            void Add(string source, Channel channel, JourneyStage? stage, string action, double? sentiment = null, SurveyAnswer? survey = null, Dictionary<string, string>? attributes = null, Identity[]? who = null)
            {
                var id = $"kat-{index}-{person.Events.Count}";
                person.Events.Add(new Touchpoint
                {
                    TouchpointId = TouchpointIds.For(source, id),
                    Source = source,
                    SourceEventId = id,
                    OccurredAt = at,
                    ReceivedAt = at,
                    Channel = channel,
                    Kind = JourneyRules.KindFor(channel),
                    Stage = stage,
                    Action = action,
                    Summary = action,
                    Sentiment = sentiment is { } s ? Sentiment.FromScore(s) : null,
                    Survey = survey,
                    Identities = who ?? Who(),
                    Attributes = attributes ?? [],
                });
            }

            double Mood(int bias) => new[] { -0.8, -0.5, -0.3, 0.0, 0.1, 0.4, 0.6, 0.9 }[Math.Clamp(random.Next(8) + bias, 0, 7)];
            var bias = index % 3 == 0 ? -2 : index % 3 == 1 ? 1 : 0;

            // First touch: where they came from.
            switch (random.Next(4))
            {
                case 0: Add("hubspot", Channel.Email, JourneyStage.Awareness, "email.opened"); break;
                case 1: Add("meta", Channel.Social, JourneyStage.Awareness, "comment.posted", Mood(bias)); break;
                case 2: Add("custom:shop", Channel.Ads, null, "ad.clicked"); break;
                default: Add("custom:shop", Channel.Web, null, "page.viewed"); break;
            }

            if (random.Next(5) == 0)
            {
                // An early persona that a later event replaces: the latest wins.
                Next(2);
                Add("custom:shop", Channel.Web, null, "page.viewed", attributes: new() { ["persona"] = Personas[(index + 1) % 3] });
            }

            for (var i = random.Next(0, 4); i > 0; i--)
            {
                Next(5);
                Add("custom:shop", Channel.Web, null, "page.viewed", random.Next(3) == 0 ? Mood(bias) : null);
            }

            Next(3);
            Add("custom:shop", Channel.Web, null, "profile.updated", attributes: new() { ["persona"] = persona });
            if (random.Next(10) < 7)
            {
                Next(10);
                Add(random.Next(2) == 0 ? "hubspot" : "custom:shop", random.Next(2) == 0 ? Channel.Email : Channel.Chat, JourneyStage.Consideration, random.Next(2) == 0 ? "email.clicked" : "chat.started", Mood(bias));
                for (var i = random.Next(0, 3); i > 0; i--)
                {
                    Next(4);
                    Add("custom:shop", Channel.Web, null, "product.viewed", random.Next(2) == 0 ? Mood(bias) : null);
                }

                if (random.Next(10) < 6)
                {
                    Next(14);
                    Add("custom:shop", Channel.InStore, JourneyStage.Decision, "purchase.completed", attributes: Amount(random));
                    for (var i = random.Next(0, 6); i > 0; i--)
                    {
                        Next(30);
                        switch (random.Next(6))
                        {
                            case 0: Add("custom:shop", Channel.InStore, JourneyStage.Decision, "purchase.completed", attributes: Amount(random)); break;
                            case 1: Add("trustpilot", Channel.Review, JourneyStage.Retention, "review.posted", Mood(bias)); break;
                            case 2: Add("custom:survey", Channel.Survey, JourneyStage.Retention, "survey.answered", survey: new SurveyAnswer(random.Next(2) == 0 ? SurveyType.Nps : SurveyType.Csat, random.Next(0, 11) / (random.Next(2) == 0 ? 1.0 : 2.0), null)); break;
                            case 3: Add("hubspot", Channel.Crm, JourneyStage.Consideration, "deal.created"); break;
                            case 4: Add("custom:shop", Channel.Chat, null, "support.chat", Mood(bias)); break;
                            default: Add("custom:shop", Channel.Email, null, "newsletter.opened"); break;
                        }
                    }
                }
            }

            if (person.MergeCandidate)
            {
                // The event that shows both ids are one person.
                Next(2);
                Add("custom:shop", Channel.Web, null, "account.linked", who: [shop, email]);
            }

            return person;
        }

        private static Dictionary<string, string> Amount(Random random) => new()
        {
            ["amount"] = (random.Next(500, 20000) / 100.0).ToString("0.00", CultureInfo.InvariantCulture),
            ["currency"] = random.Next(4) == 0 ? "USD" : "EUR",
        };
    }
}
