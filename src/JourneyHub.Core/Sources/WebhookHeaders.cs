using JourneyHub.Core.Ingestion;

namespace JourneyHub.Core.Sources;

internal static class WebhookHeaders
{
    /// <summary>HTTP header names are case-insensitive; the web layer's dictionary may not be.</summary>
    public static string? Get(InboundWebhook webhook, string name)
    {
        if (webhook.Header(name) is { } exact)
        {
            return exact;
        }

        foreach (var (key, value) in webhook.Headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }
}
