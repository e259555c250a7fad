using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace JourneyHub.Testing;

/// <summary>Custom-source deliveries in the Standard Webhooks envelope the hub accepts at /api/webhooks/custom/{source}.</summary>
public static class StandardWebhooksEvents
{
    /// <summary>A new, unique webhook id in the <c>msg_</c> form senders use.</summary>
    public static string NewWebhookId() => "msg_" + Guid.NewGuid().ToString("N");

    /// <summary>The body of a <c>touchpoint.created</c> delivery carrying <paramref name="data"/>.</summary>
    public static byte[] TouchpointCreated(JsonObject data, DateTimeOffset? at = null) =>
        JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["type"] = "touchpoint.created",
            ["timestamp"] = (at ?? DateTimeOffset.UtcNow).ToString("O", CultureInfo.InvariantCulture),
            ["data"] = data,
        });
}
