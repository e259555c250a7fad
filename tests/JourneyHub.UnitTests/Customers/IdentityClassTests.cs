using System.Reflection;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Schema;

namespace JourneyHub.UnitTests.Customers;

public sealed class IdentityClassTests
{
    /// <summary>Every identity type constant except the <c>custom:</c> prefix.</summary>
    public static TheoryData<string> DeclaredTypes() => [.. DeclaredTypeNames()];

    [Theory]
    [MemberData(nameof(DeclaredTypes))]
    public void Every_declared_identity_type_has_a_class(string type)
    {
        Assert.True(IdentityTypes.Classes.ContainsKey(type), $"Identity type '{type}' is declared in IdentityTypes but not classified in IdentityTypes.Classes (person or object).");
        Assert.True(IdentityTypes.IsKnown(type));
    }

    [Fact]
    public void The_class_table_lists_only_declared_types()
    {
        var declared = DeclaredTypeNames().ToHashSet(StringComparer.Ordinal);

        Assert.All(IdentityTypes.Classes.Keys, type => Assert.Contains(type, declared));
    }

    [Theory]
    [InlineData("email")]
    [InlineData("phone")]
    [InlineData("hubspot")]
    [InlineData("salesforce")]
    [InlineData("meta")]
    [InlineData("instagram")]
    [InlineData("trustpilot")]
    [InlineData("google")]
    [InlineData("shopify")]
    [InlineData("zendesk")]
    [InlineData("intercom")]
    [InlineData("typeform")]
    [InlineData("surveymonkey")]
    [InlineData("delighted")]
    [InlineData("custom:crm")]
    public void People_are_persons(string type)
    {
        Assert.Equal(IdentityClass.Person, IdentityTypes.ClassOf(type));
        Assert.False(IdentityTypes.IsObject(type));
    }

    [Theory]
    [InlineData("hubspot-deal")]
    [InlineData("shopify-order")]
    public void Deals_and_orders_are_objects(string type)
    {
        Assert.Equal(IdentityClass.BusinessObject, IdentityTypes.ClassOf(type));
        Assert.True(IdentityTypes.IsObject(type));
    }

    [Theory]
    [InlineData("custom:")]
    [InlineData("linkedin")]
    [InlineData("")]
    public void Unknown_types_have_no_class(string type) => Assert.Null(IdentityTypes.ClassOf(type));

    [Fact]
    public void Object_ids_never_link_people_and_never_count_toward_the_per_type_limit()
    {
        var guard = new IdentityGuard(new IdentityOptions { MaxPerType = 1 });
        var deal = new Identity(IdentityTypes.HubSpotDeal, "19283746501");
        var order = new Identity(IdentityTypes.ShopifyOrder, "820982911946154508");
        var contact = new Identity(IdentityTypes.HubSpot, "81273645012");

        Assert.Equal([contact], guard.Linkable([deal, contact, order]));
        Assert.Empty(guard.Linkable([deal, order]));
        Assert.True(guard.FitsLimit([contact, deal], [new Identity(IdentityTypes.HubSpotDeal, "2"), new Identity(IdentityTypes.HubSpotDeal, "3")], out _));
    }

    private static IEnumerable<string> DeclaredTypeNames() =>
        typeof(IdentityTypes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string) && f.Name != nameof(IdentityTypes.CustomPrefix))
            .Select(f => (string)f.GetRawConstantValue()!);
}
