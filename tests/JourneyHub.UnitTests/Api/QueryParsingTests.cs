using JourneyHub.Core.Api;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Journey.Segments;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources;

namespace JourneyHub.UnitTests.Api;

/// <summary>
/// The read API's query values as CONTRACT.md promises them: a bad value is a 400 that names the parameter, never an empty
/// answer that looks like "no data" and never an exception (500).
/// </summary>
public sealed class QueryParsingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 20, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("stage", "1")]
    [InlineData("stage", "-1")]
    [InlineData("stage", "awareness,decision")]
    [InlineData("stage", "purchase")]
    [InlineData("channel", "3")]
    [InlineData("channel", "web,email")]
    [InlineData("channel", "fax")]
    [InlineData("source", "nosuchsource")]
    [InlineData("source", "custom")]
    [InlineData("source", "custom:")]
    [InlineData("source", "hubspot-pull")]
    [InlineData("source", "hub spot")]
    [InlineData("source", "")]
    public void A_timeline_filter_that_names_no_stage_channel_or_source_is_refused_by_name(string parameter, string value)
    {
        var (query, error) = QueryParsing.ParseTimeline(Get((parameter, value)));

        Assert.Null(query);
        Assert.Equal(400, error!.Status);
        Assert.Equal($"Invalid query parameter '{parameter}'", error.Title);
    }

    [Theory]
    [InlineData("Decision", JourneyStage.Decision)]
    [InlineData(" retention ", JourneyStage.Retention)]
    [InlineData("awareness", JourneyStage.Awareness)]
    public void Stages_are_read_by_their_wire_names_in_any_case(string text, JourneyStage expected)
    {
        var (query, error) = QueryParsing.ParseTimeline(Get(("stage", text)));

        Assert.Null(error);
        Assert.Equal(expected, query!.Stage);
    }

    [Fact]
    public void Every_channel_is_read_by_its_wire_name_and_nothing_else()
    {
        foreach (var channel in Enum.GetValues<Channel>())
        {
            var name = JourneyJson.WireName(channel);
            Assert.True(QueryParsing.TryParseEnum<Channel>(name.ToUpperInvariant(), out var parsed), name);
            Assert.Equal(channel, parsed);
            Assert.False(QueryParsing.TryParseEnum<Channel>(((int)channel).ToString(System.Globalization.CultureInfo.InvariantCulture), out _), name);
        }
    }

    [Fact]
    public void Every_source_a_touchpoint_can_carry_filters_and_is_written_in_lower_case()
    {
        foreach (var source in SourceId.TouchpointSources.Select(s => s.Name).Append("custom:contoso-pos"))
        {
            var (query, error) = QueryParsing.ParseTimeline(Get(("source", source.ToUpperInvariant())));
            Assert.Null(error);
            Assert.Equal(source, query!.Source);

            var (funnel, funnelError) = QueryParsing.ParseFunnel(Get(("source", " " + source + " ")), Now);
            Assert.Null(funnelError);
            Assert.Equal(source, funnel!.Source);
        }

        Assert.Equal("Invalid query parameter 'source'", QueryParsing.ParseFunnel(Get(("source", "nosuch")), Now).Error!.Title);
    }

    [Theory]
    [InlineData("to", "0001-01-01", "from")]
    [InlineData("to", "9999-12-31", "to")]
    [InlineData("to", "9999-12-31T23:59:59Z", "to")]
    [InlineData("from", "9999-12-31T00:00:00Z", "from")]
    public void Window_ends_at_the_edges_of_the_calendar_are_refused_instead_of_overflowing(string parameter, string value, string blamed)
    {
        var funnel = QueryParsing.ParseFunnel(Get((parameter, value)), Now);
        var map = SegmentMapQueryParser.Parse(Get((parameter, value)), Now);

        Assert.Equal($"Invalid query parameter '{blamed}'", funnel.Error?.Title);
        Assert.Equal($"Invalid query parameter '{blamed}'", map.Error?.Title);
    }

    [Fact]
    public void A_window_near_the_edges_of_the_calendar_that_is_valid_is_answered_and_its_days_are_representable()
    {
        var early = SegmentMapQueryParser.Parse(Get(("to", "0001-01-05")), Now).Query!;
        Assert.Equal(DateTimeOffset.MinValue, early.From);
        Assert.Equal("00010101", early.FromDay);

        var late = SegmentMapQueryParser.Parse(Get(("to", "9999-12-30T12:00:00Z")), Now).Query!;
        Assert.Equal("99991231", late.ToDay);

        var funnel = QueryParsing.ParseFunnel(Get(("from", "0001-01-01"), ("to", "0001-01-02")), Now).Query!;
        Assert.Equal(TimeSpan.FromDays(1), funnel.To - funnel.From);
    }

    [Fact]
    public void Default_windows_are_the_documented_days_up_to_now()
    {
        var funnel = QueryParsing.ParseFunnel(Get(), Now).Query!;
        Assert.Equal((Now.AddDays(-30), Now), (funnel.From, funnel.To));

        var map = SegmentMapQueryParser.Parse(Get(), Now).Query!;
        Assert.Equal((Now.AddDays(-SegmentMapQueryParser.DefaultDays), Now), (map.From, map.To));
    }

    [Theory]
    [InlineData("source:nosuch")]
    [InlineData("source:hubspot-pull")]
    [InlineData("source:custom:")]
    public void A_segment_of_a_source_no_touchpoint_can_carry_is_refused(string segment)
    {
        var (query, error) = SegmentMapQueryParser.Parse(Get(("segment", segment)), Now);

        Assert.Null(query);
        Assert.Equal("Invalid query parameter 'segment'", error!.Title);
    }

    [Theory]
    [InlineData("source:Shopify", "source:shopify")]
    [InlineData("source:custom:contoso-pos", "source:custom:contoso-pos")]
    [InlineData("source:delighted", "source:delighted")]
    public void A_first_touch_source_segment_is_written_as_touchpoints_carry_the_source(string segment, string key)
    {
        var (query, error) = SegmentMapQueryParser.Parse(Get(("segment", segment)), Now);

        Assert.Null(error);
        Assert.Equal(key, query!.Segment.Key);
    }

    [Theory]
    [InlineData("email:jane+tag@example.com", "jane+tag@example.com")]
    [InlineData("email:jane tag@example.com", "jane+tag@example.com")]
    [InlineData(" email: Jane Tag@Example.com ", "jane+tag@example.com")]
    [InlineData("email: Maria.Lindqvist@Example.com ", "maria.lindqvist@example.com")]
    public void An_email_lookup_reads_an_unencoded_plus_as_a_plus_and_normalizes_as_on_ingestion(string text, string expected)
    {
        Assert.Equal(new Identity(IdentityTypes.Email, expected), QueryParsing.ParseIdentity(text));
    }

    [Theory]
    [InlineData("phone: 46 70 123 45 67", "+46701234567")]
    [InlineData("phone:+46701234567", "+46701234567")]
    public void A_phone_lookup_whose_plus_arrived_as_a_space_finds_the_same_number(string text, string expected)
    {
        Assert.Equal(new Identity(IdentityTypes.Phone, expected), QueryParsing.ParseIdentity(text));
    }

    [Theory]
    [InlineData("email:not an address")]
    [InlineData("hubspot:")]
    [InlineData("nosuchtype:1")]
    [InlineData("")]
    public void What_names_no_identity_stays_refused(string text)
    {
        Assert.Null(QueryParsing.ParseIdentity(text));
    }

    private static Func<string, string?> Get(params (string Name, string Value)[] values) =>
        name => values.Where(v => v.Name == name).Select(v => v.Value).FirstOrDefault();
}
