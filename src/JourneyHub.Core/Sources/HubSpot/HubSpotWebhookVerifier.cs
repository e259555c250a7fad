using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Signatures;
using Microsoft.Extensions.Options;

namespace JourneyHub.Core.Sources.HubSpot;

/// <summary>
/// X-HubSpot-Signature-v3 over method + the URL HubSpot called + raw body + timestamp. The URL HubSpot called is
/// the configured <see cref="HubSpotOptions.WebhookUrl"/> when there is one, else the URL this host received.
/// </summary>
public sealed class HubSpotWebhookVerifier(IOptionsMonitor<HubSpotOptions> options) : IWebhookVerifier
{
    public SourceId Source => SourceId.HubSpot;

    public WebhookVerification Verify(InboundWebhook webhook, DateTimeOffset now)
    {
        var settings = options.CurrentValue;
        var signedUrl = string.IsNullOrWhiteSpace(settings.WebhookUrl) ? webhook.Url : settings.WebhookUrl.Trim();
        var check = HubSpotSignature.VerifyV3(
            settings.ClientSecret,
            webhook.Method,
            signedUrl,
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
            _ => new(check, string.IsNullOrWhiteSpace(settings.WebhookUrl)
                ? $"X-HubSpot-Signature-v3 does not match the request to {WithoutQuery(webhook.Url)}; behind a proxy or custom domain set Sources__HubSpot__WebhookUrl to the Target URL configured in HubSpot."
                : $"X-HubSpot-Signature-v3 does not match a request to Sources__HubSpot__WebhookUrl ({WithoutQuery(signedUrl)})."),
        };
    }

    /// <summary>Details end up in logs and replies: a query string may carry a key, so it is left out.</summary>
    private static string WithoutQuery(string url) =>
        url.IndexOf('?', StringComparison.Ordinal) is var query and >= 0 ? url[..query] + "?…" : url;
}
