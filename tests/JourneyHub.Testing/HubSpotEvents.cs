using System.Text.Json;

namespace JourneyHub.Testing;

/// <summary>HubSpot webhook events in the wire shape, with ids unique per test so tests can share one Azurite.</summary>
public static class HubSpotEvents
{
    private static long nextId = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;

    public static long NewId() => Interlocked.Increment(ref nextId);

    public static Dictionary<string, object?> ContactCreated(long contactId, DateTimeOffset at, long? eventId = null) => new()
    {
        ["eventId"] = eventId ?? NewId(),
        ["subscriptionId"] = 2390416,
        ["portalId"] = 44791823,
        ["appId"] = 3914022,
        ["occurredAt"] = at.ToUnixTimeMilliseconds(),
        ["subscriptionType"] = "contact.creation",
        ["attemptNumber"] = 0,
        ["objectId"] = contactId,
        ["changeFlag"] = "CREATED",
        ["changeSource"] = "CRM_UI",
    };

    public static Dictionary<string, object?> PropertyChange(long contactId, string property, string value, DateTimeOffset at, long? eventId = null) => new()
    {
        ["eventId"] = eventId ?? NewId(),
        ["subscriptionId"] = 2390417,
        ["portalId"] = 44791823,
        ["appId"] = 3914022,
        ["occurredAt"] = at.ToUnixTimeMilliseconds(),
        ["subscriptionType"] = "contact.propertyChange",
        ["attemptNumber"] = 0,
        ["objectId"] = contactId,
        ["propertyName"] = property,
        ["propertyValue"] = value,
        ["changeSource"] = "CRM_UI",
    };

    public static byte[] Batch(params Dictionary<string, object?>[] events) => JsonSerializer.SerializeToUtf8Bytes(events);
}
