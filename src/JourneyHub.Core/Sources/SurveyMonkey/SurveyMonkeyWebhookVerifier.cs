using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Signatures;
using Microsoft.Extensions.Options;

namespace JourneyHub.Core.Sources.SurveyMonkey;

/// <summary>SurveyMonkey signs each callback with "client id &amp; client secret" over the raw body (HMAC-SHA1, base64).</summary>
public sealed class SurveyMonkeyWebhookVerifier(IOptionsMonitor<SurveyMonkeyOptions> options) : IWebhookVerifier
{
    public SourceId Source => SourceId.SurveyMonkey;

    public WebhookVerification Verify(InboundWebhook webhook, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        var settings = options.CurrentValue;
        var check = SurveyMonkeySignature.Verify(settings.ClientId, settings.ClientSecret, webhook.Body.Span, WebhookHeaders.Get(webhook, SurveyMonkeySignature.HeaderName));
        return check == SignatureCheck.Valid
            ? WebhookVerification.Valid()
            : new WebhookVerification(check, check switch
            {
                SignatureCheck.NotConfigured => "Sources:SurveyMonkey:ClientId and Sources:SurveyMonkey:ClientSecret must both be set.",
                SignatureCheck.Missing => "The Sm-Signature header is missing.",
                SignatureCheck.Malformed => "Sm-Signature is not a base64 HMAC-SHA1.",
                _ => "Sm-Signature does not match the body.",
            });
    }
}
