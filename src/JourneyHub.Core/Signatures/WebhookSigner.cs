using System.Globalization;

namespace JourneyHub.Core.Signatures;

/// <summary>
/// The headers each sender adds to sign one delivery: the inverse of the verifiers next to this class, in one place so
/// that the local host's demo, the load harness and the tests all sign exactly as the senders do (timestamp units and
/// formats, header names). Salesforce and Trustpilot sign nothing: their routes are authenticated by the function key.
/// </summary>
public static class WebhookSigner
{
    public const string HubSpotSignatureHeader = "X-HubSpot-Signature-v3";
    public const string HubSpotTimestampHeader = "X-HubSpot-Request-Timestamp";

    /// <summary>HubSpot v3: milliseconds timestamp, signature over POST + the exact URL called + raw body + timestamp.</summary>
    public static KeyValuePair<string, string>[] HubSpot(string clientSecret, Uri url, ReadOnlySpan<byte> body, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(url);
        var timestamp = at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        return
        [
            new(HubSpotTimestampHeader, timestamp),
            new(HubSpotSignatureHeader, HubSpotSignature.ComputeV3Base64(clientSecret, "POST", url.ToString(), body, timestamp)),
        ];
    }

    /// <summary>Meta Graph webhooks: <c>X-Hub-Signature-256: sha256=&lt;hex&gt;</c> over the raw body.</summary>
    public static KeyValuePair<string, string>[] Meta(string appSecret, ReadOnlySpan<byte> body) =>
        [new(MetaSignature.HeaderName, MetaSignature.Compute(appSecret, body))];

    /// <summary>
    /// Standard Webhooks v1: id, seconds timestamp and <c>v1,&lt;base64&gt;</c>. A setting holding several secrets
    /// (rotation) signs with the first, as a sender that has rotated would.
    /// </summary>
    public static KeyValuePair<string, string>[] StandardWebhooks(string secret, string webhookId, ReadOnlySpan<byte> body, DateTimeOffset at)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signingSecret = StandardWebhooksSignature.SplitSecrets(secret) is [var first, ..] ? first : secret;
        return
        [
            new(StandardWebhooksSignature.IdHeader, webhookId),
            new(StandardWebhooksSignature.TimestampHeader, timestamp),
            new(StandardWebhooksSignature.SignatureHeader, StandardWebhooksSignature.Sign(signingSecret, webhookId, timestamp, body)),
        ];
    }

    /// <summary>Shopify: base64 HMAC-SHA256 of the raw body with the app's client secret.</summary>
    public static KeyValuePair<string, string>[] Shopify(string clientSecret, ReadOnlySpan<byte> body) =>
        [new(ShopifySignature.HeaderName, ShopifySignature.Compute(clientSecret, body))];

    /// <summary>Zendesk: an ISO 8601 UTC timestamp to the second, and base64 HMAC-SHA256 over that timestamp + raw body.</summary>
    public static KeyValuePair<string, string>[] Zendesk(string signingSecret, ReadOnlySpan<byte> body, DateTimeOffset at)
    {
        var timestamp = at.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        return
        [
            new(ZendeskSignature.TimestampHeader, timestamp),
            new(ZendeskSignature.SignatureHeader, ZendeskSignature.ComputeBase64(signingSecret, timestamp, body)),
        ];
    }

    /// <summary>Intercom: <c>sha1=&lt;hex&gt;</c> HMAC-SHA1 of the raw body with the app's client secret.</summary>
    public static KeyValuePair<string, string>[] Intercom(string clientSecret, ReadOnlySpan<byte> body) =>
        [new(IntercomSignature.HeaderName, IntercomSignature.Compute(clientSecret, body))];

    /// <summary>Typeform: <c>sha256=&lt;base64&gt;</c> HMAC-SHA256 of the raw body with the webhook's secret.</summary>
    public static KeyValuePair<string, string>[] Typeform(string secret, ReadOnlySpan<byte> body) =>
        [new(TypeformSignature.HeaderName, TypeformSignature.Compute(secret, body))];

    /// <summary>Delighted: <c>sha256=&lt;hex&gt;</c> HMAC-SHA256 of the raw body with the project's API key.</summary>
    public static KeyValuePair<string, string>[] Delighted(string apiKey, ReadOnlySpan<byte> body) =>
        [new(DelightedSignature.HeaderName, DelightedSignature.Compute(apiKey, body))];

    /// <summary>SurveyMonkey: the client id in <c>Sm-Apikey</c>, base64 HMAC-SHA1 keyed with id and secret in <c>Sm-Signature</c>.</summary>
    public static KeyValuePair<string, string>[] SurveyMonkey(string clientId, string clientSecret, ReadOnlySpan<byte> body) =>
    [
        new(SurveyMonkeySignature.ApiKeyHeaderName, clientId),
        new(SurveyMonkeySignature.HeaderName, SurveyMonkeySignature.Compute(clientId, clientSecret, body)),
    ];
}
