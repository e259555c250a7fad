using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Signatures;
using Microsoft.Extensions.Options;

namespace JourneyHub.Core.Sources.HubSpot;

/// <summary>X-HubSpot-Signature-v3 over method + the URL HubSpot called + raw body + timestamp.</summary>
public sealed class HubSpotWebhookVerifier(IOptionsMonitor<HubSpotOptions> options) : IWebhookVerifier
{
    public SourceId Source => SourceId.HubSpot;

    public WebhookVerification Verify(InboundWebhook webhook, DateTimeOffset now)
    {
        var check = HubSpotSignature.VerifyV3(
            options.CurrentValue.ClientSecret,
            webhook.Method,
            webhook.Url,
            webhook.Body.Span,
            webhook.Header("X-HubSpot-Signature-v3"),
            webhook.Header("X-HubSpot-Request-Timestamp"),
            now);
        return check switch
        {
            SignatureCheck.Valid => WebhookVerification.Valid(),
            SignatureCheck.NotConfigured => new(check, "Sources__HubSpot__ClientSecret is not set, so HubSpot deliveries cannot be verified."),
            SignatureCheck.Missing => new(check, "X-HubSpot-Signature-v3 and X-HubSpot-Request-Timestamp are required."),
            SignatureCheck.Stale => new(check, "X-HubSpot-Request-Timestamp is more than 5 minutes away from now."),
            SignatureCheck.Malformed => new(check, "X-HubSpot-Request-Timestamp must be milliseconds since the Unix epoch."),
            _ => new(check, $"X-HubSpot-Signature-v3 does not match the request to {webhook.Url}."),
        };
    }
}
