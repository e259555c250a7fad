using System.ComponentModel.DataAnnotations;
using JourneyHub.Azure.Retention;
using JourneyHub.Azure.Storage;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;
using JourneyHub.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace JourneyHub.IntegrationTests.Retention;

/// <summary>
/// The retention sweep on a real Azurite of its own (the sweep deletes across whole tables, so it must not share one
/// with tests whose rows it could age out). Rows are written by the production stores; the sweep runs with a clock
/// moved forward, so rows written "now" are old to it.
/// </summary>
public sealed class RetentionSweepTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const int Days = 30;

    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Rows_older_than_the_limit_are_deleted_and_younger_ones_kept()
    {
        using var bootstrap = new StorageBootstrap(azurite.Clients);
        var archive = new StorageRawArchive(azurite.Clients, bootstrap);
        var deadLetters = DeadLetters(bootstrap);

        var oldRaw = await archive.ArchiveAsync("custom:retention", "{\"old\":true}"u8.ToArray(), "application/json", new Dictionary<string, string>(), Now.AddDays(-Days - 1), default);
        var youngRaw = await archive.ArchiveAsync("custom:retention", "{\"young\":true}"u8.ToArray(), "application/json", new Dictionary<string, string>(), Now.AddDays(-Days + 1), default);

        // More old dead letters than one transaction holds, so the sweep needs two batches in their shared partition.
        var oldIds = Enumerable.Range(0, 105).Select(i => $"old-{i:D3}").ToList();
        foreach (var id in oldIds)
        {
            await deadLetters.AddAsync(DeadLetterOf(id, oldRaw, Now.AddDays(-Days - 1)), default);
        }

        await deadLetters.AddAsync(DeadLetterOf("young", youngRaw, Now.AddDays(-Days + 1)), default);

        var result = await Sweeper(bootstrap, Now).SweepAsync(default);

        Assert.Equal(new RetentionSweepResult(RawPayloadsDeleted: 1, DeadLettersDeleted: oldIds.Count, DeadLetterIndexRowsDeleted: 0, ObjectHistoryRowsDeleted: 0, Skipped: 0), result);
        Assert.Null(await archive.ReadAsync(MessageFor(oldRaw), default));
        Assert.NotNull(await archive.ReadAsync(MessageFor(youngRaw), default));
        var left = await deadLetters.ListAsync(null, null, null, 1000, default);
        Assert.Equal(["young"], left.Select(d => d.Id));

        // A second sweep finds nothing more to do.
        Assert.Equal(new RetentionSweepResult(0, 0, 0, 0, 0), await Sweeper(bootstrap, Now).SweepAsync(default));
    }

    [Fact]
    public async Task Object_history_rows_last_written_before_the_limit_are_deleted_and_younger_ones_kept()
    {
        using var bootstrap = new StorageBootstrap(azurite.Clients);
        var clock = new FakeTimeProvider(Now.AddDays(-Days - 1));
        var history = new TableObjectStore(azurite.Clients, bootstrap, clock);
        var (oldDeal, sharedDeal) = (new Identity(IdentityTypes.HubSpotDeal, "retention-old"), new Identity(IdentityTypes.HubSpotDeal, "retention-shared"));

        // More old rows of one deal than one transaction holds, and a deal with an old and a young row.
        var oldRows = Enumerable.Range(0, 102).Select(i => DealEvent($"old-{i:D3}")).ToList();
        foreach (var touchpoint in oldRows)
        {
            await history.RecordAsync(oldDeal, touchpoint, default);
        }

        // The association and the version row in the same partition are no history: they stay whatever their age.
        Assert.True(await history.TryAddAsync(oldDeal, "cus_retention", await history.ReadAsync(oldDeal, default), default));

        await history.RecordAsync(sharedDeal, DealEvent("shared-old"), default);
        clock.SetUtcNow(Now.AddDays(-Days + 1));
        await history.RecordAsync(sharedDeal, DealEvent("shared-young"), default);

        // Written again after the limit (a redelivery): it counts from its latest write and stays.
        await history.RecordAsync(oldDeal, oldRows[0], default);

        var result = await Sweeper(bootstrap, Now).SweepAsync(default);

        Assert.Equal(new RetentionSweepResult(0, 0, 0, ObjectHistoryRowsDeleted: oldRows.Count, Skipped: 0), result);
        var oldDealAfter = await history.ReadAsync(oldDeal, default);
        Assert.Equal([oldRows[0].TouchpointId], oldDealAfter.History.Select(t => t.TouchpointId));
        Assert.Equal(["cus_retention"], oldDealAfter.Customers);
        Assert.NotNull(oldDealAfter.Version);
        Assert.Equal(["shared-young"], (await history.ReadAsync(sharedDeal, default)).History.Select(t => t.SourceEventId));
        Assert.Equal(new RetentionSweepResult(0, 0, 0, 0, 0), await Sweeper(bootstrap, Now).SweepAsync(default));
    }

    [Fact]
    public async Task The_person_index_of_old_dead_letters_goes_with_them_and_a_young_dead_letters_stays_findable()
    {
        using var bootstrap = new StorageBootstrap(azurite.Clients);
        var deadLetters = DeadLetters(bootstrap);
        var (frank, grace) = (new Identity(IdentityTypes.Email, "retention-frank@example.com"), new Identity(IdentityTypes.Email, "retention-grace@example.com"));

        // Frank and Grace each have an old dead letter; Grace a young one too, and one written again after the limit.
        await deadLetters.AddAsync(DeadLetterOf("index-old", "custom:retention/index-old", Now.AddDays(-Days - 1)) with { Identities = [frank, grace] }, default);
        await deadLetters.AddAsync(DeadLetterOf("index-young", "custom:retention/index-young", Now.AddDays(-Days + 1)) with { Identities = [grace] }, default);
        var again = DeadLetterOf("index-again", "custom:retention/index-again", Now.AddDays(-Days - 1)) with { Identities = [frank] };
        await deadLetters.AddAsync(again, default);
        await deadLetters.AddAsync(again with { FailedAt = Now.AddDays(-1) }, default);

        var result = await Sweeper(bootstrap, Now).SweepAsync(default);

        // The old dead letter and its four index rows (a person row and a people row for each of its two people).
        Assert.Equal(new RetentionSweepResult(0, DeadLettersDeleted: 1, DeadLetterIndexRowsDeleted: 4, 0, Skipped: 0), result);
        Assert.Equal(["index-again"], (await deadLetters.FindAsync([frank], default)).Select(d => d.Id));
        Assert.Equal(["index-young"], (await deadLetters.FindAsync([grace], default)).Select(d => d.Id));
        var rows = new List<string>();
        await foreach (var row in azurite.Table(StorageNames.DeadLetterPeopleTable).QueryAsync<global::Azure.Data.Tables.TableEntity>())
        {
            rows.Add(row.PartitionKey + "/" + row.RowKey);
        }

        Assert.Equal(4, rows.Count);
        Assert.DoesNotContain(rows, r => r.Contains("index-old", StringComparison.Ordinal));
        Assert.Equal(new RetentionSweepResult(0, 0, 0, 0, 0), await Sweeper(bootstrap, Now).SweepAsync(default));

        // Removed (a replay that now succeeds), they take their index rows too; the other tests of this class see none of them.
        await deadLetters.RemoveAsync("index-young", default);
        await deadLetters.RemoveAsync("index-again", default);
        Assert.Empty(await deadLetters.FindAsync([frank, grace], default));
        await foreach (var row in azurite.Table(StorageNames.DeadLetterPeopleTable).QueryAsync<global::Azure.Data.Tables.TableEntity>())
        {
            Assert.Fail("An index row was left: " + row.PartitionKey + "/" + row.RowKey);
        }
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(400, true)]
    public void The_age_limit_must_be_at_least_a_day(int days, bool valid)
    {
        var options = new RetentionOptions { RawPayloadDays = days };
        Assert.Equal(valid, Validator.TryValidateObject(options, new ValidationContext(options), null, validateAllProperties: true));
    }

    private TableDeadLetterStore DeadLetters(StorageBootstrap bootstrap) =>
        new(azurite.Clients, bootstrap, new IdentityKeys("retention-sweep-tests-suppression-key-0123456789"), TimeProvider.System);

    private RetentionSweeper Sweeper(StorageBootstrap bootstrap, DateTimeOffset now) => new(
        azurite.Clients,
        bootstrap,
        new StaticOptionsMonitor(new RetentionOptions { RawPayloadDays = Days }),
        new FakeTimeProvider(now),
        NullLogger<RetentionSweeper>.Instance);

    private static Touchpoint DealEvent(string sourceEventId) => new()
    {
        TouchpointId = TouchpointIds.For("hubspot", sourceEventId),
        Source = "hubspot",
        SourceEventId = sourceEventId,
        OccurredAt = Now.AddDays(-Days - 2),
        Channel = Channel.Crm,
        Kind = TouchpointKind.Direct,
        Action = "deal.updated",
        Summary = "Deal updated",
        Identities = [new Identity(IdentityTypes.HubSpotDeal, sourceEventId)],
    };

    private static DeadLetter DeadLetterOf(string id, string rawRef, DateTimeOffset failedAt) => new()
    {
        Id = id,
        Source = "custom:retention",
        BlobName = rawRef,
        Reason = "test",
        FailedAt = failedAt,
        ReceivedAt = failedAt,
        CorrelationId = id,
        Queue = StorageNames.IngestQueue,
    };

    private static Core.Ingestion.IngestionMessage MessageFor(string rawRef) => new()
    {
        Source = "custom:retention",
        BlobName = rawRef,
        ReceivedAt = Now,
        CorrelationId = "retention",
    };

    private sealed class StaticOptionsMonitor(RetentionOptions value) : IOptionsMonitor<RetentionOptions>
    {
        public RetentionOptions CurrentValue => value;

        public RetentionOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<RetentionOptions, string?> listener) => null;
    }
}
