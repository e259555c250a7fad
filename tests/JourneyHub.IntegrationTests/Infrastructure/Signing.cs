using System.Globalization;
using System.Net.Http.Headers;
using JourneyHub.Core.Signatures;

namespace JourneyHub.IntegrationTests.Infrastructure;

/// <summary>Builds requests signed the way each sender signs them.</summary>
public static class Signing
{
    public static HttpRequestMessage HubSpot(Uri url, byte[] body, string secret, DateTimeOffset? at = null)
    {
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-HubSpot-Request-Timestamp", timestamp);
        request.Headers.Add("X-HubSpot-Signature-v3", HubSpotSignature.ComputeV3Base64(secret, "POST", url.ToString(), body, timestamp));
        return request;
    }
}

/// <summary>Signing for the other senders.</summary>
public static class SourceSigning
{
    public static HttpRequestMessage Meta(Uri url, byte[] body, string appSecret, string? signature = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Hub-Signature-256", signature ?? JourneyHub.Core.Signatures.MetaSignature.Compute(appSecret, body));
        return request;
    }

    public static HttpRequestMessage StandardWebhooks(Uri url, byte[] body, string secret, string webhookId, DateTimeOffset? at = null)
    {
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("webhook-id", webhookId);
        request.Headers.Add("webhook-timestamp", timestamp);
        request.Headers.Add("webhook-signature", JourneyHub.Core.Signatures.StandardWebhooksSignature.Sign(secret, webhookId, timestamp, body));
        return request;
    }

    public static HttpRequestMessage Plain(Uri url, byte[] body, string mediaType)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType) { CharSet = mediaType.Contains("xml", StringComparison.Ordinal) ? "utf-8" : null };
        return request;
    }
}
