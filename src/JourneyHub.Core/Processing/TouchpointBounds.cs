using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Processing;

/// <summary>
/// The sizes a sender can push into a stored touchpoint, bounded in one place for every source (webhooks, pulls and what
/// enrichment adds). A stored row keeps its touchpoint as one JSON property of at most 64 KiB (32,768 UTF-16 characters),
/// and the summary row and the segment aggregates copy actions and identities, so without bounds one oversized value
/// would fail the write of that event on every retry and then be dead-lettered, or grow a customer's summary until every
/// later event of that customer failed. Past a bound the value is truncated as documented here (and in the README's
/// schema section); the touchpoint id is derived from the full source event id before this runs, so truncation never
/// makes two events one.
/// </summary>
public static class TouchpointBounds
{
    /// <summary>An action is a short dotted verb; anything longer is a sender's mistake or an attack.</summary>
    public const int MaxActionChars = 100;

    /// <summary>The one-line summary shown on the timeline.</summary>
    public const int MaxSummaryChars = 500;

    /// <summary>The source's event id as displayed (the touchpoint id already hashes the full value).</summary>
    public const int MaxSourceEventIdChars = 512;

    /// <summary>Identities per touchpoint; the first ones the adapter listed (e-mail and the source's own id come first) are kept.</summary>
    public const int MaxIdentities = 20;

    /// <summary>An identity value longer than this names nobody (the normalizer's limit, applied again to enriched identities).</summary>
    public const int MaxIdentityValueChars = Identities.IdentityNormalizer.MaxValueChars;

    /// <summary>Attributes per touchpoint: the first ones in the adapter's order are kept.</summary>
    public const int MaxAttributes = 50;

    /// <summary>An attribute name longer than this is dropped with its value (names are keys, not content).</summary>
    public const int MaxAttributeNameChars = 128;

    /// <summary>An attribute value longer than this is cut, ending in an ellipsis.</summary>
    public const int MaxAttributeValueChars = 2_000;

    /// <summary>All attribute names and values together; attributes past it are dropped.</summary>
    public const int MaxAttributeTotalChars = 16_000;

    /// <summary>A survey answer's free-text comment.</summary>
    public const int MaxCommentChars = 2_000;

    /// <summary>The hub's own attribute: the correlation id of the delivery, kept whatever the sender filled the rest with.</summary>
    public const string CorrelationIdAttribute = "correlationId";

    /// <summary>The touchpoint within every bound; the same instance when nothing had to change.</summary>
    public static Touchpoint Apply(Touchpoint touchpoint)
    {
        ArgumentNullException.ThrowIfNull(touchpoint);
        var identities = BoundIdentities(touchpoint.Identities);
        var attributes = BoundAttributes(touchpoint.Attributes);
        var survey = touchpoint.Survey is { Comment.Length: > MaxCommentChars } answer ? answer with { Comment = Cut(answer.Comment, MaxCommentChars) } : touchpoint.Survey;
        if (touchpoint.Action.Length <= MaxActionChars
            && touchpoint.Summary.Length <= MaxSummaryChars
            && touchpoint.SourceEventId.Length <= MaxSourceEventIdChars
            && ReferenceEquals(identities, touchpoint.Identities)
            && ReferenceEquals(attributes, touchpoint.Attributes)
            && ReferenceEquals(survey, touchpoint.Survey))
        {
            return touchpoint;
        }

        return touchpoint with
        {
            Action = Cut(touchpoint.Action, MaxActionChars),
            Summary = Cut(touchpoint.Summary, MaxSummaryChars),
            SourceEventId = Cut(touchpoint.SourceEventId, MaxSourceEventIdChars),
            Identities = identities,
            Attributes = attributes,
            Survey = survey,
        };
    }

    private static IReadOnlyList<Identity> BoundIdentities(IReadOnlyList<Identity> identities)
    {
        if (identities.Count <= MaxIdentities && identities.All(i => i.Value.Length <= MaxIdentityValueChars))
        {
            return identities;
        }

        return [.. identities.Where(i => i.Value.Length <= MaxIdentityValueChars).Take(MaxIdentities)];
    }

    private static IReadOnlyDictionary<string, string> BoundAttributes(IReadOnlyDictionary<string, string> attributes)
    {
        var total = 0;
        var fits = attributes.Count - (attributes.ContainsKey(CorrelationIdAttribute) ? 1 : 0) <= MaxAttributes;
        foreach (var (name, value) in attributes)
        {
            total += name.Length + value.Length;
            fits &= name.Length <= MaxAttributeNameChars && value.Length <= MaxAttributeValueChars;
        }

        if (fits && total <= MaxAttributeTotalChars)
        {
            return attributes;
        }

        var bounded = new Dictionary<string, string>(StringComparer.Ordinal);
        if (attributes.TryGetValue(CorrelationIdAttribute, out var correlationId))
        {
            bounded[CorrelationIdAttribute] = Cut(correlationId, MaxAttributeValueChars);
        }

        total = 0;
        var kept = 0;
        foreach (var (name, value) in attributes)
        {
            if (name == CorrelationIdAttribute)
            {
                continue;
            }

            if (name.Length > MaxAttributeNameChars)
            {
                continue;
            }

            var cut = Cut(value, MaxAttributeValueChars);
            if (kept == MaxAttributes || total + name.Length + cut.Length > MaxAttributeTotalChars)
            {
                break;
            }

            bounded[name] = cut;
            total += name.Length + cut.Length;
            kept++;
        }

        return bounded;
    }

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
