using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Signatures;
using Microsoft.Extensions.Options;

namespace JourneyHub.Core.Sources.Delighted;

/// <summary>Delighted signs each delivery with the project's API key over the raw body.</summary>
public sealed class DelightedWebhookVerifier(IOptionsMonitor<DelightedOptions> options) : IWebhookVerifier
{
    public SourceId Source => SourceId.Delighted;

    public WebhookVerification Verify(InboundWebhook webhook, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        var check = DelightedSignature.Verify(options.CurrentValue.ApiKey, webhook.Body.Span, WebhookHeaders.Get(webhook, DelightedSignature.HeaderName));
        return check == SignatureCheck.Valid
            ? WebhookVerification.Valid()
            : new WebhookVerification(check, check switch
            {
                SignatureCheck.NotConfigured => "Sources:Delighted:ApiKey is not set.",
                SignatureCheck.Missing => "The X-Delighted-Webhook-Signature header is missing.",
                SignatureCheck.Malformed => "X-Delighted-Webhook-Signature is not 'sha256=' followed by 64 hex digits.",
                _ => "X-Delighted-Webhook-Signature does not match the body.",
            });
    }
}
