using JourneyHub.Core.Identities;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;
using Microsoft.Extensions.Logging.Abstractions;
using NSubstitute;

namespace JourneyHub.UnitTests.Customers;

public sealed class ObjectAttributionTests
{
    private static readonly Identity Deal = new(IdentityTypes.HubSpotDeal, "19283746501");
    private static readonly DateTimeOffset Created = new(2025, 3, 14, 0, 0, 0, TimeSpan.Zero);

    private readonly IObjectStore store = Substitute.For<IObjectStore>();
    private readonly ICustomerStore customers = Substitute.For<ICustomerStore>();

    private ObjectAttribution Attribution => new(store, customers, NullLogger<ObjectAttribution>.Instance);

    [Fact]
    public async Task A_deal_goes_to_every_associated_customer_once_following_merges_and_skipping_the_erased()
    {
        store.CustomersAsync(Deal, default).Returns(["cus_b", "cus_a", "cus_merged", "cus_erased", "cus_new"]);
        Summary("cus_a");
        Summary("cus_b");
        Summary("cus_merged", mergedInto: "cus_a");
        Summary("cus_erased", erased: true);

        var people = await Attribution.PeopleOfAsync([Deal], default);

        // cus_merged leads to cus_a, which is listed once under the smaller recorded id; cus_new has no summary row yet
        // (its first delivery is still writing) and counts as itself.
        Assert.Equal(["cus_a", "cus_b", "cus_new"], people.Select(p => p.CustomerId));
        Assert.Equal(["cus_a", "cus_b", "cus_new"], people.Select(p => p.Key));
        Assert.All(people, p => Assert.Equal(Deal, p.Via));
    }

    [Fact]
    public async Task An_association_that_already_leads_to_the_customer_is_not_recorded_again_and_keeps_its_key()
    {
        var history = new[] { DealWon() };
        store.ReadAsync(Deal, default).Returns(new ObjectState(["cus_old", "cus_zz"], history, "v1"));
        Summary("cus_old", mergedInto: "cus_survivor");
        Summary("cus_survivor");

        var association = await Attribution.AssociateAsync(Deal, "cus_survivor", default);

        Assert.Equal(new Attribution("cus_survivor", "cus_old", Deal), association.Person);
        Assert.Same(history, association.History);
        await store.DidNotReceiveWithAnyArgs().TryAddAsync(default!, default!, default!, default);

        // Recorded ids are resolved in key order only until one leads to the customer.
        await customers.DidNotReceive().GetAsync("cus_zz", Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_new_association_is_recorded_under_the_customer_id_at_the_version_read_with_the_history()
    {
        var read = new ObjectState(["cus_other"], [DealWon()], "v1");
        store.ReadAsync(Deal, default).Returns(read);
        store.TryAddAsync(Deal, "cus_new", read, default).Returns(true);
        Summary("cus_other");

        var association = await Attribution.AssociateAsync(Deal, "cus_new", default);

        Assert.Equal(new Attribution("cus_new", "cus_new", Deal), association.Person);
        Assert.Same(read.History, association.History);
        await store.Received(1).ReadAsync(Deal, default);
    }

    [Fact]
    public async Task When_the_object_changed_since_the_read_the_association_reads_again_and_brings_the_history_of_the_read_that_held()
    {
        var stale = new ObjectState([], [], "v1");
        var current = new ObjectState([], [DealWon()], "v2");
        store.ReadAsync(Deal, default).Returns(stale, current);
        store.TryAddAsync(Deal, "cus_new", stale, default).Returns(false);
        store.TryAddAsync(Deal, "cus_new", current, default).Returns(true);

        var association = await Attribution.AssociateAsync(Deal, "cus_new", default);

        Assert.Same(current.History, association.History);
        await store.Received(2).ReadAsync(Deal, default);
    }

    [Fact]
    public async Task An_object_that_changes_at_every_attempt_fails_the_association_after_a_bounded_number_of_reads()
    {
        store.ReadAsync(Deal, default).Returns(ObjectState.Empty);
        store.TryAddAsync(Deal, "cus_new", ObjectState.Empty, default).Returns(false);

        await Assert.ThrowsAsync<InvalidOperationException>(() => Attribution.AssociateAsync(Deal, "cus_new", default));

        await store.Received(5).ReadAsync(Deal, default);
    }

    [Fact]
    public async Task Removing_an_association_removes_every_row_that_leads_to_the_customer_and_no_other()
    {
        store.CustomersAsync(Deal, default).Returns(["cus_a", "cus_merged", "cus_b"]);
        Summary("cus_a");
        Summary("cus_b");
        Summary("cus_merged", mergedInto: "cus_a");

        await Attribution.DissociateAsync(Deal, "cus_a", default);

        await store.Received(1).RemoveAsync(Deal, "cus_a", default);
        await store.Received(1).RemoveAsync(Deal, "cus_merged", default);
        await store.DidNotReceive().RemoveAsync(Deal, "cus_b", default);
    }

    [Fact]
    public void Each_customers_copy_has_its_own_deterministic_touchpoint_id()
    {
        var dealWon = DealWon();

        var first = ObjectAttribution.Attribute(dealWon, new Attribution("cus_a", "cus_a", Deal));
        var second = ObjectAttribution.Attribute(dealWon, new Attribution("cus_b", "cus_b", Deal));
        var firstAgain = ObjectAttribution.Attribute(dealWon, new Attribution("cus_a", "cus_a", Deal));

        Assert.NotEqual(first.TouchpointId, second.TouchpointId);
        Assert.Equal(first.TouchpointId, firstAgain.TouchpointId);
        Assert.Equal(TouchpointIds.For("hubspot", "77-19283746501:cus_a"), first.TouchpointId);
        Assert.Equal("cus_b", second.CustomerId);
        Assert.Equal("hubspot-deal:19283746501", second.Attributes[ObjectAttribution.AttributedViaAttribute]);
        Assert.False(ObjectAttribution.NamesPerson(second));

        // Both copies name the one deal event they came from: storage keeps one of them per customer.
        Assert.Equal(dealWon.TouchpointId, first.CopyOf);
        Assert.Equal(dealWon.TouchpointId, second.CopyOf);
        Assert.Null(dealWon.CopyOf);
    }

    private static Touchpoint DealWon() => new()
    {
        TouchpointId = TouchpointIds.For("hubspot", "77-19283746501"),
        Source = "hubspot",
        SourceEventId = "77-19283746501",
        OccurredAt = Created,
        Channel = Channel.Crm,
        Kind = TouchpointKind.Direct,
        Action = "deal.won",
        Summary = "Deal won",
        Identities = [Deal],
    };

    private void Summary(string customerId, string? mergedInto = null, bool erased = false) =>
        customers.GetAsync(customerId, default).Returns(new CustomerRecord
        {
            CustomerId = customerId,
            CreatedAt = Created,
            MergedInto = mergedInto,
            ErasedAt = erased ? Created : null,
        });
}
