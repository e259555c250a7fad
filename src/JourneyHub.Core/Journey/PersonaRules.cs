using JourneyHub.Core.Schema;
using Microsoft.Extensions.Options;

namespace JourneyHub.Core.Journey;

/// <summary>
/// The persona rules table (settings section <c>Journeys:Personas</c>): which field of which source names a customer's
/// persona, and optional display names for the raw values. A touchpoint that already carries <c>attributes.persona</c>
/// (a custom source sets it directly) keeps it. Example:
/// <code>
/// Journeys__Personas__Fields__hubspot=hs_persona
/// Journeys__Personas__Fields__salesforce=Persona__c
/// Journeys__Personas__Names__persona_1=Bargain hunter
/// </code>
/// </summary>
public sealed class PersonaOptions
{
    public const string Section = "Journeys:Personas";

    /// <summary>Source → the touchpoint attribute that holds the persona there. HubSpot's own property is the default.</summary>
    public Dictionary<string, string> Fields { get; init; } = new(StringComparer.Ordinal) { ["hubspot"] = "hs_persona" };

    /// <summary>Raw value → persona name (HubSpot stores "persona_1" where people read "Bargain hunter").</summary>
    public Dictionary<string, string> Names { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The field the rules read for <paramref name="source"/>, or null: what an enricher or pull must ask that source for.</summary>
    public string? FieldOf(string source) =>
        Fields.TryGetValue(source, out var field) && field.Trim() is { Length: > 0 } name ? name : null;
}

/// <summary>Stamps <c>attributes.persona</c> from the source field the rules name; the summary keeps the latest value by occurredAt.</summary>
public sealed class PersonaRules(IOptionsMonitor<PersonaOptions> options)
{
    public Touchpoint Stamp(Touchpoint touchpoint)
    {
        ArgumentNullException.ThrowIfNull(touchpoint);
        var rules = options.CurrentValue;
        if (touchpoint.Attributes.ContainsKey(JourneyState.PersonaAttribute)
            || rules.FieldOf(touchpoint.Source) is not { } field
            || !touchpoint.Attributes.TryGetValue(field, out var raw)
            || raw.Trim() is not { Length: > 0 } value)
        {
            return touchpoint;
        }

        var attributes = new Dictionary<string, string>(touchpoint.Attributes, StringComparer.Ordinal)
        {
            [JourneyState.PersonaAttribute] = rules.Names.TryGetValue(value, out var name) ? name : value,
        };
        return touchpoint with { Attributes = attributes };
    }
}
