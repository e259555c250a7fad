using JourneyHub.Core.Identities;
using JourneyHub.Core.Schema;

namespace JourneyHub.UnitTests.Reliability;

/// <summary>The customer store skips a write when the resolver hands back the same identity list: that saves one Table transaction per event.</summary>
public sealed class IdentityUnionTests
{
    private static readonly Identity Email = new("email", "jane@example.com");
    private static readonly Identity HubSpot = new("hubspot", "81273645012");

    [Fact]
    public void Nothing_new_returns_the_same_list_instance()
    {
        IReadOnlyList<Identity> existing = [Email, HubSpot];

        Assert.Same(existing, IdentityResolver.Union(existing, [HubSpot, Email, HubSpot]));
    }

    [Fact]
    public void A_new_identity_returns_a_new_list_with_it_appended_once()
    {
        IReadOnlyList<Identity> existing = [Email];

        var union = IdentityResolver.Union(existing, [HubSpot, HubSpot, Email]);

        Assert.NotSame(existing, union);
        Assert.Equal([Email, HubSpot], union);
        Assert.Equal([Email], existing);
    }
}
