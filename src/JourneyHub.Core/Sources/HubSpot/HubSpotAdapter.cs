using System.Globalization;
using System.Text.Json;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources.Kit;

namespace JourneyHub.Core.Sources.HubSpot;

/// <summary>HubSpot Webhooks API: a JSON array of up to 100 events. Unknown events are rejected one by one, never the batch.</summary>
public sealed class HubSpotAdapter : ISourceAdapter
{
    private static readonly TouchpointFactory Touchpoints = new(SourceId.HubSpot);

    /// <summary>The rules table's <c>lifecycle:</c> rows for HubSpot, read once.</summary>
    private static readonly SignalStages LifecycleStages = JourneyRules.StagesOf(SourceId.HubSpot.Name, JourneyRules.LifecycleSignal);

    public SourceId Source => SourceId.HubSpot;

    public NormalizationResult Normalize(RawPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        HubSpotEvent?[]? events;
        try
        {
            events = JsonSerializer.Deserialize(payload.Body.Span, HubSpotJsonContext.Default.HubSpotEventArray);
        }
        catch (JsonException ex)
        {
            return NormalizationResult.Failed($"HubSpot payload is not a JSON array of events: {ex.Message}");
        }

        if (events is null)
        {
            return NormalizationResult.Failed("HubSpot payload is JSON null, not an array of events.");
        }

        return EntryCollector.Collect(
            events,
            static e => e is null ? AdapterOutcome.Fail("event is null") : Map(e),
            static (i, e) => $"HubSpot event {i} ({e?.SubscriptionType ?? "?"})");
    }

