using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Signatures;
using Microsoft.Extensions.Options;

namespace JourneyHub.Core.Sources.Intercom;

/// <summary><c>X-Hub-Signature: sha1=&lt;hex&gt;</c>, HMAC-SHA1 of the raw body with the app's client secret.</summary>
public sealed class IntercomWebhookVerifier(IOptionsMonitor<IntercomOptions> options) : IWebhookVerifier
{
    public SourceId Source => SourceId.Intercom;

    public WebhookVerification Verify(InboundWebhook webhook, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        var check = IntercomSignature.Verify(options.CurrentValue.ClientSecret, webhook.Body.Span, WebhookHeaders.Get(webhook, IntercomSignature.HeaderName));
        return check switch
        {
            SignatureCheck.Valid => WebhookVerification.Valid(),
            SignatureCheck.NotConfigured => new(check, "Sources__Intercom__ClientSecret is not set, so Intercom deliveries cannot be verified."),
            SignatureCheck.Missing => new(check, "The X-Hub-Signature header is missing."),
            SignatureCheck.Malformed => new(check, "X-Hub-Signature is not 'sha1=' followed by 40 hex digits."),
            _ => new(check, "X-Hub-Signature does not match the body."),
        };
    }
}
