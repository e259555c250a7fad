using JourneyHub.Core.Identities;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Sources.HubSpot;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Refit;

namespace JourneyHub.Azure.HubSpot;

/// <summary>
/// Adds what HubSpot knows about a contact (e-mail, phone, name, lifecycle stage, and the persona field the persona
/// rules name for HubSpot, <c>hs_persona</c> by default) to contact touchpoints, so they meet the same person's e-mails,
/// reviews and purchases and the customer gets its persona, after reading the objects that generic webhooks announce by
/// id (<see cref="HubSpotObjectReader"/>). Skipped without an access token.
/// </summary>
public sealed partial class HubSpotContactEnricher(
    IHubSpotApi api,
    HubSpotObjectReader objects,
    IOptionsMonitor<HubSpotOptions> options,
    IOptionsMonitor<PersonaOptions> personas,
    ILogger<HubSpotContactEnricher> logger) : ITouchpointEnricher
{
    private static readonly string[] Properties = ["email", "firstname", "lastname", "phone", "lifecyclestage"];

    /// <summary>The rules table's <c>lifecycle:</c> rows for HubSpot, read once: an enriched stage means what a webhook's does.</summary>
    private static readonly SignalStages LifecycleJourneyStages = JourneyRules.StagesOf(SourceId.HubSpot.Name, JourneyRules.LifecycleSignal);

    public SourceId Source => SourceId.HubSpot;

    public async Task<IReadOnlyList<Touchpoint>> EnrichAsync(IReadOnlyList<Touchpoint> touchpoints, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(options.CurrentValue.AccessToken))
        {
            return touchpoints;
        }

        // Generic object events (calls, meetings, tickets, feedback…) first become their contacts' touchpoints.
        touchpoints = await objects.ExpandAsync(touchpoints, cancellationToken);
        // Webhook events carry no persona: without the rules' field in this read, no HubSpot contact would ever get one.
        var personaField = personas.CurrentValue.FieldOf(SourceId.HubSpot.Name);
        string[] properties = personaField is null || Properties.Contains(personaField, StringComparer.Ordinal) ? Properties : [.. Properties, personaField];
        var contacts = new Dictionary<string, HubSpotContact?>(StringComparer.Ordinal);
        var result = new List<Touchpoint>(touchpoints.Count);
        foreach (var touchpoint in touchpoints)
        {
            var contactId = touchpoint.Identities.FirstOrDefault(i => i.Type == IdentityTypes.HubSpot)?.Value;
            if (contactId is null || touchpoint.Action is "contact.deleted" or "contact.merged")
            {
                result.Add(touchpoint);
                continue;
            }

            if (!contacts.TryGetValue(contactId, out var contact))
            {
                contacts[contactId] = contact = await FetchAsync(contactId, properties, cancellationToken);
            }

            result.Add(contact is null ? touchpoint : Apply(touchpoint, contact, personaField));
        }

        return result;
    }

    internal static Touchpoint Apply(Touchpoint touchpoint, HubSpotContact contact, string? personaField)
    {
        var identities = touchpoint.Identities.ToList();
        void Add(string type, string? value)
        {
            if (Identity.Create(type, value) is { } identity && !identities.Contains(identity))
            {
                identities.Add(identity);
            }
        }

        Add(IdentityTypes.Email, contact.Email);
        Add(IdentityTypes.Phone, contact.Properties.GetValueOrDefault("phone"));
        var attributes = new Dictionary<string, string>(touchpoint.Attributes, StringComparer.Ordinal);
        string[] copied = personaField is null ? ["firstname", "lastname", "lifecyclestage"] : ["firstname", "lastname", "lifecyclestage", personaField];
        foreach (var name in copied)
        {
            if (contact.Properties.GetValueOrDefault(name) is { Length: > 0 } value)
            {
                attributes.TryAdd(name, value);
            }
        }

        var stage = touchpoint.Stage;
        if (touchpoint.Action == "contact.created" && contact.Properties.GetValueOrDefault("lifecyclestage") is { Length: > 0 } lifecycle)
        {
            stage = LifecycleJourneyStages.StageOf(lifecycle) ?? stage;
        }

        return touchpoint with { Identities = identities, Attributes = attributes, Stage = stage };
    }

    private async Task<HubSpotContact?> FetchAsync(string contactId, IEnumerable<string> properties, CancellationToken cancellationToken)
    {
        try
        {
            return await api.GetContactAsync(contactId, properties, cancellationToken);
        }
        catch (ApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            // Deleted or merged away since the event: the payload's own identities will do.
            LogContactNotFound(contactId);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "HubSpot contact {ContactId} not found; storing the event without enrichment")]
    private partial void LogContactNotFound(string contactId);
}
