using System.Globalization;
using Azure;
using Azure.Core;
using Azure.Data.Tables;
using JourneyHub.Azure.Storage;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Privacy;
using JourneyHub.Core.Schema;
using JourneyHub.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace JourneyHub.IntegrationTests.Storage;

/// <summary>
/// The dead letters' person index on Azurite (<c>DeadLetterPeople</c>): an erasure finds a person's dead letters with one
/// query per identity in that identity's partition, however many dead letters there are and however many people one names.
/// Every request of the store is seen by a pipeline policy on its table client.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class DeadLetterIndexTests(AzuriteFixture azurite)
{
    private static readonly IdentityKeys Keys = new("dead-letter-index-tests-suppression-key-0123456789");

    private readonly RecordedRequests requests = new();
    private string? failWritesTo;

    [Fact]
    public async Task A_dead_letter_naming_1000_people_is_found_by_erasure_of_each_of_them_including_the_1000th()
    {
        var store = Store();
        var people = Enumerable.Range(1, 1000).Select(i => Email($"many-{i:D4}")).ToList();
        var deadLetter = DeadLetterOf("many", people);

        requests.Clear();
        await store.AddAsync(deadLetter, default);
        var written = requests.Entries.Count;

        Assert.Equal([deadLetter.Id], (await store.FindAsync([people[999]], default)).Select(d => d.Id));
        Assert.Equal([deadLetter.Id], (await store.FindAsync([people[0]], default)).Select(d => d.Id));

        // For N people: one query (whom it named before), N person rows, ⌈N/100⌉ transactions of people rows, the dead letter.
        Assert.Equal(1 + 1000 + 10 + 1, written);
        Assert.Equal(1000, (await PeopleRowsAsync(deadLetter.Id)).Count);
        Assert.Empty(await store.FindAsync([Email("nobody")], default));
    }

    [Fact]
    public async Task Finding_costs_one_query_per_identity_and_one_read_per_dead_letter_found_however_many_others_exist()
    {
        var store = Store();
        var (email, phone, unknown) = (Email("found"), new Identity(IdentityTypes.Phone, "+46701" + Random.Shared.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture)), Email("unknown"));
        var mine = new[] { DeadLetterOf("mine-a", [email]), DeadLetterOf("mine-b", [email, phone]) };
        foreach (var deadLetter in mine)
        {
            await store.AddAsync(deadLetter, default);
        }

        await AddUnrelatedAsync(store, 200);
        var first = await CountedFindAsync(store, [email, phone, unknown]);
        await AddUnrelatedAsync(store, 200);
        var second = await CountedFindAsync(store, [email, phone, unknown]);

        Assert.Equal(mine.Select(d => d.Id).Order(StringComparer.Ordinal), first.Found);
        Assert.Equal(first.Found, second.Found);

        // Three queries, each in one identity's partition of the index, then a point read of each of the two dead letters.
        foreach (var counted in new[] { first.Requests, second.Requests })
        {
            Assert.Equal(5, counted.Count);
            Assert.All(counted, r => Assert.Equal("GET", r.Method));
            Assert.Equal(
                new[] { email, phone, unknown }.Select(i => $"PartitionKey eq '{Keys.Hash(i)}'"),
                counted.Where(r => r.Path.EndsWith(StorageNames.DeadLetterPeopleTable + "()", StringComparison.Ordinal)).Select(r => r.Filter));
            Assert.Equal(
                mine.Select(d => $"{StorageNames.DeadLettersTable}(PartitionKey='deadletter',RowKey='{d.Id}')").Order(StringComparer.Ordinal),
                counted.Where(r => r.Path.Contains(StorageNames.DeadLettersTable + "(", StringComparison.Ordinal)).Select(r => r.Path[(r.Path.LastIndexOf('/') + 1)..]));
        }
    }

    [Fact]
    public async Task A_redaction_that_takes_one_person_out_of_a_dead_letter_removes_that_persons_index_rows_only()
    {
        var store = Store();
        var (frank, grace, heidi) = (Email("frank"), Email("grace"), Email("heidi"));
        var blob = "hubspot/settle-" + Guid.NewGuid().ToString("N");

        // A whole-payload dead letter of three people, and a per-entry one of Frank and Grace, of the same payload.
        var whole = DeadLetterOf("whole", [frank, grace, heidi]) with { BlobName = blob };
        var entry = DeadLetterOf("entry", [frank, grace]) with { BlobName = blob, EntryIndex = 3 };
        await store.AddAsync(whole, default);
        await store.AddAsync(entry, default);

        var removed = await store.SettleAsync(blob, new HashSet<string>([Keys.Hash(frank)], StringComparer.Ordinal), renumbered: false, new RedactionMark(DateTimeOffset.UtcNow, "test"), default);

        // Frank's entry left the payload: its dead letter and all its index rows went. The whole-payload one stays for
        // Grace and Heidi: only Frank's person row and people row of it are gone.
        Assert.Equal(1, removed);
        Assert.Null(await store.GetAsync(entry.Id, default));
        Assert.Empty(await PeopleRowsAsync(entry.Id));
        Assert.NotNull(await store.GetAsync(whole.Id, default));
        Assert.Equal(new[] { Keys.Hash(grace), Keys.Hash(heidi) }.Order(StringComparer.Ordinal), await PeopleRowsAsync(whole.Id));
        Assert.Empty(await PersonRowsAsync(frank));
        Assert.Equal([whole.Id], await PersonRowsAsync(grace));
        Assert.Equal([whole.Id], await PersonRowsAsync(heidi));
        Assert.Empty(await store.FindAsync([frank], default));
        Assert.Equal([whole.Id], (await store.FindAsync([grace], default)).Select(d => d.Id));
    }

    [Fact]
    public async Task Written_again_naming_fewer_people_or_removed_a_dead_letter_takes_its_index_rows_with_it()
    {
        var store = Store();
        var (frank, grace) = (Email("again-frank"), Email("again-grace"));
        var deadLetter = DeadLetterOf("again", [frank, grace]);
        await store.AddAsync(deadLetter, default);

        await store.AddAsync(deadLetter with { Identities = [grace], FailedAt = deadLetter.FailedAt.AddMinutes(1) }, default);
        Assert.Empty(await PersonRowsAsync(frank));
        Assert.Equal([Keys.Hash(grace)], await PeopleRowsAsync(deadLetter.Id));

        await store.RemoveAsync(deadLetter.Id, default);
        Assert.Empty(await PersonRowsAsync(grace));
        Assert.Empty(await PeopleRowsAsync(deadLetter.Id));
    }

    [Fact]
    public async Task Index_rows_are_written_before_the_dead_letter_and_rows_without_one_are_skipped_then_removed_when_old()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = Store(clock);
        var (frank, grace) = (Email("crash-frank"), Email("crash-grace"));
        var kept = DeadLetterOf("kept", [frank]);
        await store.AddAsync(kept, default);

        // The index write fails: no dead letter is written, so none exists that erasure could not find.
        var unindexed = DeadLetterOf("unindexed", [frank]);
        failWritesTo = StorageNames.DeadLetterPeopleTable;
        await Assert.ThrowsAnyAsync<RequestFailedException>(() => store.AddAsync(unindexed, default));
        Assert.Null(await store.GetAsync(unindexed.Id, default));

        // The process dies after the index rows, before the dead letter: rows without their dead letter.
        var crashed = DeadLetterOf("crashed", [frank, grace]);
        failWritesTo = StorageNames.DeadLettersTable;
        await Assert.ThrowsAnyAsync<RequestFailedException>(() => store.AddAsync(crashed, default));
        failWritesTo = null;
        Assert.Null(await store.GetAsync(crashed.Id, default));
        Assert.Contains(crashed.Id, await PersonRowsAsync(frank));

        // Skipped, and left alone while young (a dead letter may be being written right now).
        Assert.Equal([kept.Id], (await store.FindAsync([frank], default)).Select(d => d.Id));
        Assert.Equal(new[] { crashed.Id, kept.Id }.Order(StringComparer.Ordinal), await PersonRowsAsync(frank));

        // Met again once older than the grace: removed, the person row and its people row; Grace's row stays until met.
        clock.Advance(TableDeadLetterStore.OrphanGrace + TimeSpan.FromMinutes(1));
        Assert.Equal([kept.Id], (await store.FindAsync([frank], default)).Select(d => d.Id));
        Assert.Equal([kept.Id], await PersonRowsAsync(frank));
        Assert.Equal([Keys.Hash(grace)], await PeopleRowsAsync(crashed.Id));
        Assert.Empty(await store.FindAsync([grace], default));
        Assert.Empty(await PersonRowsAsync(grace));
        Assert.Empty(await PeopleRowsAsync(crashed.Id));
    }

    private async Task<(List<string> Found, List<RecordedRequest> Requests)> CountedFindAsync(TableDeadLetterStore store, Identity[] identities)
    {
        requests.Clear();
        var found = (await store.FindAsync(identities, default)).Select(d => d.Id).Order(StringComparer.Ordinal).ToList();
        return (found, [.. requests.Entries]);
    }

    private static async Task AddUnrelatedAsync(TableDeadLetterStore store, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await store.AddAsync(DeadLetterOf("other", [Email("other")]), default);
        }
    }

    private TableDeadLetterStore Store(TimeProvider? clock = null)
    {
        var options = new TableClientOptions();
        requests.BeforeSend = FailWritesAsync;
        options.AddPolicy(requests, HttpPipelinePosition.PerRetry);
        options.Retry.MaxRetries = 0;
        var clients = StorageClients.From(new TableServiceClient(azurite.ConnectionString, options), azurite.Clients.Blobs, azurite.Clients.Queues);
        return new TableDeadLetterStore(clients, new StorageBootstrap(clients), Keys, clock ?? TimeProvider.System);
    }

    private async Task<List<string>> PeopleRowsAsync(string deadLetterId) =>
        await KeysAsync(TableClient.CreateQueryFilter($"PartitionKey eq {TableDeadLetterStore.PeoplePartition(deadLetterId)}"));

    private async Task<List<string>> PersonRowsAsync(Identity identity) =>
        await KeysAsync(TableClient.CreateQueryFilter($"PartitionKey eq {Keys.Hash(identity)}"));

    private async Task<List<string>> KeysAsync(string filter)
    {
        var rowKeys = new List<string>();
        await foreach (var row in azurite.Table(StorageNames.DeadLetterPeopleTable).QueryAsync<TableEntity>(filter))
        {
            rowKeys.Add(row.RowKey);
        }

        return [.. rowKeys.Order(StringComparer.Ordinal)];
    }

    private static Identity Email(string prefix) => Identity.Create(IdentityTypes.Email, $"{prefix}-{Guid.NewGuid():N}@example.com")!;

    private static DeadLetter DeadLetterOf(string prefix, IReadOnlyList<Identity> people) => new()
    {
        Id = $"{prefix}-{Guid.NewGuid():N}",
        Source = "hubspot",
        BlobName = "hubspot/index-" + Guid.NewGuid().ToString("N"),
        Reason = "test",
        FailedAt = DateTimeOffset.UtcNow,
        ReceivedAt = DateTimeOffset.UtcNow,
        Identities = people,
    };

    /// <summary>Fails writes to <see cref="failWritesTo"/> (a single entity or a transaction naming it), as a crash there would.</summary>
    private ValueTask FailWritesAsync(HttpMessage message)
    {
        if (failWritesTo is { } table && message.Request.Method != RequestMethod.Get
            && (Uri.UnescapeDataString(message.Request.Uri.Path).Contains("/" + table + "(", StringComparison.Ordinal) || IsBatchFor(message, table)))
        {
            throw new RequestFailedException(503, "The test stops writes to " + table + " here.");
        }

        return ValueTask.CompletedTask;
    }

    private static bool IsBatchFor(HttpMessage message, string table)
    {
        if (!message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal) || message.Request.Content is null)
        {
            return false;
        }

        using var body = new MemoryStream();
        message.Request.Content.WriteTo(body, default);
        return System.Text.Encoding.UTF8.GetString(body.ToArray()).Contains("/" + table + "(", StringComparison.Ordinal);
    }
}
