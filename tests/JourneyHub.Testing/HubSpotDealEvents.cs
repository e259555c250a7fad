namespace JourneyHub.Testing;

/// <summary>HubSpot deal and contact-to-deal association events in the wire shape (legacy subscriptions), ids unique per test.</summary>
public static class HubSpotDealEvents
{
    public static Dictionary<string, object?> DealCreated(long dealId, DateTimeOffset at, long? eventId = null) => new()
    {
        ["eventId"] = eventId ?? HubSpotEvents.NewId(),
        ["subscriptionId"] = 2390420,
        ["portalId"] = 44791823,
        ["appId"] = 3914022,
        ["occurredAt"] = at.ToUnixTimeMilliseconds(),
        ["subscriptionType"] = "deal.creation",
        ["attemptNumber"] = 0,
        ["objectId"] = dealId,
        ["changeFlag"] = "CREATED",
        ["changeSource"] = "CRM_UI",
    };

    /// <summary>A <c>deal.propertyChange</c> of <c>dealstage</c>, e.g. <c>closedwon</c>.</summary>
    public static Dictionary<string, object?> DealStage(long dealId, string stage, DateTimeOffset at, long? eventId = null) => new()
    {
        ["eventId"] = eventId ?? HubSpotEvents.NewId(),
        ["subscriptionId"] = 2390421,
        ["portalId"] = 44791823,
        ["appId"] = 3914022,
        ["occurredAt"] = at.ToUnixTimeMilliseconds(),
        ["subscriptionType"] = "deal.propertyChange",
        ["attemptNumber"] = 0,
        ["objectId"] = dealId,
        ["propertyName"] = "dealstage",
        ["propertyValue"] = stage,
        ["changeSource"] = "CRM_UI",
    };

    /// <summary>A <c>contact.associationChange</c> of type <c>CONTACT_TO_DEAL</c>, added or removed.</summary>
    public static Dictionary<string, object?> ContactToDeal(long contactId, long dealId, DateTimeOffset at, bool removed = false, long? eventId = null) => new()
    {
        ["eventId"] = eventId ?? HubSpotEvents.NewId(),
        ["subscriptionId"] = 2390425,
        ["portalId"] = 44791823,
        ["appId"] = 3914022,
        ["occurredAt"] = at.ToUnixTimeMilliseconds(),
        ["subscriptionType"] = "contact.associationChange",
        ["attemptNumber"] = 0,
        ["changeSource"] = "CRM_UI",
        ["associationType"] = "CONTACT_TO_DEAL",
        ["fromObjectId"] = contactId,
        ["toObjectId"] = dealId,
        ["associationRemoved"] = removed,
        ["isPrimaryAssociation"] = false,
    };
}