    private static AdapterOutcome Map(HubSpotEvent e)
    {
        if (e.EventId is null || e.OccurredAt is null || string.IsNullOrEmpty(e.SubscriptionType))
        {
            return AdapterOutcome.Fail("eventId, occurredAt and subscriptionType are required", ContactOf(e));
        }

        if (e.SubscriptionType.StartsWith("object.", StringComparison.Ordinal))
        {
            // Generic subscriptions: contacts and deals mean what their legacy events mean; engagements wait for their object.
            if (HubSpotObjects.LegacySubscriptionType(e) is not { } legacy)
            {
                return HubSpotObjects.Pending(e);
            }

            e = e with { SubscriptionType = legacy };
        }

        var objectId = e.ObjectId ?? e.FromObjectId;

        // The event's own object id names its contact or deal and becomes the objectId attribute: formatted once for both.
        var ownId = Text(e.ObjectId);
        var identities = new List<Identity>(2);

        // Room for the common three, the event's own one or two and objectId: no resize for the usual event.
        var attributes = new AttributeDictionary(6)
            .Set("subscriptionType", e.SubscriptionType)
            .Set("portalId", Text(e.PortalId))
            .AddIfPresent("changeSource", e.ChangeSource);

        string action;
        string summary;
        JourneyStage? stage = null;
        var channel = Channel.Crm;
        switch (e.SubscriptionType)
        {
            case "contact.creation":
                AddContact(identities, ownId);
                action = "contact.created";
                channel = e.ChangeSource == "FORM" ? Channel.Web : Channel.Crm;
                summary = channel == Channel.Web ? "Signed up through a HubSpot form" : "Contact created in HubSpot";
                break;
            case "contact.propertyChange" when e.PropertyName == "lifecyclestage":
                AddContact(identities, ownId);
                action = "lifecycle.changed";
                stage = LifecycleStages.StageOf(e.PropertyValue);
                summary = $"Lifecycle stage changed to {e.PropertyValue}";
                attributes["lifecyclestage"] = e.PropertyValue ?? "";
                break;
            case "contact.propertyChange":
                AddContact(identities, ownId);
                if (e.PropertyName == "email")
                {
                    identities.AddIfPresent(IdentityTypes.Email, e.PropertyValue);
                }
                else if (e.PropertyName is "phone" or "mobilephone")
                {
                    identities.AddIfPresent(IdentityTypes.Phone, e.PropertyValue);
                }

                action = "contact.updated";
                summary = $"Contact property {e.PropertyName} changed";
                attributes["propertyName"] = e.PropertyName ?? "";
                break;
            case "contact.deletion":
                AddContact(identities, ownId);
                action = "contact.deleted";
                summary = "Contact deleted in HubSpot";
                break;
            case "contact.merge":
                AddContact(identities, Text(e.PrimaryObjectId ?? e.ObjectId));
                foreach (var merged in e.MergedObjectIds ?? [])
                {
                    AddContact(identities, Text(merged));
                }

                action = "contact.merged";
                summary = $"Merged {e.MergedObjectIds?.Length ?? 0} HubSpot contact(s) into {e.PrimaryObjectId ?? e.ObjectId}";
                attributes["mergedObjectIds"] = string.Join(',', (e.MergedObjectIds ?? []).Select(id => Text(id)));
                break;
            case "contact.associationChange":
                AddContact(identities, Text(e.FromObjectId));
                if (e.AssociationType == "CONTACT_TO_DEAL")
                {
                    AddDeal(identities, Text(e.ToObjectId));
                }

                action = e.AssociationRemoved == true ? "association.removed" : "association.added";
                summary = $"{e.AssociationType} association {(e.AssociationRemoved == true ? "removed" : "added")}";
                attributes["associationType"] = e.AssociationType ?? "";
                attributes["toObjectId"] = Text(e.ToObjectId);

                // The contact and the deal on one touchpoint record their association; removed, it ends (Identities.ObjectAttribution).
                attributes.AddIfPresent(ObjectAttribution.AssociationRemovedAttribute, e.AssociationRemoved == true ? "true" : null);
                break;
            case "deal.creation":
                AddDeal(identities, ownId);
                action = "deal.created";
                summary = $"Deal {e.ObjectId} created";
                break;
            case "deal.propertyChange" when e.PropertyName == "dealstage":
                AddDeal(identities, ownId);
                (action, summary) = e.PropertyValue switch
                {
                    "closedwon" => ("deal.won", $"Deal {e.ObjectId} won"),
                    "closedlost" => ("deal.lost", $"Deal {e.ObjectId} lost"),
                    _ => ("deal.stage_changed", $"Deal {e.ObjectId} moved to {e.PropertyValue}"),
                };
                attributes["dealstage"] = e.PropertyValue ?? "";
                break;
            case "deal.propertyChange":
                AddDeal(identities, ownId);
                action = "deal.updated";
                summary = $"Deal {e.ObjectId} property {e.PropertyName} changed";
                attributes["propertyName"] = e.PropertyName ?? "";
                break;
            case "deal.deletion":
                AddDeal(identities, ownId);
                action = "deal.deleted";
                summary = $"Deal {e.ObjectId} deleted";
                break;
            default:
                return AdapterOutcome.Fail($"unknown subscriptionType '{e.SubscriptionType}'", ContactOf(e));
        }

        if (objectId is null)
        {
            return AdapterOutcome.Fail("objectId is required");
        }

        var objectIdText = e.ObjectId is not null ? ownId : Text(objectId);
        attributes["objectId"] = objectIdText;
        return AdapterOutcome.Ok(Touchpoints.Create(
            sourceEventId: string.Create(CultureInfo.InvariantCulture, $"{e.EventId.Value}-{objectIdText}"),
            occurredAt: DateTimeOffset.FromUnixTimeMilliseconds(e.OccurredAt.Value),
            channel,
            action,
            summary,
            identities,
            attributes,
            stage));
    }

    /// <summary>The contact a rejected contact event is about, so its dead letter is found when that person is erased.</summary>
    private static List<Identity> ContactOf(HubSpotEvent e)
    {
        var identities = new List<Identity>(1);
        if (e.SubscriptionType?.StartsWith("contact.", StringComparison.Ordinal) == true)
        {
            AddContact(identities, Text(e.ObjectId ?? e.FromObjectId));
        }

        return identities;
    }

    /// <param name="contactId">The contact id's text; empty when the event names none.</param>
    private static void AddContact(List<Identity> identities, string contactId) => identities.AddIfPresent(IdentityTypes.HubSpot, contactId);

    /// <param name="dealId">The deal id's text; empty when the event names none.</param>
    private static void AddDeal(List<Identity> identities, string dealId) => identities.AddIfPresent(IdentityTypes.HubSpotDeal, dealId);

    private static string Text(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";
}
