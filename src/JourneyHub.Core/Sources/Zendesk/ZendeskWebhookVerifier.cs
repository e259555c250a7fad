using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Signatures;
using Microsoft.Extensions.Options;

namespace JourneyHub.Core.Sources.Zendesk;

/// <summary><c>X-Zendesk-Webhook-Signature</c> over <c>X-Zendesk-Webhook-Signature-Timestamp</c> + the raw body.</summary>
public sealed class ZendeskWebhookVerifier(IOptionsMonitor<ZendeskOptions> options) : IWebhookVerifier
{
    public SourceId Source => SourceId.Zendesk;

    public WebhookVerification Verify(InboundWebhook webhook, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        var check = ZendeskSignature.Verify(
            options.CurrentValue.SigningSecret,
            webhook.Body.Span,
            WebhookHeaders.Get(webhook, ZendeskSignature.SignatureHeader),
            WebhookHeaders.Get(webhook, ZendeskSignature.TimestampHeader),
            now);
        return check switch
        {
            SignatureCheck.Valid => WebhookVerification.Valid(),
            SignatureCheck.NotConfigured => new(check, "Sources__Zendesk__SigningSecret is not set, so Zendesk deliveries cannot be verified."),
            SignatureCheck.Missing => new(check, "X-Zendesk-Webhook-Signature and X-Zendesk-Webhook-Signature-Timestamp are required."),
            SignatureCheck.Malformed => new(check, "X-Zendesk-Webhook-Signature must be a base64 HMAC-SHA256 digest and X-Zendesk-Webhook-Signature-Timestamp an ISO 8601 time."),
            SignatureCheck.Stale => new(check, "X-Zendesk-Webhook-Signature-Timestamp is more than 5 minutes away from now."),
            _ => new(check, "X-Zendesk-Webhook-Signature does not match the timestamp and body."),
        };
    }
}
