using JourneyHub.Core.Sources;

namespace JourneyHub.UnitTests.Sources;

public sealed class SourceIdTests
{
    [Theory]
    [InlineData("hubspot", false, null, "hubspot")]
    [InlineData("hubspot-pull", false, null, "hubspot-pull")]
    [InlineData("shopify", false, null, "shopify")]
    [InlineData("custom:contoso-pos", true, "contoso-pos", "custom")]
    [InlineData("custom:point_of_sale", true, "point_of_sale", "custom")]
    [InlineData("custom:pos.v2", true, "pos.v2", "custom")]
    public void Names_parse_into_the_source_and_the_adapter_that_serves_it(string text, bool isCustom, string? customName, string adapter)
    {
        var source = SourceId.Parse(text);

        Assert.Equal(text, source.Name);
        Assert.Equal(text, source.ToString());
        Assert.Equal(isCustom, source.IsCustom);
        Assert.Equal(customName, source.CustomName);
        Assert.Equal(adapter, source.Adapter.Name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("HubSpot")]
    [InlineData("custom:")]
    [InlineData("custom:Contoso")]
    [InlineData("custom:-pos")]
    [InlineData("other:pos")]
    [InlineData("hub spot")]
    [InlineData("custom:a/b")]
    [InlineData("custom:_pos")]
    [InlineData("custom:.pos")]
    [InlineData("custom:a:b")]
    public void Anything_else_is_not_a_source(string text)
    {
        Assert.False(SourceId.TryParse(text, out var source));
        Assert.Equal(default, source);
        Assert.Throws<FormatException>(() => SourceId.Parse(text));
    }

    [Fact]
    public void Custom_names_follow_the_route_rule_of_1_to_50_lower_case_letters_digits_dashes_underscores_and_dots()
    {
        Assert.True(SourceId.TryCustom("contoso-pos", out var pos));
        Assert.Equal("custom:contoso-pos", pos.Name);
        Assert.True(SourceId.TryCustom(new string('a', 50), out _));
        Assert.True(SourceId.TryCustom("point_of_sale", out var shell));
        Assert.Equal("custom:point_of_sale", shell.Name);
        Assert.True(SourceId.IsTouchpointSource(shell.Name));
        Assert.False(SourceId.TryCustom(new string('a', 51), out _));
        Assert.False(SourceId.TryCustom(null, out _));
        Assert.Equal(SourceId.Parse("custom:contoso-pos"), pos);
    }
}
