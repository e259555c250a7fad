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
/// Adds what HubSpot knows about a contact (e-mail, phone, name, lifecycle stage) to contact touchpoints,
/// so they meet the same person's e-mails, reviews and purchases. Skipped without an access token.
/// </summary>
public sealed partial class HubSpotContactEnricher(
    IHubSpotCrmApi api,
    IOptionsMonitor<HubSpotOptions> options,
    ILogger<HubSpotContactEnricher> logger) : ITouchpointEnricher
{
    private static readonly string[] Properties = ["email", "firstname", "lastname", "phone", "lifecyclestage"];

    public SourceId Source => SourceId.HubSpot;

    public async Task<IReadOnlyList<Touchpoint>> EnrichAsync(IReadOnlyList<Touchpoint> touchpoints, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(options.CurrentValue.AccessToken))
        {
            return touchpoints;
        }

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
                contacts[contactId] = contact = await FetchAsync(contactId, cancellationToken);
            }

            result.Add(contact is null ? touchpoint : Apply(touchpoint, contact));
        }

        return result;
    }

    internal static Touchpoint Apply(Touchpoint touchpoint, HubSpotContact contact)
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
        foreach (var name in (string[])["firstname", "lastname", "lifecyclestage"])
        {
            if (contact.Properties.GetValueOrDefault(name) is { Length: > 0 } value)
            {
                attributes.TryAdd(name, value);
            }
        }

        var stage = touchpoint.Stage;
        if (touchpoint.Action == "contact.created" && contact.Properties.GetValueOrDefault("lifecyclestage") is { Length: > 0 } lifecycle)
        {
            stage = JourneyRules.StageFor(SourceId.HubSpot.Name, "lifecycle:" + lifecycle) ?? stage;
        }

        return touchpoint with { Identities = identities, Attributes = attributes, Stage = stage };
    }

    private async Task<HubSpotContact?> FetchAsync(string contactId, CancellationToken cancellationToken)
    {
        try
        {
            return await api.GetContactAsync(contactId, Properties, cancellationToken);
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
