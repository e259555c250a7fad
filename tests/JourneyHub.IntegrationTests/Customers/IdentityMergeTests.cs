using JourneyHub.Core.Identities;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;
using JourneyHub.IntegrationTests.Infrastructure;

namespace JourneyHub.IntegrationTests.Customers;

/// <summary>Identity resolution and merges on real table storage (Azurite).</summary>
[Collection(AzuriteCollection.Name)]
public sealed class IdentityMergeTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset T0 = new(2025, 4, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_shared_email_merges_two_customers_into_the_older_one_and_the_old_id_keeps_answering()
    {
        var world = new CustomerWorld(azurite);
        var (hubspot, salesforce, email) = (Id("hubspot", "hs"), Id("salesforce", "003sf"), Id("email", "jane"));

        var older = await world.IngestAsync(CustomerWorld.Event("hubspot", T0, hubspot, email));
        await world.IngestAsync(CustomerWorld.Event("hubspot", T0.AddDays(1), hubspot));
        var younger = await world.IngestAsync(CustomerWorld.Event("salesforce", T0.AddDays(2), salesforce));
        await world.IngestAsync(CustomerWorld.Event("salesforce", T0.AddDays(3), salesforce));
        Assert.NotEqual(older, younger);

        // A Salesforce event that names the same e-mail shows they are one person.
        var joined = await world.IngestAsync(CustomerWorld.Event("salesforce", T0.AddDays(4), salesforce, email));

        Assert.Equal(older, joined);
        Assert.Equal(5, (await world.RowsAsync(older!)).Count);
        Assert.Empty(await world.RowsAsync(younger!));
        Assert.Equal(older, await world.Identities.FindCustomerAsync(salesforce, CancellationToken.None));

        var survivor = (await world.Customers.GetAsync(older!, CancellationToken.None))!;
        Assert.Equal(5, survivor.Journey.TouchpointCount);
        Assert.Equal([email, hubspot, salesforce], survivor.Identities.OrderBy(i => i.ToString(), StringComparer.Ordinal).ToArray());
        var merge = Assert.Single(survivor.Merges);
        Assert.Equal((younger, older), (merge.MergedCustomerId, merge.IntoCustomerId));
        Assert.NotNull(merge.CompletedAt);
        Assert.Contains("salesforce contact.updated", merge.Cause, StringComparison.Ordinal);

        // The old id answers with the survivor and says so; its tombstone holds nothing personal.
        var timeline = await world.Reader.TimelineAsync(younger!, new Core.Timeline.TimelineQuery(), CancellationToken.None);
        Assert.Equal((older, younger, 5), (timeline!.CustomerId, timeline.MergedFrom, timeline.Items.Count));
        var tombstone = (await world.Customers.GetAsync(younger!, CancellationToken.None))!;
        Assert.Equal(older, tombstone.MergedInto);
        Assert.Empty(tombstone.Identities);
    }

    [Fact]
    public async Task A_shared_inbox_does_not_merge_people()
    {
        var world = new CustomerWorld(azurite);
        var inbox = new Identity("email", CustomerWorld.Unique("info+") + "@acme.example");
        var first = await world.IngestAsync(CustomerWorld.Event("hubspot", T0, Id("hubspot", "a"), inbox));
        var second = await world.IngestAsync(CustomerWorld.Event("hubspot", T0, Id("hubspot", "b"), inbox));

        Assert.NotEqual(first, second);
        Assert.Null(await world.Identities.FindCustomerAsync(inbox, CancellationToken.None));
        Assert.Null(await world.IngestAsync(CustomerWorld.Event("hubspot", T0, inbox, new Identity("hubspot", "undefined"))));
    }

    [Fact]
    public async Task Exceeding_the_per_type_limit_records_a_conflict_instead_of_merging()
    {
        var world = new CustomerWorld(azurite, new IdentityOptions { MaxPerType = 2 });
        var (a1, a2, a3, b1) = (Id("email", "a1"), Id("email", "a2"), Id("email", "a3"), Id("email", "b1"));
        var a = await world.IngestAsync(CustomerWorld.Event("custom:shop", T0, a1, a2));
        var b = await world.IngestAsync(CustomerWorld.Event("custom:shop", T0, b1));

        // Joining would give one customer three e-mails.
        var joined = await world.IngestAsync(CustomerWorld.Event("custom:shop", T0.AddHours(1), a1, b1));
        Assert.Equal(a, joined);
        Assert.Equal(b, await world.Identities.FindCustomerAsync(b1, CancellationToken.None));
        Assert.Null((await world.Customers.GetAsync(b!, CancellationToken.None))!.MergedInto);
        var conflict = Assert.Single(await world.Conflicts.ListAsync(b!, 10, CancellationToken.None));
        Assert.Equal((IdentityConflictReasons.MaxPerType, a), (conflict.Reason, conflict.OtherCustomerIds.Single()));

        // A third e-mail on its own is not linked either, and says why.
        await world.IngestAsync(CustomerWorld.Event("custom:shop", T0.AddHours(2), a1, a3));
        Assert.Null(await world.Identities.FindCustomerAsync(a3, CancellationToken.None));
        Assert.Equal(2, (await world.Conflicts.ListAsync(a!, 10, CancellationToken.None)).Count);
        Assert.Equal(2, (await world.Customers.GetAsync(a!, CancellationToken.None))!.Identities.Count(i => i.Type == "email"));
    }

    [Fact]
    public async Task The_merge_cap_stops_a_customer_from_absorbing_everyone()
    {
        var world = new CustomerWorld(azurite, new IdentityOptions { MaxMerges = 1 });
        var (c, d, e) = (Id("hubspot", "c"), Id("hubspot", "d"), Id("hubspot", "e"));
        var first = await world.IngestAsync(CustomerWorld.Event("hubspot", T0, c));
        var second = await world.IngestAsync(CustomerWorld.Event("hubspot", T0, d));
        var third = await world.IngestAsync(CustomerWorld.Event("hubspot", T0, e));

        Assert.Equal(first, await world.IngestAsync(CustomerWorld.Event("hubspot", T0, c, d)));
        Assert.Equal(first, await world.IngestAsync(CustomerWorld.Event("hubspot", T0, c, e)));
        Assert.Equal(first, await world.Identities.FindCustomerAsync(d, CancellationToken.None));
        Assert.Equal(third, await world.Identities.FindCustomerAsync(e, CancellationToken.None));
        Assert.Equal(IdentityConflictReasons.MaxMerges, Assert.Single(await world.Conflicts.ListAsync(third!, 10, CancellationToken.None)).Reason);
        Assert.NotEqual(second, first);
    }

    [Theory]
    [InlineData("after-mark")]
    [InlineData("after-copy")]
    [InlineData("after-commit")]
    [InlineData("after-first-reassign")]
    [InlineData("before-delete")]
    public async Task A_merge_that_crashes_is_finished_by_the_next_resolution_with_nothing_lost_or_doubled(string point)
    {
        var world = new CustomerWorld(azurite);
        var (email, phone, salesforce) = (Id("email", "crash"), new Identity("phone", "+4930" + CustomerWorld.Unique("")[^8..]), Id("salesforce", "003crash"));
        var older = await world.IngestAsync(CustomerWorld.Event("custom:shop", T0, email));
        await world.IngestAsync(CustomerWorld.Event("custom:shop", T0.AddDays(1), email));
        var younger = await world.IngestAsync(CustomerWorld.Event("salesforce", T0.AddDays(2), salesforce, phone));
        await world.IngestAsync(CustomerWorld.Event("salesforce", T0.AddDays(3), salesforce));
        await world.IngestAsync(CustomerWorld.Event("salesforce", T0.AddDays(4), phone));

        // The process "dies" at one step of the merge.
        var fault = new Fault(point, point is "after-copy" or "after-commit" ? older! : younger!);
        var crashing = world.Resolver(
            new FaultingTimelineStore(world.Timeline, fault),
            new FaultingCustomerStore(world.Customers, fault),
            new FaultingIdentityStore(world.Identities, fault));
        await Assert.ThrowsAsync<SimulatedCrashException>(() => world.IngestAsync(CustomerWorld.Event("salesforce", T0.AddDays(5), salesforce, email), crashing));
        Assert.True(fault.Fired);

        // Any later event for the merged-away customer finishes the merge first and lands on the survivor.
        Assert.Equal(older, await world.IngestAsync(CustomerWorld.Event("salesforce", T0.AddDays(6), phone)));

        var rows = await world.RowsAsync(older!);
        Assert.Equal(6, rows.Count);
        Assert.Equal(6, rows.Select(r => r.TouchpointId).Distinct().Count());
        Assert.Empty(await world.RowsAsync(younger!));
        var survivor = (await world.Customers.GetAsync(older!, CancellationToken.None))!;
        Assert.Equal(6, survivor.Journey.TouchpointCount);
        Assert.Equal(T0, survivor.Journey.FirstTouchAt);
        Assert.Equal(T0.AddDays(6), survivor.Journey.LastTouchAt);
        Assert.NotNull(Assert.Single(survivor.Merges).CompletedAt);
        foreach (var identity in new[] { email, phone, salesforce })
        {
            Assert.Equal(older, await world.Identities.FindCustomerAsync(identity, CancellationToken.None));
        }
    }

    [Fact]
    public async Task Merges_racing_in_both_orders_agree_on_the_survivor_and_never_tombstone_customers_into_each_other()
    {
        // The race a busy host runs into: a first delivery has claimed a new customer id (the smaller one) but not yet
        // written its summary row, while the other customer's row exists with an older creation time. Merges that read
        // the rows at different moments must still pick the same survivor, or each tombstones the other and both vanish.
        var world = new CustomerWorld(azurite);
        for (var round = 0; round < 8; round++)
        {
            var smaller = TouchpointIds.NewCustomerId(DateTimeOffset.UtcNow.AddMinutes(-1));
            var larger = await world.IngestAsync(CustomerWorld.Event("hubspot", T0, Id("hubspot", "older-row")));
            Assert.True(string.CompareOrdinal(smaller, larger) < 0);

            var merges = new[]
            {
                world.Merger().MergeAsync([smaller, larger!], "race a", CancellationToken.None),
                world.Timeline.AppendAsync(smaller, [CustomerWorld.Event("salesforce", T0.AddDays(1), Id("salesforce", "003")) with { CustomerId = smaller }], new Core.Ports.AppendOptions(), CancellationToken.None).ContinueWith(t => t.Result.CustomerId, TaskScheduler.Default),
                world.Merger().MergeAsync([larger!, smaller], "race b", CancellationToken.None),
            };
            var answers = await Task.WhenAll(merges);

            Assert.Equal([smaller, smaller], new[] { answers[0], answers[2] });
            foreach (var id in new[] { smaller, larger! })
            {
                var survivor = await Core.Ports.CustomerStoreExtensions.FindSurvivorAsync(world.Customers, id, CancellationToken.None);
                Assert.Equal(smaller, survivor?.CustomerId);
            }

            Assert.Null((await world.Customers.GetAsync(smaller, CancellationToken.None))!.MergedInto);
            Assert.Equal(2, (await world.RowsAsync(smaller)).Count);
            Assert.Empty(await world.RowsAsync(larger!));
        }
    }

    private static Identity Id(string type, string stem) =>
        type == "email" ? new Identity(type, CustomerWorld.Unique(stem) + "@example.com") : new Identity(type, CustomerWorld.Unique(stem));
}
