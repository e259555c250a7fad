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
