using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Sources.HubSpot;

/// <summary>HubSpot Webhooks API: a JSON array of up to 100 events. Unknown events are rejected one by one, never the batch.</summary>
public sealed class HubSpotAdapter : ISourceAdapter
{
    public const string SourceName = "hubspot";

    public string Source => SourceName;

    public NormalizationResult Normalize(RawPayload payload)
    {
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

        var touchpoints = new List<Touchpoint>(events.Length);
        var rejected = new List<RejectedEntry>();
        for (var i = 0; i < events.Length; i++)
        {
            var outcome = events[i] is { } e ? Map(e) : Outcome.Fail("event is null");
            if (outcome.Touchpoint is { } touchpoint)
            {
                touchpoints.Add(touchpoint);
            }
            else
            {
                rejected.Add(new RejectedEntry(i, $"HubSpot event {i} ({events[i]?.SubscriptionType ?? "?"}): {outcome.Error}"));
            }
        }

        return new NormalizationResult(touchpoints, rejected);
    }

    private static Outcome Map(HubSpotEvent e)
    {
        if (e.EventId is null || e.OccurredAt is null || string.IsNullOrEmpty(e.SubscriptionType))
        {
            return Outcome.Fail("eventId, occurredAt and subscriptionType are required");
        }

        var objectId = e.ObjectId ?? e.FromObjectId;
        var occurredAt = DateTimeOffset.FromUnixTimeMilliseconds(e.OccurredAt.Value);
        var contactIdentities = new List<Schema.Identity>();
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["subscriptionType"] = e.SubscriptionType,
            ["portalId"] = Text(e.PortalId),
        };
        if (!string.IsNullOrEmpty(e.ChangeSource))
        {
            attributes["changeSource"] = e.ChangeSource;
        }

        string action;
        string summary;
        JourneyStage? stage;
        var channel = Channel.Crm;
        switch (e.SubscriptionType)
        {
            case "contact.creation":
                AddContact(contactIdentities, e.ObjectId);
                action = "contact.created";
                channel = e.ChangeSource == "FORM" ? Channel.Web : Channel.Crm;
                summary = channel == Channel.Web ? "Signed up through a HubSpot form" : "Contact created in HubSpot";
                stage = JourneyRules.StageForAction(SourceName, action);
                break;
            case "contact.propertyChange" when e.PropertyName == "lifecyclestage":
                AddContact(contactIdentities, e.ObjectId);
                action = "lifecycle.changed";
                stage = JourneyRules.StageFor(SourceName, "lifecycle:" + e.PropertyValue);
                summary = $"Lifecycle stage changed to {e.PropertyValue}";
                attributes["lifecyclestage"] = e.PropertyValue ?? "";
                break;
            case "contact.propertyChange":
                AddContact(contactIdentities, e.ObjectId);
                if (e.PropertyName == "email" && Schema.Identity.Create(IdentityTypes.Email, e.PropertyValue) is { } email)
                {
                    contactIdentities.Add(email);
                }
                else if (e.PropertyName is "phone" or "mobilephone" && Schema.Identity.Create(IdentityTypes.Phone, e.PropertyValue) is { } phone)
                {
                    contactIdentities.Add(phone);
                }

                action = "contact.updated";
                stage = null;
                summary = $"Contact property {e.PropertyName} changed";
                attributes["propertyName"] = e.PropertyName ?? "";
                break;
            case "contact.deletion":
                AddContact(contactIdentities, e.ObjectId);
                action = "contact.deleted";
                stage = null;
                summary = "Contact deleted in HubSpot";
                break;
            case "contact.merge":
                AddContact(contactIdentities, e.PrimaryObjectId ?? e.ObjectId);
                foreach (var merged in e.MergedObjectIds ?? [])
                {
                    AddContact(contactIdentities, merged);
                }

                action = "contact.merged";
                stage = null;
                summary = $"Merged {e.MergedObjectIds?.Length ?? 0} HubSpot contact(s) into {e.PrimaryObjectId ?? e.ObjectId}";
                attributes["mergedObjectIds"] = string.Join(',', (e.MergedObjectIds ?? []).Select(id => Text(id)));
                break;
            case "contact.associationChange":
                AddContact(contactIdentities, e.FromObjectId);
                if (e.AssociationType == "CONTACT_TO_DEAL" && Schema.Identity.Create(IdentityTypes.HubSpotDeal, Text(e.ToObjectId)) is { } deal)
                {
                    contactIdentities.Add(deal);
                }

                action = e.AssociationRemoved == true ? "association.removed" : "association.added";
                stage = null;
                summary = $"{e.AssociationType} association {(e.AssociationRemoved == true ? "removed" : "added")}";
                attributes["associationType"] = e.AssociationType ?? "";
                attributes["toObjectId"] = Text(e.ToObjectId);
                break;
            case "deal.creation":
                AddDeal(contactIdentities, e.ObjectId);
                action = "deal.created";
                stage = JourneyRules.StageForAction(SourceName, action);
                summary = $"Deal {e.ObjectId} created";
                break;
            case "deal.propertyChange" when e.PropertyName == "dealstage":
                AddDeal(contactIdentities, e.ObjectId);
                action = e.PropertyValue switch
                {
                    "closedwon" => "deal.won",
                    "closedlost" => "deal.lost",
                    _ => "deal.stage_changed",
                };
                stage = JourneyRules.StageForAction(SourceName, action);
                summary = action switch
                {
                    "deal.won" => $"Deal {e.ObjectId} won",
                    "deal.lost" => $"Deal {e.ObjectId} lost",
                    _ => $"Deal {e.ObjectId} moved to {e.PropertyValue}",
                };
                attributes["dealstage"] = e.PropertyValue ?? "";
                break;
            case "deal.propertyChange":
                AddDeal(contactIdentities, e.ObjectId);
                action = "deal.updated";
                stage = null;
                summary = $"Deal {e.ObjectId} property {e.PropertyName} changed";
                attributes["propertyName"] = e.PropertyName ?? "";
                break;
            case "deal.deletion":
                AddDeal(contactIdentities, e.ObjectId);
                action = "deal.deleted";
                stage = null;
                summary = $"Deal {e.ObjectId} deleted";
                break;
            default:
                return Outcome.Fail($"unknown subscriptionType '{e.SubscriptionType}'");
        }

