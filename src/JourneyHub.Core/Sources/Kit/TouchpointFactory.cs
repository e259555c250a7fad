using JourneyHub.Core.Journey;
using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Sources.Kit;

/// <summary>
/// The adapter kit: what every source adapter needs to turn a vendor payload into <see cref="Touchpoint"/>s, so an adapter
/// holds only what is particular to its vendor.
/// <para><b>Adding a source</b> (Shopify, Zendesk, …), in <c>Sources/&lt;Vendor&gt;/</c>:</para>
/// <list type="number">
/// <item><c>&lt;Vendor&gt;Wire.cs</c>: the vendor's payload as records (only the fields used) and a source-generated
///   <c>JsonSerializerContext</c>. Deserialize the body once, straight from <c>payload.Body.Span</c>.</item>
/// <item><c>&lt;Vendor&gt;Adapter.cs</c>: an <see cref="Ingestion.ISourceAdapter"/> whose <c>Normalize</c> deserializes, returns
///   <see cref="Ingestion.NormalizationResult.Failed"/> when the body as a whole is unreadable, and otherwise hands the list of
///   events to <see cref="EntryCollector.Collect{TEntry}"/> with a <c>Map</c> function: one event → one
///   <see cref="AdapterOutcome"/> (<see cref="AdapterOutcome.Fail"/> with a reason an operator understands, or
///   <see cref="AdapterOutcome.Ok"/>). A failed entry becomes a dead letter with its index; the others are kept.</item>
/// <item>In <c>Map</c>: read the person (<see cref="IdentityListExtensions.AddIfPresent"/>: e-mail, phone, the vendor's own
///   id type from <see cref="Identities.IdentityTypes"/>), the attributes (<see cref="AttributeDictionary"/>, built once,
///   <see cref="AttributeDictionary.AddIfPresent"/> skips empty values), and call <see cref="Create"/> with the
///   <c>sourceEventId</c> (stable across the vendor's retries: it is what makes redelivery idempotent), the time, channel,
///   action and a one-line summary (<see cref="AdapterText.Clip"/> for quoted text). The factory derives the touchpoint id,
///   the direct/indirect kind (<see cref="JourneyRules.KindTable"/>) and the stage (<see cref="JourneyRules.StageTable"/>:
///   add a row there for a new action rather than hard-coding a stage). Pass <c>stage</c> or <c>kind</c> only to override
///   the tables, and <c>occurredAtIsReceiptTime: true</c> when the event carries no time of its own.</item>
/// <item>Register the adapter (and its webhook verifier) in <c>SourceRegistration</c>, and add golden payloads and a test.</item>
/// </list>
/// </summary>
public sealed class TouchpointFactory(SourceId source)
{
    public SourceId Source { get; } = source == default ? throw new ArgumentException("A source is required.", nameof(source)) : source;

    // Read once per factory: a touchpoint's stage is then one ordinal lookup of its action.
    private readonly SignalStages actionStages = JourneyRules.StagesOf(source.Name, JourneyRules.ActionSignal);

    /// <param name="sourceEventId">The vendor's id of this fact; hashed with the source into the touchpoint id.</param>
    /// <param name="occurredAt">When it happened according to the vendor.</param>
    /// <param name="channel">Where it happened; decides <see cref="TouchpointKind"/> unless <paramref name="kind"/> is given.</param>
    /// <param name="action">A dotted verb (<c>review.posted</c>); with the source it picks the stage from the rules table.</param>
    /// <param name="summary">One human-readable line for the timeline.</param>
    /// <param name="identities">The one person this touchpoint belongs to, in every id the payload names.</param>
    /// <param name="attributes">Vendor facts worth keeping; null for none.</param>
    /// <param name="stage">Overrides the rules table (a stage the sender stated, or one read from another signal).</param>
    /// <param name="kind">Overrides the channel's kind.</param>
    /// <param name="occurredAtIsReceiptTime">The event has no time of its own and <paramref name="occurredAt"/> is the receipt time.</param>
    public Touchpoint Create(
        string sourceEventId,
        DateTimeOffset occurredAt,
        Channel channel,
        string action,
        string summary,
        IReadOnlyList<Identity> identities,
        IReadOnlyDictionary<string, string>? attributes = null,
        JourneyStage? stage = null,
        TouchpointKind? kind = null,
        Sentiment? sentiment = null,
        Rating? rating = null,
        SurveyAnswer? survey = null,
        bool occurredAtIsReceiptTime = false) => new()
        {
            TouchpointId = TouchpointIds.For(Source.Name, sourceEventId),
            Source = Source.Name,
            SourceEventId = sourceEventId,
            OccurredAt = occurredAt,
            OccurredAtIsReceiptTime = occurredAtIsReceiptTime,
            Channel = channel,
            Kind = kind ?? JourneyRules.KindFor(channel),
            Stage = stage ?? actionStages.StageOf(action),
            Action = action,
            Summary = summary,
            Sentiment = sentiment,
            Rating = rating,
            Survey = survey,
            Identities = identities,
            Attributes = attributes ?? AttributeDictionary.Empty,
        };
}
