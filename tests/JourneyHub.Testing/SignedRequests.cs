using System.Net.Http.Headers;
using JourneyHub.Core.Signatures;

namespace JourneyHub.Testing;

/// <summary>
/// Webhook deliveries signed the way each sender signs them (the signatures themselves come from
/// <see cref="WebhookSigner"/> in the Core, which the local host's demo uses too), as <c>application/json</c> unless
/// said otherwise. Salesforce and Trustpilot sign
/// nothing: send them with <see cref="Plain"/> and the function key in the URL.
/// </summary>
public static class SignedRequests
{
    /// <summary>A HubSpot webhook batch, signed v3 over this exact URL at <paramref name="at"/> (now by default).</summary>
    public static HttpRequestMessage HubSpot(Uri url, byte[] body, string clientSecret, DateTimeOffset? at = null) =>
        Plain(url, body, "application/json").SignedAsHubSpot(clientSecret, body, at ?? DateTimeOffset.UtcNow);

    /// <summary>A Meta delivery signed with the app secret, or carrying <paramref name="signature"/> as given.</summary>
    public static HttpRequestMessage Meta(Uri url, byte[] body, string appSecret, string? signature = null)
    {
        var request = Plain(url, body, "application/json");
        if (signature is null)
        {
            return request.SignedAsMeta(appSecret, body);
        }

        request.Headers.Add(MetaSignature.HeaderName, signature);
        return request;
    }

    /// <summary>A Standard Webhooks delivery (custom sources) with this webhook id, signed at <paramref name="at"/>.</summary>
    public static HttpRequestMessage StandardWebhooks(Uri url, byte[] body, string secret, string webhookId, DateTimeOffset? at = null) =>
        Plain(url, body, "application/json").SignedAsStandardWebhooks(secret, webhookId, body, at ?? DateTimeOffset.UtcNow);

    /// <summary>
    /// A Shopify delivery with its topic and webhook id headers, signed with the client secret, or carrying
    /// <paramref name="signature"/> as given (an empty one sends no signature header).
    /// </summary>
    public static HttpRequestMessage Shopify(Uri url, byte[] body, string clientSecret, string topic, string webhookId, string? signature = null, string shopDomain = "nordic-outdoor-demo.myshopify.com")
    {
        var request = Plain(url, body, "application/json");
        if (signature is null)
        {
            request.With(WebhookSigner.Shopify(clientSecret, body));
        }
        else if (signature.Length > 0)
        {
            request.Headers.Add(ShopifySignature.HeaderName, signature);
        }

        request.Headers.Add("X-Shopify-Topic", topic);
        request.Headers.Add("X-Shopify-Webhook-Id", webhookId);
        request.Headers.Add("X-Shopify-Shop-Domain", shopDomain);
        request.Headers.Add("X-Shopify-API-Version", "2025-01");
        return request;
    }

    /// <summary>A Zendesk delivery signed at <paramref name="at"/> (now by default).</summary>
    public static HttpRequestMessage Zendesk(Uri url, byte[] body, string signingSecret, DateTimeOffset? at = null) =>
        Plain(url, body, "application/json").With(WebhookSigner.Zendesk(signingSecret, body, at ?? DateTimeOffset.UtcNow));

    /// <summary>An Intercom delivery signed with the client secret, or carrying <paramref name="signature"/> as given.</summary>
    public static HttpRequestMessage Intercom(Uri url, byte[] body, string clientSecret, string? signature = null) =>
        Plain(url, body, "application/json").With(signature is null ? WebhookSigner.Intercom(clientSecret, body) : [new(IntercomSignature.HeaderName, signature)]);

    /// <summary>A Typeform delivery signed with the webhook's secret.</summary>
    public static HttpRequestMessage Typeform(Uri url, byte[] body, string secret) =>
        Plain(url, body, "application/json").SignedAsTypeform(secret, body);

    /// <summary>A Delighted delivery signed with the project's API key.</summary>
    public static HttpRequestMessage Delighted(Uri url, byte[] body, string apiKey) =>
        Plain(url, body, "application/json").SignedAsDelighted(apiKey, body);

    /// <summary>A SurveyMonkey callback signed with the app's client id and secret.</summary>
    public static HttpRequestMessage SurveyMonkey(Uri url, byte[] body, string clientId, string clientSecret) =>
        Plain(url, body, "application/json").SignedAsSurveyMonkey(clientId, clientSecret, body);

    /// <summary>An unsigned POST of the raw bytes; XML is declared UTF-8 as Salesforce declares it.</summary>
    public static HttpRequestMessage Plain(Uri url, byte[] body, string mediaType)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType) { CharSet = mediaType.Contains("xml", StringComparison.Ordinal) ? "utf-8" : null };
        return request;
    }

    /// <summary>Adds HubSpot's v3 headers for the request's own URL; <paramref name="body"/> must be the bytes it sends.</summary>
    public static HttpRequestMessage SignedAsHubSpot(this HttpRequestMessage request, string clientSecret, byte[] body, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.With(WebhookSigner.HubSpot(clientSecret, request.RequestUri ?? throw new ArgumentException("The request has no URL.", nameof(request)), body, at));
    }

    /// <summary>Adds Meta's <c>X-Hub-Signature-256</c> header; <paramref name="body"/> must be the bytes it sends.</summary>
    public static HttpRequestMessage SignedAsMeta(this HttpRequestMessage request, string appSecret, byte[] body) =>
        request.With(WebhookSigner.Meta(appSecret, body));

    /// <summary>Adds the Standard Webhooks headers; <paramref name="body"/> must be the bytes it sends.</summary>
    public static HttpRequestMessage SignedAsStandardWebhooks(this HttpRequestMessage request, string secret, string webhookId, byte[] body, DateTimeOffset at) =>
        request.With(WebhookSigner.StandardWebhooks(secret, webhookId, body, at));

    /// <summary>Adds Typeform's <c>Typeform-Signature</c> header; <paramref name="body"/> must be the bytes it sends.</summary>
    public static HttpRequestMessage SignedAsTypeform(this HttpRequestMessage request, string secret, byte[] body) =>
        request.With(WebhookSigner.Typeform(secret, body));

    /// <summary>Adds SurveyMonkey's <c>Sm-Apikey</c> and <c>Sm-Signature</c>; <paramref name="body"/> must be the bytes it sends.</summary>
    public static HttpRequestMessage SignedAsSurveyMonkey(this HttpRequestMessage request, string clientId, string clientSecret, byte[] body) =>
        request.With(WebhookSigner.SurveyMonkey(clientId, clientSecret, body));

    /// <summary>Adds Delighted's <c>X-Delighted-Webhook-Signature</c>; <paramref name="body"/> must be the bytes it sends.</summary>
    public static HttpRequestMessage SignedAsDelighted(this HttpRequestMessage request, string apiKey, byte[] body) =>
        request.With(WebhookSigner.Delighted(apiKey, body));

    private static HttpRequestMessage With(this HttpRequestMessage request, KeyValuePair<string, string>[] headers)
    {
        ArgumentNullException.ThrowIfNull(request);
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        return request;
    }
}