        if (objectId is null)
        {
            return Outcome.Fail("objectId is required");
        }

        attributes["objectId"] = Text(objectId);
        var sourceEventId = $"{Text(e.EventId)}-{Text(objectId)}";
        return Outcome.Ok(new Touchpoint
        {
            TouchpointId = TouchpointIds.For(SourceName, sourceEventId),
            Source = SourceName,
            SourceEventId = sourceEventId,
            OccurredAt = occurredAt,
            Channel = channel,
            Kind = JourneyRules.KindFor(channel),
            Stage = stage,
            Action = action,
            Summary = summary,
            Identities = contactIdentities,
            Attributes = attributes,
        });
    }

    private static void AddContact(List<Schema.Identity> identities, long? contactId)
    {
        if (contactId is not null && Schema.Identity.Create(IdentityTypes.HubSpot, Text(contactId)) is { } identity)
        {
            identities.Add(identity);
        }
    }

    private static void AddDeal(List<Schema.Identity> identities, long? dealId)
    {
        if (dealId is not null && Schema.Identity.Create(IdentityTypes.HubSpotDeal, Text(dealId)) is { } identity)
        {
            identities.Add(identity);
        }
    }

    private static string Text(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    private readonly record struct Outcome(Touchpoint? Touchpoint, string? Error)
    {
        public static Outcome Ok(Touchpoint touchpoint) => new(touchpoint, null);

        public static Outcome Fail(string error) => new(null, error);
    }
}

public sealed record HubSpotEvent
{
    public long? EventId { get; init; }
    public long? SubscriptionId { get; init; }
    public long? PortalId { get; init; }
    public long? AppId { get; init; }
    public long? OccurredAt { get; init; }
    public string? SubscriptionType { get; init; }
    public int? AttemptNumber { get; init; }
    public long? ObjectId { get; init; }
    public string? ChangeFlag { get; init; }
    public string? ChangeSource { get; init; }
    public string? SourceId { get; init; }
    public string? PropertyName { get; init; }
    public string? PropertyValue { get; init; }
    public string? AssociationType { get; init; }
    public long? FromObjectId { get; init; }
    public long? ToObjectId { get; init; }
    public bool? AssociationRemoved { get; init; }
    public long? PrimaryObjectId { get; init; }
    public long[]? MergedObjectIds { get; init; }
    public long? NewObjectId { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, NumberHandling = JsonNumberHandling.AllowReadingFromString, MaxDepth = 16)]
[JsonSerializable(typeof(HubSpotEvent[]))]
internal sealed partial class HubSpotJsonContext : JsonSerializerContext;
