using JourneyHub.Core.Identities;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Processing;
using JourneyHub.Core.Schema;
using Microsoft.Extensions.Logging.Abstractions;
using NSubstitute;

namespace JourneyHub.UnitTests.Customers;

/// <summary>
/// The resolver's decisions behind its ports, without storage: which calls each case costs and what it answers. The races
/// and merges themselves are tested on Azurite (IdentityMergeTests, PartitionTransactionTests).
/// </summary>
public sealed class IdentityResolverTests
{
    private static readonly Identity Email = new("email", "jane@example.com");
    private static readonly Identity HubSpot = new("hubspot", "501");
    private static readonly Identity Deal = new("hubspot-deal", "9001");

    private readonly IIdentityStore identities = Substitute.For<IIdentityStore>();
    private readonly ICustomerStore customers = Substitute.For<ICustomerStore>();
    private readonly ICustomerMerger merger = Substitute.For<ICustomerMerger>();
    private readonly IIdentityConflictStore conflicts = Substitute.For<IIdentityConflictStore>();

    public IdentityResolverTests()
    {
        // Unknown and not suppressed unless a test says otherwise.
        identities.LookupAsync(Arg.Any<Identity>(), Arg.Any<CancellationToken>()).Returns(new IdentityLookup(null, IsSuppressed: false));
        customers.GetAsync(Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns((CustomerRecord?)null);
    }

    private IdentityResolver Resolver() =>
        new(identities, customers, merger, conflicts, new IdentityGuard(new IdentityOptions()), TimeProvider.System, NullLogger<IdentityResolver>.Instance);

    [Fact]
    public async Task Identities_all_linked_to_one_customer_cost_only_the_lookups_and_link_nothing_new()
    {
        identities.LookupAsync(Email, default).Returns(new IdentityLookup("cus_a", IsSuppressed: false));
        identities.LookupAsync(HubSpot, default).Returns(new IdentityLookup("cus_a", IsSuppressed: false));

        var assignment = await Resolver().AssignAsync([Email, HubSpot], "test", default);

        Assert.Equal("cus_a", assignment.CustomerId);
        Assert.False(assignment.IsNew);
        Assert.Empty(assignment.Linked);
        await identities.Received(2).LookupAsync(Arg.Any<Identity>(), default);
        await identities.DidNotReceiveWithAnyArgs().ClaimAsync(default!, default!, default);
        await merger.DidNotReceiveWithAnyArgs().MergeAsync(default!, default!, default);
        await customers.DidNotReceiveWithAnyArgs().GetAsync(default!, default);
    }

    [Fact]
    public async Task An_unknown_identity_of_an_erased_person_is_suppressed_by_its_one_lookup_and_nothing_is_claimed()
    {
        identities.LookupAsync(Email, default).Returns(new IdentityLookup(null, IsSuppressed: true));

        var assignment = await Resolver().AssignAsync([Email], "test", default);

        Assert.True(assignment.IsSuppressed);
        Assert.Null(assignment.CustomerId);
        await identities.Received(1).LookupAsync(Email, default);
        await identities.DidNotReceiveWithAnyArgs().ClaimAsync(default!, default!, default);
    }

    [Fact]
    public async Task One_suppressed_unknown_identity_among_others_suppresses_the_touchpoint_and_nothing_is_claimed()
    {
        // The e-mail is new; the HubSpot id belonged to an erased person and no customer holds it.
        identities.LookupAsync(HubSpot, default).Returns(new IdentityLookup(null, IsSuppressed: true));

        var assignment = await Resolver().AssignAsync([HubSpot, Email], "test", default);

        Assert.True(assignment.IsSuppressed);
        await identities.DidNotReceiveWithAnyArgs().ClaimAsync(default!, default!, default);
        await merger.DidNotReceiveWithAnyArgs().SettleAsync(default!, default);
    }

    [Fact]
    public async Task A_claim_that_finds_the_identity_erased_after_its_lookup_suppresses_the_touchpoint_and_claims_nothing_more()
    {
        // Both unknown at lookup; the e-mail (claimed first) was erased before its claim landed.
        identities.ClaimAsync(Email, Arg.Any<string>(), default).Returns(IdentityClaim.Suppressed);
        identities.ClaimAsync(HubSpot, Arg.Any<string>(), default).Returns(call => new IdentityClaim(call.Arg<string>()));

        var assignment = await Resolver().AssignAsync([HubSpot, Email], "test", default);

        Assert.Same(CustomerAssignment.Suppressed, assignment);
        await identities.DidNotReceive().ClaimAsync(HubSpot, Arg.Any<string>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_suppression_row_beside_a_link_is_not_consulted_the_link_names_someone_else_who_keeps_their_events()
    {
        identities.LookupAsync(Email, default).Returns(new IdentityLookup("cus_a", IsSuppressed: true));

        var assignment = await Resolver().AssignAsync([Email], "test", default);

        Assert.False(assignment.IsSuppressed);
        Assert.Equal("cus_a", assignment.CustomerId);
    }

    [Fact]
    public async Task A_first_event_claims_its_identities_for_one_new_customer_in_a_fixed_order_and_lists_them()
    {
        var claimed = new List<(Identity Identity, string CustomerId)>();
        identities.ClaimAsync(Arg.Any<Identity>(), Arg.Any<string>(), default)
            .Returns(call =>
            {
                claimed.Add((call.Arg<Identity>(), call.Arg<string>()));
                return new IdentityClaim(call.Arg<string>());
            });

        var assignment = await Resolver().AssignAsync([HubSpot, Email], "test", default);

        Assert.StartsWith("cus_", assignment.CustomerId, StringComparison.Ordinal);
        Assert.Equal([Email, HubSpot], claimed.Select(c => c.Identity));
        Assert.All(claimed, c => Assert.Equal(assignment.CustomerId, c.CustomerId));
        Assert.Equal([Email, HubSpot], assignment.Linked);

        // Minted here: its first write need not read a summary row.
        Assert.True(assignment.IsNew);
    }

    [Fact]
    public async Task Two_identities_linked_to_two_customers_are_merged_into_what_the_merger_answers()
    {
        identities.LookupAsync(Email, default).Returns(new IdentityLookup("cus_a", IsSuppressed: false));
        identities.LookupAsync(HubSpot, default).Returns(new IdentityLookup("cus_b", IsSuppressed: false));
        merger.SettleAsync(Arg.Any<string>(), default).Returns(call => call.Arg<string>());
        merger.MergeAsync(Arg.Any<IReadOnlyList<string>>(), Arg.Any<string>(), default).Returns("cus_a");

        var assignment = await Resolver().AssignAsync([Email, HubSpot], "hubspot contact.creation 1", default);

        Assert.Equal("cus_a", assignment.CustomerId);
        Assert.False(assignment.IsNew);
        await merger.Received(1).MergeAsync(Arg.Is<IReadOnlyList<string>>(ids => ids.Order().SequenceEqual(new[] { "cus_a", "cus_b" })), "hubspot contact.creation 1", default);
        await identities.DidNotReceiveWithAnyArgs().ClaimAsync(default!, default!, default);
    }

    [Fact]
    public async Task An_object_id_alone_names_no_customer_and_is_never_looked_up_or_claimed()
    {
        var assignment = await Resolver().AssignAsync([Deal], "test", default);

        Assert.Null(assignment.CustomerId);
        Assert.False(assignment.IsSuppressed);
        await identities.DidNotReceiveWithAnyArgs().LookupAsync(default!, default);
        await identities.DidNotReceiveWithAnyArgs().ClaimAsync(default!, default!, default);
    }
}
