using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Journey;

/// <summary>
/// The journey stage a customer was in when each touchpoint happened, decided from the summary alone so that a late
/// event moves the boundaries without rewriting a row:
/// <list type="bullet">
/// <item>up to the first purchase (first time in <c>decision</c>): the furthest of awareness and consideration reached
/// so far, awareness when none; the purchase instant itself is <c>decision</c>;</item>
/// <item>after it: <c>retention</c>, unless a touchpoint that opens a new cycle (<see cref="JourneyRules.OpensCycle"/>:
/// a new deal or opportunity) came since; then <c>consideration</c> until the next decision-stage touchpoint, which is
/// <c>decision</c>, and retention again after it.</item>
/// </list>
/// Touchpoints at the same instant always share a stage, so arrival order never matters. Touches folded out of the
/// summary's window (<see cref="JourneyState.MaxTouches"/>) keep the stage they had when they left it.
/// </summary>
public sealed class JourneyPlacement
{
    private readonly DateTimeOffset? decisionAt;
    private readonly DateTimeOffset? considerationAt;
    private readonly List<(long Ticks, bool Opens, bool Decides)> afterDecision;

    private JourneyPlacement(JourneyState state)
    {
        decisionAt = state.Stages.TryGetValue(JourneyStage.Decision, out var decision) ? decision.First : null;
        considerationAt = state.Stages.TryGetValue(JourneyStage.Consideration, out var consideration) ? consideration.First : null;
        afterDecision = decisionAt is not { } d
            ? []
            : state.Touches
                .Where(t => t.At > d && (t.OpensCycle || t.Stage == JourneyStage.Decision))
                .GroupBy(t => t.At.UtcTicks)
                .Select(g => (g.Key, g.Any(t => t.OpensCycle), g.Any(t => t.Stage == JourneyStage.Decision)))
                .OrderBy(g => g.Key)
                .ToList();

        var stages = new Dictionary<JourneyStage, StageFacts>(state.FoldedTouches);
        foreach (var touch in state.Touches)
        {
            var stage = StageAt(touch.At);
            stages[stage] = (stages.GetValueOrDefault(stage) ?? new StageFacts()).Add(touch);
        }

        Stages = stages;
        Current = state.LastTouchAt is { } last ? StageAt(last) : null;
    }

    /// <summary>What the customer did in each journey stage it reached (a stage is reached when a touchpoint was placed in it).</summary>
    public IReadOnlyDictionary<JourneyStage, StageFacts> Stages { get; }

    /// <summary>The stage of the customer's latest touchpoint: where the customer is now.</summary>
    public JourneyStage? Current { get; }

    public static JourneyPlacement Of(JourneyState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new JourneyPlacement(state);
    }

    public JourneyStage StageAt(DateTimeOffset at)
    {
        if (decisionAt is not { } d || at < d)
        {
            return considerationAt is { } c && c <= at ? JourneyStage.Consideration : JourneyStage.Awareness;
        }

        if (at == d)
        {
            return JourneyStage.Decision;
        }

        var ticks = at.UtcTicks;
        var stage = JourneyStage.Retention;
        foreach (var (groupTicks, opens, decides) in afterDecision)
        {
            if (groupTicks > ticks)
            {
                break;
            }

            if (opens)
            {
                stage = JourneyStage.Consideration;
            }

            if (decides && stage == JourneyStage.Consideration)
            {
                if (groupTicks == ticks)
                {
                    return JourneyStage.Decision;
                }

                stage = JourneyStage.Retention;
            }
        }

        return stage;
    }
}
