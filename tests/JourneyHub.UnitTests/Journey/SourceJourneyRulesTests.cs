using JourneyHub.Core.Journey;
using JourneyHub.Core.Schema;

namespace JourneyHub.UnitTests.Journey;

/// <summary>Every row of <see cref="JourneyRules"/>, written out once more so that a changed rule is a deliberate change.</summary>
public sealed class SourceJourneyRulesTests
{
    public static TheoryData<string, string, JourneyStage> Rows => new()
    {
        { "hubspot", "lifecycle:subscriber", JourneyStage.Awareness },
        { "hubspot", "lifecycle:lead", JourneyStage.Awareness },
        { "hubspot", "lifecycle:marketingqualifiedlead", JourneyStage.Consideration },
        { "hubspot", "lifecycle:salesqualifiedlead", JourneyStage.Consideration },
        { "hubspot", "lifecycle:opportunity", JourneyStage.Consideration },
        { "hubspot", "lifecycle:customer", JourneyStage.Decision },
        { "hubspot", "lifecycle:evangelist", JourneyStage.Retention },
        { "hubspot", "action:contact.created", JourneyStage.Awareness },
        { "hubspot", "action:deal.created", JourneyStage.Consideration },
        { "hubspot", "action:deal.stage_changed", JourneyStage.Consideration },
        { "hubspot", "action:deal.won", JourneyStage.Decision },
        { "hubspot", "action:meeting.booked", JourneyStage.Consideration },
        { "hubspot", "action:meeting.completed", JourneyStage.Consideration },
        { "hubspot", "action:ticket.created", JourneyStage.Retention },
        { "hubspot", "action:ticket.status_changed", JourneyStage.Retention },
        { "salesforce", "action:lead.created", JourneyStage.Awareness },
        { "salesforce", "action:lead.updated", JourneyStage.Awareness },
        { "salesforce", "action:lead.converted", JourneyStage.Consideration },
        { "salesforce", "action:contact.created", JourneyStage.Awareness },
        { "salesforce", "action:opportunity.updated", JourneyStage.Consideration },
        { "salesforce", "action:deal.won", JourneyStage.Decision },
        { "salesforce", "action:deal.lost", JourneyStage.Consideration },
        { "salesforce", "action:meeting.booked", JourneyStage.Consideration },
        { "salesforce", "action:case.opened", JourneyStage.Retention },
        { "meta", "action:comment.posted", JourneyStage.Awareness },
        { "meta", "action:mention.posted", JourneyStage.Awareness },
        { "meta", "action:message.received", JourneyStage.Consideration },
        { "meta", "action:post.published", JourneyStage.Awareness },
        { "instagram", "action:comment.posted", JourneyStage.Awareness },
        { "instagram", "action:mention.posted", JourneyStage.Awareness },
        { "instagram", "action:message.received", JourneyStage.Consideration },
        { "trustpilot", "action:review.posted", JourneyStage.Retention },
        { "trustpilot", "action:review.updated", JourneyStage.Retention },
        { "google", "action:review.posted", JourneyStage.Retention },
        { "google", "action:review.updated", JourneyStage.Retention },
        { "typeform", "action:survey.answered", JourneyStage.Retention },
        { "surveymonkey", "action:survey.answered", JourneyStage.Retention },
        { "delighted", "action:survey.answered", JourneyStage.Retention },
        { "delighted", "action:survey.commented", JourneyStage.Retention },
        { "delighted", "action:survey.unsubscribed", JourneyStage.Retention },
        { "shopify", "action:customer.created", JourneyStage.Awareness },
        { "shopify", "action:checkout.started", JourneyStage.Consideration },
        { "shopify", "action:order.placed", JourneyStage.Decision },
        { "shopify", "action:order.fulfilled", JourneyStage.Retention },
        { "shopify", "action:order.refunded", JourneyStage.Retention },
        { "zendesk", "action:ticket.created", JourneyStage.Retention },
        { "zendesk", "action:ticket.commented", JourneyStage.Retention },
        { "zendesk", "action:ticket.status_changed", JourneyStage.Retention },
        { "zendesk", "action:ticket.reopened", JourneyStage.Retention },
        { "zendesk", "action:ticket.rated", JourneyStage.Retention },
        { "intercom", "action:conversation.started", JourneyStage.Consideration },
        { "intercom", "action:conversation.rated", JourneyStage.Retention },
        { "*", "action:review.posted", JourneyStage.Retention },
        { "*", "action:survey.answered", JourneyStage.Retention },
        { "*", "action:purchase.completed", JourneyStage.Decision },
        { "*", "action:support.ticket", JourneyStage.Retention },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Each_rule_maps_its_signal_to_its_stage(string source, string signal, JourneyStage stage) =>
        Assert.Equal(stage, JourneyRules.StageFor(source, signal));

    [Fact]
    public void The_table_has_exactly_the_rows_tested_here() =>
        Assert.Equal(Rows.Count, JourneyRules.StageTable.Count);

    [Fact]
    public void The_read_once_stages_answer_as_the_table_read_row_by_row_for_every_source_signal_and_case()
    {
        // The table's meaning spelled out: the source's own row, else the "*" row, matched in lower case.
        static JourneyStage? FromTheTable(string source, string signal) =>
            JourneyRules.StageTable.TryGetValue((source, signal.ToLowerInvariant()), out var own) ? own
            : JourneyRules.StageTable.TryGetValue(("*", signal.ToLowerInvariant()), out var wildcard) ? wildcard
            : null;

        var signals = JourneyRules.StageTable.Keys.Select(k => k.Signal).Append("lifecycle:no-such-stage").Append("action:no.such_action").Append("nokind").Distinct().ToList();
        var sources = JourneyRules.StageTable.Keys.Select(k => k.Source).Append("custom:pos").Append("hubspot-pull").Distinct().ToList();
        static string KindOf(string signal) => signal[..(signal.IndexOf(':', StringComparison.Ordinal) + 1)];
        var kinds = signals.Select(KindOf).Distinct().ToList();
        Assert.Equal(["lifecycle:", "action:", ""], kinds);
        var withAStage = 0;
        foreach (var source in sources)
        {
            foreach (var kind in kinds)
            {
                var stages = JourneyRules.StagesOf(source, kind);
                foreach (var signal in signals.Where(s => KindOf(s) == kind).SelectMany(s => new[] { s, s.ToUpperInvariant() }))
                {
                    var expected = FromTheTable(source, signal);
                    Assert.True(expected == stages.StageOf(signal[kind.Length..]), $"StagesOf {source} {signal}");
                    Assert.True(expected == JourneyRules.StageFor(source, signal), $"StageFor {source} {signal}");
                    withAStage += expected is null ? 0 : 1;
                }
            }
        }

        Assert.True(withAStage > 2 * JourneyRules.StageTable.Count, $"only {withAStage} signals with a stage");
        Assert.Null(JourneyRules.StagesOf("hubspot", JourneyRules.LifecycleSignal).StageOf(null));
        Assert.Equal(JourneyStage.Decision, JourneyRules.StagesOf("hubspot", JourneyRules.LifecycleSignal).StageOf("Customer"));
        Assert.Equal(JourneyStage.Decision, JourneyRules.StagesOf("custom:pos", JourneyRules.ActionSignal).StageOf("purchase.completed"));
        Assert.Null(JourneyRules.StagesOf("custom:pos", JourneyRules.LifecycleSignal).StageOf("customer"));
    }

    [Theory]
    [InlineData("custom:contoso-pos", "purchase.completed", JourneyStage.Decision)]
    [InlineData("custom:contoso-survey", "survey.answered", JourneyStage.Retention)]
    [InlineData("custom:shop", "review.posted", JourneyStage.Retention)]
    public void Wildcard_rules_apply_to_any_source(string source, string action, JourneyStage stage) =>
        Assert.Equal(stage, JourneyRules.StageForAction(source, action));

    [Theory]
    [InlineData("salesforce", "contact.updated")]
    [InlineData("salesforce", "call.logged")]
    [InlineData("meta", "comment.removed")]
    [InlineData("trustpilot", "review.deleted")]
    [InlineData("custom:x", "page.viewed")]
    public void Signals_without_a_rule_have_no_stage(string source, string action) =>
        Assert.Null(JourneyRules.StageForAction(source, action));

    [Theory]
    [InlineData(Channel.Email, TouchpointKind.Direct)]
    [InlineData(Channel.Web, TouchpointKind.Direct)]
    [InlineData(Channel.Crm, TouchpointKind.Direct)]
    [InlineData(Channel.Phone, TouchpointKind.Direct)]
    [InlineData(Channel.Chat, TouchpointKind.Direct)]
    [InlineData(Channel.Meeting, TouchpointKind.Direct)]
    [InlineData(Channel.Survey, TouchpointKind.Direct)]
    [InlineData(Channel.InStore, TouchpointKind.Direct)]
    [InlineData(Channel.Ads, TouchpointKind.Direct)]
    [InlineData(Channel.Other, TouchpointKind.Direct)]
    [InlineData(Channel.Social, TouchpointKind.Indirect)]
    [InlineData(Channel.Review, TouchpointKind.Indirect)]
    public void Each_channel_has_its_kind(Channel channel, TouchpointKind kind) => Assert.Equal(kind, JourneyRules.KindFor(channel));
}
