using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Signatures;
using Microsoft.Extensions.Options;

namespace JourneyHub.Core.Sources.Typeform;

/// <summary>Typeform signs each delivery with the webhook's secret over the raw body.</summary>
public sealed class TypeformWebhookVerifier(IOptionsMonitor<TypeformOptions> options) : IWebhookVerifier
{
    public SourceId Source => SourceId.Typeform;

    public WebhookVerification Verify(InboundWebhook webhook, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        var check = TypeformSignature.Verify(options.CurrentValue.Secret, webhook.Body.Span, WebhookHeaders.Get(webhook, TypeformSignature.HeaderName));
        return check == SignatureCheck.Valid
            ? WebhookVerification.Valid()
            : new WebhookVerification(check, check switch
            {
                SignatureCheck.NotConfigured => "Sources:Typeform:Secret is not set.",
                SignatureCheck.Missing => "The Typeform-Signature header is missing.",
                SignatureCheck.Malformed => "Typeform-Signature is not 'sha256=' followed by a base64 HMAC-SHA256.",
                _ => "Typeform-Signature does not match the body.",
            });
    }
}
