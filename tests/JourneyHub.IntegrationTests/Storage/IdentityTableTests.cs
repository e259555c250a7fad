using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using JourneyHub.Azure.Storage;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;
using JourneyHub.IntegrationTests.Customers;
using JourneyHub.IntegrationTests.Infrastructure;

namespace JourneyHub.IntegrationTests.Storage;

/// <summary>
/// The identity table on Azurite: link and suppression of an identity in one row of the partition named by its keyed hash,
/// so one point read answers both and a claim and an erasure meet on that row; every request to the table is counted by a
/// pipeline policy on the client, which can also run an interleaving write at a chosen moment.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class IdentityTableTests(AzuriteFixture azurite)
{
    private readonly IdentityRequests requests = new();
    private readonly CustomerWorld world = new(azurite);

    [Fact]
    public async Task An_unknown_identity_costs_one_request_that_answers_link_and_suppression_and_a_new_person_two()
    {
        var store = CountedStore();
        var email = Email("unknown");

        requests.Clear();
        Assert.Equal(new IdentityLookup(null, IsSuppressed: false), await store.LookupAsync(email, default));
        var lookup = Assert.Single(requests.Entries);
        Assert.Equal("GET", lookup.Method);
        Assert.Contains($"(PartitionKey='{world.Keys.Hash(email)}',RowKey='{TableIdentityStore.LinkRow}')", Uri.UnescapeDataString(lookup.Path), StringComparison.Ordinal);

        // Known: one request too, and it names the customer.
        var customerId = "cus_" + Guid.NewGuid().ToString("N");
        Assert.Equal(new IdentityClaim(customerId), await store.ClaimAsync(email, customerId, default));
        requests.Clear();
        Assert.Equal(new IdentityLookup(customerId, IsSuppressed: false), await store.LookupAsync(email, default));
        Assert.Single(requests.Entries);

        // A new person's first event through the resolver: the lookup and the claim, nothing else in this table.
        var phone = Phone();
        requests.Clear();
        var assignment = await world.Resolver(identities: store).AssignAsync([phone], "test", default);
        Assert.True(assignment.IsNew);
        Assert.Equal(["GET", "POST"], requests.Entries.Select(e => e.Method));
        Assert.Equal(assignment.CustomerId, await world.Identities.FindCustomerAsync(phone, default));
    }

    [Fact]
    public async Task A_suppressed_identity_is_refused_alone_or_among_new_ones_and_nothing_is_linked()
    {
        var store = CountedStore();
        var erased = Email("erased");
        var fresh = Email("fresh");
        await store.SuppressAndUnlinkAsync([erased], [], default);
        var resolver = world.Resolver(identities: store);

        requests.Clear();
        Assert.True((await resolver.AssignAsync([erased], "test", default)).IsSuppressed);
        Assert.Single(requests.Entries);

        Assert.True((await resolver.AssignAsync([fresh, erased], "test", default)).IsSuppressed);
        Assert.True((await resolver.AssignAsync([erased, fresh], "test", default)).IsSuppressed);
        Assert.Equal(new IdentityLookup(null, IsSuppressed: false), await store.LookupAsync(fresh, default));
        Assert.Equal(new IdentityLookup(null, IsSuppressed: true), await store.LookupAsync(erased, default));

        // Someone else is not touched by it.
        var other = await resolver.AssignAsync([fresh], "test", default);
        Assert.False(other.IsSuppressed);
        Assert.NotNull(other.CustomerId);
    }

    [Fact]
    public async Task Concurrent_claims_of_one_identity_link_it_to_the_first_writer_and_everyone_reads_the_winner()
    {
        var email = Email("race");
        var candidates = Enumerable.Range(0, 16).Select(i => $"cus_race{i}_{Guid.NewGuid():N}").ToList();
        using var start = new ManualResetEventSlim();

        var claims = candidates.Select(candidate => Task.Run(async () =>
        {
            start.Wait();
            return await world.Identities.ClaimAsync(email, candidate, default);
        })).ToList();
        start.Set();
        var owners = await Task.WhenAll(claims);

        var winner = Assert.Single(owners.Select(o => o.CustomerId).Distinct());
        Assert.Contains(winner, candidates);
        var rows = await PartitionAsync(email);
        var link = Assert.Single(rows);
        Assert.Equal((TableIdentityStore.LinkRow, winner), (link.RowKey, link.GetString("CustomerId")));
    }

    [Fact]
    public async Task A_claim_whose_conflict_is_followed_by_the_erasure_of_the_winner_answers_suppressed_and_links_nothing()
    {
        // The reviewer's race: the claim's insert meets the erased person's link (409), and the erasure runs before the
        // claim reads the winner. The link must not be gone for the claim to insert its own.
        var store = CountedStore();
        var email = Email("erased-mid-claim");
        var (erasedCustomer, candidate) = ("cus_erased_" + Guid.NewGuid().ToString("N"), "cus_new_" + Guid.NewGuid().ToString("N"));
        await world.Identities.ClaimAsync(email, erasedCustomer, default);

        requests.Clear();
        requests.AfterFirstConflict = () => world.Identities.SuppressAndUnlinkAsync([email], [erasedCustomer], default);
        Assert.Equal(IdentityClaim.Suppressed, await store.ClaimAsync(email, candidate, default));

        Assert.Equal(["POST", "GET"], requests.Entries.Select(e => e.Method));
        Assert.Null(requests.AfterFirstConflict);
        Assert.Equal(new IdentityLookup(null, IsSuppressed: true), await store.LookupAsync(email, default));
        AssertMarker(await PartitionAsync(email));

        // A merge never hands the marker to anyone.
        Assert.False(await store.ReassignAsync(email, erasedCustomer, candidate, default));
        Assert.False(await store.ReassignAsync(email, candidate, erasedCustomer, default));
        AssertMarker(await PartitionAsync(email));
    }

    [Fact]
    public async Task A_new_persons_event_whose_identity_is_claimed_and_erased_after_its_lookup_is_suppressed_by_the_resolver()
    {
        var store = CountedStore();
        var phone = Phone();
        var erasedCustomer = "cus_erased_" + Guid.NewGuid().ToString("N");

        // Unknown at the resolver's lookup; another delivery links it just before our claim; the erasure of that customer
        // runs between our claim's conflict and its read.
        requests.Clear();
        requests.BeforeFirstWrite = async () => Assert.False((await world.Identities.ClaimAsync(phone, erasedCustomer, default)).IsSuppressed);
        requests.AfterFirstConflict = () => world.Identities.SuppressAndUnlinkAsync([phone], [erasedCustomer], default);
        var assignment = await world.Resolver(identities: store).AssignAsync([phone], "test", default);

        Assert.Same(CustomerAssignment.Suppressed, assignment);
        Assert.Equal(["GET", "POST", "GET"], requests.Entries.Select(e => e.Method));
        Assert.Equal(new IdentityLookup(null, IsSuppressed: true), await store.LookupAsync(phone, default));
        AssertMarker(await PartitionAsync(phone));
    }

    [Fact]
    public async Task An_identity_erased_before_it_was_ever_linked_refuses_every_claim()
    {
        var store = CountedStore();
        var email = Email("never-linked");

        requests.Clear();
        Assert.Equal(0, await store.SuppressAndUnlinkAsync([email], [], default));
        Assert.Equal(["GET", "POST"], requests.Entries.Select(e => e.Method));
        AssertMarker(await PartitionAsync(email));

        Assert.Equal(IdentityClaim.Suppressed, await store.ClaimAsync(email, "cus_" + Guid.NewGuid().ToString("N"), default));
        Assert.Equal(IdentityClaim.Suppressed, await world.Identities.ClaimAsync(email, "cus_" + Guid.NewGuid().ToString("N"), default));
        Assert.Equal(new IdentityLookup(null, IsSuppressed: true), await store.LookupAsync(email, default));
        AssertMarker(await PartitionAsync(email));
    }

    [Fact]
    public async Task Erasure_replaces_the_link_with_a_suppressed_marker_in_one_write_and_leaves_anyone_elses_link()
    {
        var store = CountedStore();
        var (mine, theirs) = (Email("mine"), Email("theirs"));
        var (erasedCustomer, otherCustomer) = ("cus_erased_" + Guid.NewGuid().ToString("N"), "cus_other_" + Guid.NewGuid().ToString("N"));
        await store.ClaimAsync(mine, erasedCustomer, default);
        await store.ClaimAsync(theirs, otherCustomer, default);

        requests.Clear();
        Assert.Equal(1, await store.SuppressAndUnlinkAsync([mine, theirs], [erasedCustomer], default));

        // Per identity: the point read of its row, then one conditional write of it (the marker replaces the erased
        // customer's link; the other customer's link only gets SuppressedAt merged in).
        Assert.Equal(["GET", "PUT", "GET", "PATCH"], requests.Entries.Select(e => e.Method));
        AssertMarker(await PartitionAsync(mine));
        Assert.Equal(new IdentityLookup(otherCustomer, IsSuppressed: true), await store.LookupAsync(theirs, default));
        var kept = Assert.Single(await PartitionAsync(theirs));
        Assert.Equal(otherCustomer, kept.GetString("CustomerId"));

        // Repeating it (an erasure retried after a crash) writes nothing.
        requests.Clear();
        Assert.Equal(0, await store.SuppressAndUnlinkAsync([mine, theirs], [erasedCustomer], default));
        Assert.Equal(["GET", "GET"], requests.Entries.Select(e => e.Method));

        // Later events: the erased person's identity is refused; the other customer's link still answers for them and
        // still wins a claim.
        var resolver = world.Resolver(identities: store);
        Assert.True((await resolver.AssignAsync([mine], "later", default)).IsSuppressed);
        Assert.Equal(otherCustomer, (await resolver.AssignAsync([theirs], "later", default)).CustomerId);
        Assert.Equal(new IdentityClaim(otherCustomer), await store.ClaimAsync(theirs, "cus_" + Guid.NewGuid().ToString("N"), default));
        Assert.Equal(IdentityClaim.Suppressed, await store.ClaimAsync(mine, "cus_" + Guid.NewGuid().ToString("N"), default));
    }

    [Fact]
    public async Task A_link_moved_to_another_customer_between_the_erasures_read_and_its_write_is_kept_and_only_suppressed()
    {
        var store = CountedStore();
        var email = Email("moved");
        var (erasedCustomer, survivor) = ("cus_erased_" + Guid.NewGuid().ToString("N"), "cus_survivor_" + Guid.NewGuid().ToString("N"));
        await store.ClaimAsync(email, erasedCustomer, default);

        // A merge moves the link just before the erasure's write is sent: the write fails on the ETag and is redone.
        requests.Clear();
        requests.BeforeFirstWrite = async () => Assert.True(await world.Identities.ReassignAsync(email, erasedCustomer, survivor, default));
        Assert.Equal(0, await store.SuppressAndUnlinkAsync([email], [erasedCustomer], default));

        Assert.Equal(["GET", "PUT", "GET", "PATCH"], requests.Entries.Select(e => e.Method));
        Assert.Equal(new IdentityLookup(survivor, IsSuppressed: true), await store.LookupAsync(email, default));

        // The survivor is the same person merged, not the erased one: a further merge moves the link, SuppressedAt and all.
        var later = "cus_later_" + Guid.NewGuid().ToString("N");
        Assert.True(await store.ReassignAsync(email, survivor, later, default));
        Assert.Equal(new IdentityLookup(later, IsSuppressed: true), await store.LookupAsync(email, default));
    }

    [Fact]
    public async Task Nothing_in_the_identity_table_holds_a_plain_identity_in_its_keys_or_columns()
    {
        var identities = new[] { Email("plain"), Phone(), new Identity("custom:crm", $"a/b\\c#d?e%f-{Guid.NewGuid():N}") };
        var customerId = "cus_" + Guid.NewGuid().ToString("N");
        foreach (var identity in identities)
        {
            Assert.Equal(new IdentityClaim(customerId), await world.Identities.ClaimAsync(identity, customerId, default));
        }

        await world.Identities.ReassignAsync(identities[0], customerId, customerId + "x", default);
        await world.Identities.SuppressAndUnlinkAsync([identities[1]], [customerId], default);
        await world.Identities.SuppressAndUnlinkAsync([identities[2]], [], default);

        var stored = new List<string>();
        await foreach (var entity in azurite.Table(StorageNames.IdentitiesTable).QueryAsync<TableEntity>())
        {
            stored.Add(entity.PartitionKey);
            stored.Add(entity.RowKey);
            stored.AddRange(entity.Where(p => p.Key is not ("PartitionKey" or "RowKey")).Select(p => Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture) ?? ""));
        }

        foreach (var identity in identities)
        {
            Assert.DoesNotContain(stored, value => value.Contains(identity.Value, StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(stored, value => value.Contains(identity.Type + ":", StringComparison.OrdinalIgnoreCase));

            // Each identity's rows live in the partition named by its keyed hash, and only there.
            Assert.NotEmpty(await PartitionAsync(identity));
            Assert.Matches("^[0-9a-f]{64}$", world.Keys.Hash(identity));
        }
    }

    private static void AssertMarker(IReadOnlyList<TableEntity> rows)
    {
        var marker = Assert.Single(rows);
        Assert.Equal(TableIdentityStore.LinkRow, marker.RowKey);
        Assert.Null(marker.GetString("CustomerId"));
        Assert.NotNull(marker.GetDateTimeOffset("SuppressedAt"));
    }

    private TableIdentityStore CountedStore()
    {
        var tables = new TableClientOptions();
        tables.AddPolicy(requests, HttpPipelinePosition.PerRetry);
        var clients = StorageClients.From(new TableServiceClient(azurite.ConnectionString, tables), azurite.Clients.Blobs, azurite.Clients.Queues);
        var bootstrap = new StorageBootstrap(clients);
        return new TableIdentityStore(clients, bootstrap, world.Keys, TimeProvider.System);
    }

    private async Task<List<TableEntity>> PartitionAsync(Identity identity)
    {
        var rows = new List<TableEntity>();
        await foreach (var entity in azurite.Table(StorageNames.IdentitiesTable).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {world.Keys.Hash(identity)}")))
        {
            rows.Add(entity);
        }

        return rows;
    }

    private static Identity Email(string prefix) => Identity.Create(IdentityTypes.Email, $"{prefix}-{Guid.NewGuid():N}@example.com")!;

    private static Identity Phone() => Identity.Create(IdentityTypes.Phone, "+4670" + Random.Shared.Next(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture))!;

    /// <summary>
    /// Every request to the identity table (table creation aside), after the SDK's own retries; optionally runs something
    /// just before the first write goes out, or just after the first 409 came back (before the caller sees it).
    /// </summary>
    private sealed class IdentityRequests : HttpPipelinePolicy
    {
        private readonly ConcurrentQueue<(string Method, string Path, string Query)> entries = new();

        public Func<Task>? BeforeFirstWrite { get; set; }

        public Func<Task>? AfterFirstConflict { get; set; }

        public IReadOnlyList<(string Method, string Path, string Query)> Entries => [.. entries];

        public void Clear() => entries.Clear();

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("The table client is used asynchronously here.");

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            var path = message.Request.Uri.Path;
            var identityTable = path.Contains(StorageNames.IdentitiesTable, StringComparison.Ordinal);
            if (identityTable && message.Request.Method != RequestMethod.Get && BeforeFirstWrite is { } before)
            {
                BeforeFirstWrite = null;
                await before();
            }

            if (identityTable)
            {
                entries.Enqueue((message.Request.Method.Method, path, message.Request.Uri.Query));
            }

            await ProcessNextAsync(message, pipeline);
            if (identityTable && message.Response.Status == 409 && AfterFirstConflict is { } after)
            {
                AfterFirstConflict = null;
                await after();
            }
        }
    }
}
