using JourneyHub.Core.Identities;
using JourneyHub.Core.Schema;

namespace JourneyHub.UnitTests.Customers;

public sealed class IdentityGuardTests
{
    private readonly IdentityGuard guard = new(new IdentityOptions());

    [Theory]
    [InlineData("email", "info@acme.com")]
    [InlineData("email", "Sales@acme.com")]
    [InlineData("email", "support+tickets@acme.com")]
    [InlineData("email", "noreply@shop.example")]
    [InlineData("email", "test@test.com")]
    [InlineData("hubspot", "undefined")]
    [InlineData("custom:pos", "anonymous")]
    [InlineData("salesforce", "null")]
    public void Shared_and_placeholder_values_never_link_people(string type, string value) =>
        Assert.True(guard.IsBlocked(new Identity(type, value)));

    [Theory]
    [InlineData("email", "jane@acme.com")]
    [InlineData("email", "information.desk.jane@acme.com")]
    [InlineData("hubspot", "81273645012")]
    public void Personal_values_link(string type, string value) =>
        Assert.False(guard.IsBlocked(new Identity(type, value)));

    [Fact]
    public void Blocked_values_and_local_parts_come_from_options()
    {
        var options = new IdentityOptions();
        options.BlockedValues.Add("+15555550100");
        options.BlockedEmailLocalParts.Add("frontdesk");
        var custom = new IdentityGuard(options);

        Assert.True(custom.IsBlocked(new Identity("phone", "+15555550100")));
        Assert.True(custom.IsBlocked(new Identity("email", "frontdesk@hotel.example")));
        Assert.Equal(["email:jane@hotel.example"], custom.Linkable([new Identity("email", "frontdesk@hotel.example"), new Identity("email", "jane@hotel.example")]).Select(i => i.ToString()));
    }

    [Fact]
    public void The_per_type_limit_counts_distinct_identities_and_ignores_deals()
    {
        var options = new IdentityOptions { MaxPerType = 2 };
        var limited = new IdentityGuard(options);
        var held = new[] { new Identity("email", "a@x.example"), new Identity("email", "b@x.example") };

        Assert.True(limited.FitsLimit(held, [new Identity("email", "a@x.example"), new Identity("phone", "+4912345678")], out _));
        Assert.False(limited.FitsLimit(held, [new Identity("email", "c@x.example")], out var over));
        Assert.Equal("email", over);
        Assert.True(limited.FitsLimit([], Enumerable.Range(0, 5).Select(i => new Identity(IdentityTypes.HubSpotDeal, i.ToString(System.Globalization.CultureInfo.InvariantCulture))), out _));
    }
}
