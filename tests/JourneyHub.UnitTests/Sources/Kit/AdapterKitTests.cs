using System.Text.Json;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Sources.Kit;

namespace JourneyHub.UnitTests.Sources.Kit;

public sealed class AdapterKitTests
{
    private static readonly DateTimeOffset At = new(2025, 3, 14, 14, 22, 0, TimeSpan.Zero);

    [Fact]
    public void The_factory_derives_id_kind_and_stage_from_the_rules_tables()
    {
        var touchpoint = new TouchpointFactory(SourceId.Parse("trustpilot")).Create("r1:service-review-created", At, Channel.Review, "review.posted", "5★", [new Identity("email", "a@example.com")]);

        Assert.Equal(TouchpointIds.For("trustpilot", "r1:service-review-created"), touchpoint.TouchpointId);
        Assert.Equal(TouchpointKind.Indirect, touchpoint.Kind);
        Assert.Equal(JourneyStage.Retention, touchpoint.Stage);
        Assert.Empty(touchpoint.Attributes);
        Assert.False(touchpoint.OccurredAtIsReceiptTime);
    }

    [Fact]
    public void Stage_and_kind_given_by_the_adapter_override_the_tables_and_the_receipt_time_mark_is_kept_out_of_the_json()
    {
        var touchpoint = new TouchpointFactory(SourceId.Parse("custom:pos")).Create("e1", At, Channel.Review, "review.posted", "s", [], stage: JourneyStage.Decision, kind: TouchpointKind.Direct, occurredAtIsReceiptTime: true);

        Assert.Equal(JourneyStage.Decision, touchpoint.Stage);
        Assert.Equal(TouchpointKind.Direct, touchpoint.Kind);
        Assert.True(touchpoint.OccurredAtIsReceiptTime);
        Assert.DoesNotContain("ReceiptTime", JsonSerializer.Serialize(touchpoint, JourneyJson.Options), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("hubspot", "2841953117-81273645012")]
    [InlineData("custom:café", "msg_ü🙂")]
    [InlineData("meta", null)]
    public void Touchpoint_ids_are_the_documented_hash_for_short_and_long_event_ids(string source, string? sourceEventId)
    {
        sourceEventId ??= new string('x', 3000);
        var expected = "tp_" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(source + "\n" + sourceEventId))[..12]);

        Assert.Equal(expected, TouchpointIds.For(source, sourceEventId));
    }

    [Fact]
    public void The_factorys_stage_is_the_rules_tables_answer_for_every_source_and_action_in_any_case()
    {
        var actions = JourneyRules.StageTable.Keys.Where(k => k.Signal.StartsWith("action:", StringComparison.Ordinal)).Select(k => k.Signal["action:".Length..]).Append("no.such_action").Distinct().ToList();
        var sources = JourneyRules.StageTable.Keys.Select(k => k.Source).Where(s => s != "*").Append("custom:pos").Append("hubspot-pull").Distinct().ToList();
        var checkedPairs = 0;
        foreach (var source in sources)
        {
            var factory = new TouchpointFactory(SourceId.Parse(source));
            foreach (var action in actions.SelectMany(a => new[] { a, a.ToUpperInvariant() }))
            {
                Assert.True(JourneyRules.StageForAction(source, action) == factory.Create("e1", At, Channel.Crm, action, "s", []).Stage, $"{source} {action}");
                checkedPairs++;
            }
        }

        Assert.True(checkedPairs > 500, $"only {checkedPairs} pairs");
    }

    [Fact]
    public void An_action_without_a_rule_has_no_stage()
    {
        Assert.Null(new TouchpointFactory(SourceId.Parse("hubspot")).Create("1-2", At, Channel.Crm, "contact.deleted", "s", []).Stage);
    }

    [Fact]
    public void Collect_keeps_good_entries_and_turns_each_bad_one_into_a_rejection_with_its_index()
    {
        var factory = new TouchpointFactory(SourceId.Parse("test"));
        string?[] entries = ["a", null, "b", "bad"];
        var described = new List<int>();

        var result = EntryCollector.Collect(
            entries,
            e => e is null ? AdapterOutcome.Fail("entry is null") : e == "bad" ? AdapterOutcome.Fail("not understood") : AdapterOutcome.Ok(factory.Create(e, At, Channel.Web, "page.viewed", e, [])),
            (i, e) =>
            {
                described.Add(i);
                return $"test entry {i} ({e ?? "?"})";
            });

        Assert.Equal(["a", "b"], result.Touchpoints.Select(t => t.SourceEventId));
        Assert.Equal([(1, "test entry 1 (?): entry is null"), (3, "test entry 3 (bad): not understood")], result.Rejected.Select(r => (r.EntryIndex!.Value, r.Reason)));
        Assert.Equal([1, 3], described);
    }

    [Fact]
    public void CollectMany_gives_every_outcome_of_an_entry_that_entrys_index()
    {
        var factory = new TouchpointFactory(SourceId.Parse("test"));
        var result = EntryCollector.CollectMany(
            ["x", "y"],
            e => [AdapterOutcome.Ok(factory.Create(e + ":1", At, Channel.Web, "page.viewed", e, [])), AdapterOutcome.Fail("second fact of " + e)],
            (i, e) => $"item {i} ({e})");

        Assert.Equal(["x:1", "y:1"], result.Touchpoints.Select(t => t.SourceEventId));
        Assert.Equal([(0, "item 0 (x): second fact of x"), (1, "item 1 (y): second fact of y")], result.Rejected.Select(r => (r.EntryIndex!.Value, r.Reason)));
    }

    [Fact]
    public void Attributes_skip_empty_values_replace_in_place_and_keep_their_order()
    {
        var attributes = new AttributeDictionary(2)
            .Set("b", "1")
            .AddIfPresent("empty", "")
            .AddIfPresent("none", null)
            .Set("a", "2")
            .Set("c", "3")
            .Set("b", "4");

        Assert.Equal([new("b", "4"), new("a", "2"), new KeyValuePair<string, string>("c", "3")], attributes);
        Assert.False(attributes.ContainsKey("empty"));
        Assert.Equal("""{"b":"4","a":"2","c":"3"}""", JsonSerializer.Serialize<IReadOnlyDictionary<string, string>>(attributes, JourneyJson.Options));
        var copy = attributes.Copy().Set("d", "5");
        Assert.Equal(3, attributes.Count);
        Assert.Equal(4, copy.Count);
    }

    [Fact]
    public void Many_attributes_are_found_through_the_index_and_still_replace_in_place()
    {
        var attributes = new AttributeDictionary();
        for (var i = 0; i < 100; i++)
        {
            attributes.Set("k" + i, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        attributes.Set("k3", "three");

        Assert.Equal(100, attributes.Count);
        Assert.Equal("three", attributes["k3"]);
        Assert.Equal("99", attributes["k99"]);
        Assert.Equal("k3", attributes.ElementAt(3).Key);
        Assert.Throws<KeyNotFoundException>(() => attributes["k100"]);
    }

    [Fact]
    public void Identities_are_added_normalized_once_and_unusable_values_are_skipped()
    {
        var identities = new List<Identity>();

        Assert.True(identities.AddIfPresent(IdentityTypes.Email, " Maria@Example.com "));
        Assert.True(identities.AddIfPresent(IdentityTypes.Email, "maria@example.com"));
        Assert.False(identities.AddIfPresent(IdentityTypes.Email, ""));
        Assert.False(identities.AddIfPresent(IdentityTypes.Email, null));

        Assert.Equal(["email:maria@example.com"], identities.Select(i => i.ToString()));
    }
}
