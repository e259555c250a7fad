using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using JourneyHub.Azure.Segments;
using JourneyHub.Azure.Storage;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Journey.Segments;
using JourneyHub.Core.Schema;
using JourneyHub.IntegrationTests.Infrastructure;
using JourneyHub.LoadHarness;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace JourneyHub.IntegrationTests.Journeys;

/// <summary>
/// The benchmark seeds large populations through <see cref="TableSegmentAggregates.SeedAsync"/> instead of one
/// <see cref="TableSegmentAggregates.ApplyAsync"/> per customer; its figures only mean something if the table ends up
/// the same. The benchmark's own population goes through both, each into an Azurite of its own (the table name is
/// fixed), and every stored row and every map must match.
/// </summary>
public sealed class SegmentSeedTests(AzuriteFixture applied) : IClassFixture<AzuriteFixture>
{
    private static readonly DateTimeOffset End = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Seeding_a_population_leaves_the_rows_and_maps_that_applying_it_customer_by_customer_does()
    {
        var population = Enumerable.Range(0, 200)
            .Select(i => (CustomerId: "cus_seed" + i.ToString("D4", CultureInfo.InvariantCulture), Summary: SegmentMapBenchmark.Person(i, new Random(7 + i), End)))
            .ToList();
        var seeded = new AzuriteFixture();
        await seeded.InitializeAsync();
        try
        {
            using var applying = Aggregates(applied.Clients);
            using var seeding = Aggregates(seeded.Clients);
            foreach (var (customerId, summary) in population)
            {
                await applying.ApplyAsync(customerId, null, summary, [], CancellationToken.None);
            }

            await seeding.SeedAsync(population, parallelTransactions: 4, CancellationToken.None);

            var expectedRows = await RowsAsync(applied.Table(TableSegmentAggregates.TableName));
            var actualRows = await RowsAsync(seeded.Table(TableSegmentAggregates.TableName));
            Assert.Equal(population.Count, expectedRows.Keys.Count(k => k.Contains("/c|", StringComparison.Ordinal)));

            // Pain examples ("<customer> <touchpoint>") must be in some sums row, or their folding is not tested.
            Assert.Contains(expectedRows, row => row.Key.Contains("/d|", StringComparison.Ordinal) && row.Value.Contains("cus_seed", StringComparison.Ordinal));
            Assert.Equal(expectedRows, actualRows);

            var segments = new[] { Segment.All, Segment.Persona("Bargain hunter"), Segment.FirstSource("hubspot"), Segment.Converted(true), Segment.Converted(false), Segment.Cohort(End.AddDays(-60)) };
            foreach (var (from, to) in new[] { (End.AddDays(-365), End), (End.AddDays(-90), End), (End.AddDays(-200), End.AddDays(-170)) })
            {
                foreach (var segment in segments)
                {
                    var query = new SegmentMapQuery(from, to, segment);
                    var expected = await applying.MapAsync(query, CancellationToken.None);
                    var actual = await seeding.MapAsync(query, CancellationToken.None);
                    Assert.Equal(JsonSerializer.Serialize(expected, JourneyJson.Options), JsonSerializer.Serialize(actual, JourneyJson.Options));
                }
            }

            var everyone = await seeding.MapAsync(new SegmentMapQuery(End.AddDays(-366), End, Segment.All), CancellationToken.None);
            Assert.Equal(population.Count, everyone.Kpis.Customers);
            Assert.Contains(everyone.Stages, s => s.PainPoints.Count > 0);
        }
        finally
        {
            await seeded.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_customer_twice_in_one_population_is_refused()
    {
        using var seeding = Aggregates(applied.Clients);
        var summary = SegmentMapBenchmark.Person(1, new Random(1), End);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => seeding.SeedAsync([("cus_twice", summary), ("cus_twice", summary)], 1, CancellationToken.None));
        Assert.Contains("cus_twice", error.Message, StringComparison.Ordinal);
    }

    private static TableSegmentAggregates Aggregates(StorageClients clients) => Aggregates(clients, End);

    /// <summary>The segment aggregates on <paramref name="clients"/>, their maps computed as at <paramref name="now"/>.</summary>
    internal static TableSegmentAggregates Aggregates(StorageClients clients, DateTimeOffset now) =>
        new(clients, new FakeTimeProvider(now), Microsoft.Extensions.Options.Options.Create(new StorageCacheOptions()), NullLogger<TableSegmentAggregates>.Instance);

    /// <summary>Every row, keyed by partition/row key, with its properties and their types in order (not the service's timestamp or ETag).</summary>
    internal static async Task<SortedDictionary<string, string>> RowsAsync(TableClient table)
    {
        var rows = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await foreach (var entity in table.QueryAsync<TableEntity>(maxPerPage: 1000))
        {
            var properties = entity.Keys
                .Where(k => k is not ("odata.etag" or "Timestamp" or "PartitionKey" or "RowKey"))
                .Order(StringComparer.Ordinal)
                .Select(k => k + "=" + Convert.ToString(entity[k], CultureInfo.InvariantCulture) + ":" + entity[k]?.GetType().Name);
            rows[entity.PartitionKey + "/" + entity.RowKey] = string.Join("\n", properties);
        }

        return rows;
    }
}
