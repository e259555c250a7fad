using System.Collections.Frozen;
using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Journey;

/// <summary>
/// Every stage rule of every source in one table, so that marketing can read (and change) how a
/// source event maps to the awareness → consideration → decision → retention model.
/// </summary>
public static class JourneyRules
{
    /// <summary>The prefix of the signals that are a touchpoint's action (<c>action:deal.won</c>).</summary>
    public const string ActionSignal = "action:";

    /// <summary>The prefix of the signals that are a CRM lifecycle stage (<c>lifecycle:customer</c>).</summary>
    public const string LifecycleSignal = "lifecycle:";

    /// <summary>(source, signal) → stage. Signals are lower-case: lifecycle stages, deal stages, sObject states, actions.</summary>
    public static IReadOnlyDictionary<(string Source, string Signal), JourneyStage> StageTable { get; } =
        new Dictionary<(string, string), JourneyStage>
        {
            // HubSpot lifecycle stages (contact property `lifecyclestage`).
            [("hubspot", "lifecycle:subscriber")] = JourneyStage.Awareness,
            [("hubspot", "lifecycle:lead")] = JourneyStage.Awareness,
            [("hubspot", "lifecycle:marketingqualifiedlead")] = JourneyStage.Consideration,
            [("hubspot", "lifecycle:salesqualifiedlead")] = JourneyStage.Consideration,
            [("hubspot", "lifecycle:opportunity")] = JourneyStage.Consideration,
            [("hubspot", "lifecycle:customer")] = JourneyStage.Decision,
            [("hubspot", "lifecycle:evangelist")] = JourneyStage.Retention,
            // HubSpot deals.
            [("hubspot", "action:contact.created")] = JourneyStage.Awareness,
            [("hubspot", "action:deal.created")] = JourneyStage.Consideration,
            [("hubspot", "action:deal.stage_changed")] = JourneyStage.Consideration,
            [("hubspot", "action:deal.won")] = JourneyStage.Decision,
            [("hubspot", "action:meeting.booked")] = JourneyStage.Consideration,
            [("hubspot", "action:meeting.completed")] = JourneyStage.Consideration,
            [("hubspot", "action:ticket.created")] = JourneyStage.Retention,
            [("hubspot", "action:ticket.status_changed")] = JourneyStage.Retention,
            // Salesforce records.
            [("salesforce", "action:lead.created")] = JourneyStage.Awareness,
            [("salesforce", "action:lead.updated")] = JourneyStage.Awareness,
            [("salesforce", "action:lead.converted")] = JourneyStage.Consideration,
            [("salesforce", "action:contact.created")] = JourneyStage.Awareness,
            [("salesforce", "action:opportunity.updated")] = JourneyStage.Consideration,
            [("salesforce", "action:deal.won")] = JourneyStage.Decision,
            [("salesforce", "action:deal.lost")] = JourneyStage.Consideration, // they weighed it and said no: not a decision to buy
            [("salesforce", "action:meeting.booked")] = JourneyStage.Consideration,
            [("salesforce", "action:case.opened")] = JourneyStage.Retention,
            // Social mentions and comments are discovery; a direct message is a question before buying.
            [("meta", "action:comment.posted")] = JourneyStage.Awareness,
            [("meta", "action:mention.posted")] = JourneyStage.Awareness,
            [("meta", "action:message.received")] = JourneyStage.Consideration,
            [("meta", "action:post.published")] = JourneyStage.Awareness,
            [("instagram", "action:comment.posted")] = JourneyStage.Awareness,
            [("instagram", "action:mention.posted")] = JourneyStage.Awareness,
            [("instagram", "action:message.received")] = JourneyStage.Consideration,
            // Reviews and surveys come after a purchase.
            [("trustpilot", "action:review.posted")] = JourneyStage.Retention,
            [("trustpilot", "action:review.updated")] = JourneyStage.Retention,
            [("google", "action:review.posted")] = JourneyStage.Retention,
            [("google", "action:review.updated")] = JourneyStage.Retention,
            // Survey tools: answers, late comments and opting out of surveys come after a purchase.
            [("typeform", "action:survey.answered")] = JourneyStage.Retention,
            [("surveymonkey", "action:survey.answered")] = JourneyStage.Retention,
            [("delighted", "action:survey.answered")] = JourneyStage.Retention,
            [("delighted", "action:survey.commented")] = JourneyStage.Retention,
            [("delighted", "action:survey.unsubscribed")] = JourneyStage.Retention,
            // Shopify: an account, a cart, an order, and what happens after it.
            [("shopify", "action:customer.created")] = JourneyStage.Awareness,
            [("shopify", "action:checkout.started")] = JourneyStage.Consideration,
            [("shopify", "action:order.placed")] = JourneyStage.Decision,
            [("shopify", "action:order.fulfilled")] = JourneyStage.Retention,
            [("shopify", "action:order.refunded")] = JourneyStage.Retention,
            // Support desks: tickets and their ratings are after-sales care.
            [("zendesk", "action:ticket.created")] = JourneyStage.Retention,
            [("zendesk", "action:ticket.commented")] = JourneyStage.Retention,
            [("zendesk", "action:ticket.status_changed")] = JourneyStage.Retention,
            [("zendesk", "action:ticket.reopened")] = JourneyStage.Retention,
            [("zendesk", "action:ticket.rated")] = JourneyStage.Retention,
            // Intercom chats start before or after a sale: opening one is a question (like a direct message), a rating is care.
            [("intercom", "action:conversation.started")] = JourneyStage.Consideration,
            [("intercom", "action:conversation.rated")] = JourneyStage.Retention,
            // Any source (custom:<name> included) unless a row above says otherwise.
            [("*", "action:review.posted")] = JourneyStage.Retention,
            [("*", "action:survey.answered")] = JourneyStage.Retention,
            [("*", "action:purchase.completed")] = JourneyStage.Decision,
            [("*", "action:support.ticket")] = JourneyStage.Retention,
        };

