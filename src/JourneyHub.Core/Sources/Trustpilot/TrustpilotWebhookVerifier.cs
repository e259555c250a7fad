using JourneyHub.Core.Ingestion;

namespace JourneyHub.Core.Sources.Trustpilot;

/// <summary>
/// Trustpilot documents no signature for service-review webhooks: the route is protected by the function key,
/// which the host checks before this runs. Nothing else in the request can prove the sender.
/// </summary>
public sealed class TrustpilotWebhookVerifier : IWebhookVerifier
{
    public SourceId Source => SourceId.Trustpilot;

    public WebhookVerification Verify(InboundWebhook webhook, DateTimeOffset now) => WebhookVerification.Valid();
}