    /// <summary>
    /// (source, action) pairs that open a new buying cycle for someone who has bought before: a new deal or
    /// opportunity. After the first purchase everything is retention, except from such a touchpoint until the next
    /// decision (see <see cref="JourneyPlacement"/>). "*" applies to every source without a row of its own.
    /// </summary>
    public static IReadOnlySet<(string Source, string Action)> CycleOpenerTable { get; } = new HashSet<(string, string)>
    {
        ("hubspot", "deal.created"),
        ("*", "deal.created"),
        ("*", "opportunity.created"),
    };

    public static bool OpensCycle(string source, string action) =>
        CycleOpenerTable.Contains((source, action)) || CycleOpenerTable.Contains(("*", action));

    /// <summary>Channel → direct/indirect: the customer dealt with the brand, or spoke about it elsewhere.</summary>
    public static IReadOnlyDictionary<Channel, TouchpointKind> KindTable { get; } = new Dictionary<Channel, TouchpointKind>
    {
        [Channel.Email] = TouchpointKind.Direct,
        [Channel.Web] = TouchpointKind.Direct,
        [Channel.Crm] = TouchpointKind.Direct,
        [Channel.Phone] = TouchpointKind.Direct,
        [Channel.Chat] = TouchpointKind.Direct,
        [Channel.Meeting] = TouchpointKind.Direct,
        [Channel.Survey] = TouchpointKind.Direct,
        [Channel.InStore] = TouchpointKind.Direct,
        [Channel.Ads] = TouchpointKind.Direct,
        [Channel.Social] = TouchpointKind.Indirect,
        [Channel.Review] = TouchpointKind.Indirect,
        [Channel.Other] = TouchpointKind.Direct,
    };

    /// <summary>
    /// <see cref="StageTable"/> as one <see cref="SignalStages"/> per (source, kind of signal), the source's rows over the "*" rows.
    /// Declared after <see cref="StageTable"/>: static initializers run in declaration order.
    /// </summary>
    private static readonly FrozenDictionary<(string Source, string Kind), SignalStages> StagesBySourceAndKind = BuildStagesBySourceAndKind();

    /// <summary>
    /// The stages of <paramref name="source"/>'s signals of one kind (<see cref="ActionSignal"/>, <see cref="LifecycleSignal"/>):
    /// the one reading of <see cref="StageTable"/> that <see cref="StageFor"/> and the adapters share. A source without rows of
    /// its own (every custom source) gets the "*" rows; a kind no row has, no stages. Read it once and keep it.
    /// </summary>
    public static SignalStages StagesOf(string source, string signalKind)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(signalKind);
        return StagesBySourceAndKind.GetValueOrDefault((source, signalKind))
            ?? StagesBySourceAndKind.GetValueOrDefault(("*", signalKind))
            ?? SignalStages.None;
    }

    /// <summary>The stage of a signal (<c>kind:value</c>, any case) from <paramref name="source"/>, through <see cref="StagesOf"/>.</summary>
    public static JourneyStage? StageFor(string source, string signal)
    {
        ArgumentNullException.ThrowIfNull(signal);
        var lowerSignal = signal.ToLowerInvariant();
        var kindLength = lowerSignal.IndexOf(':', StringComparison.Ordinal) + 1;
        return StagesOf(source, lowerSignal[..kindLength]).StageOf(lowerSignal[kindLength..]);
    }

    public static JourneyStage? StageForAction(string source, string action) => StagesOf(source, ActionSignal).StageOf(action);

    public static TouchpointKind KindFor(Channel channel) => KindTable[channel];

    private static FrozenDictionary<(string Source, string Kind), SignalStages> BuildStagesBySourceAndKind()
    {
        static string KindOf(string signal) => signal[..(signal.IndexOf(':', StringComparison.Ordinal) + 1)];

        var result = new Dictionary<(string Source, string Kind), SignalStages>();
        foreach (var (source, kind) in StageTable.Keys.Select(key => (key.Source, KindOf(key.Signal))).Distinct())
        {
            var stagesByValue = new Dictionary<string, JourneyStage>(StringComparer.Ordinal);
            foreach (var rowSource in source == "*" ? ["*"] : new[] { "*", source })
            {
                foreach (var ((rowOwner, signal), stage) in StageTable)
                {
                    if (rowOwner == rowSource && KindOf(signal) == kind)
                    {
                        stagesByValue[signal[kind.Length..]] = stage;
                    }
                }
            }

            result[(source, kind)] = new SignalStages(stagesByValue.ToFrozenDictionary(StringComparer.Ordinal));
        }

        return result.ToFrozenDictionary();
    }
}
