using System.Text;
using System.Text.Json;
using JourneyHub.Core.Signatures;

namespace JourneyHub.UnitTests.Sources.HubSpot;

public sealed class HubSpotSignatureTests
{
    private static readonly JsonElement Vectors = JsonDocument.Parse(Fixture.Text("hubspot/hubspot-signature-test-vectors.json")).RootElement;
    private static readonly JsonElement Delivery = JsonDocument.Parse(Fixture.Text("hubspot/hubspot-webhook-batch.headers.json")).RootElement;
    private static readonly byte[] DeliveryBody = Fixture.Bytes("hubspot/hubspot-webhook-batch.json");
    private static readonly string DeliverySecret = Delivery.GetProperty("testClientSecret").GetString()!;
    private static readonly string DeliveryUrl = Delivery.GetProperty("url").GetString()!;
    private static readonly string DeliverySignature = Delivery.GetProperty("headers").GetProperty("X-HubSpot-Signature-v3").GetString()!;
    private static readonly string DeliveryTimestamp = Delivery.GetProperty("headers").GetProperty("X-HubSpot-Request-Timestamp").GetString()!;
    private static readonly DateTimeOffset DeliveryTime = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(DeliveryTimestamp, System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void The_v3_known_answer_vector_matches()
    {
        var v3 = Vectors.GetProperty("v3");
        Assert.True(HubSpotSignature.HashMatches(
            Vectors.GetProperty("clientSecret").GetString()!,
            v3.GetProperty("method").GetString()!,
            v3.GetProperty("uri").GetString()!,
            Encoding.UTF8.GetBytes(Vectors.GetProperty("requestBody").GetString()!),
            v3.GetProperty("timestamp").GetString()!,
            v3.GetProperty("expectedBase64").GetString()!));
    }

    [Fact]
    public void The_recorded_delivery_verifies_at_its_own_time()
    {
        Assert.Equal(SignatureCheck.Valid, Verify(DeliveryBody, DeliveryUrl, DeliverySignature, DeliveryTimestamp, DeliveryTime.AddSeconds(2)));
    }

    [Fact]
    public void A_tampered_body_does_not_verify()
    {
        var body = (byte[])DeliveryBody.Clone();
        body[10] ^= 1;
        Assert.Equal(SignatureCheck.Mismatch, Verify(body, DeliveryUrl, DeliverySignature, DeliveryTimestamp, DeliveryTime));
    }

    [Theory]
    [InlineData("https://touchpoint-hub.azurewebsites.net/api/webhooks/hubspot")]
    [InlineData("http://touchpoint-hub.azurewebsites.net/api/webhooks/hubspot?code=Fk7Qm2xWv9LbT4")]
    [InlineData("https://evil.example.net/api/webhooks/hubspot?code=Fk7Qm2xWv9LbT4")]
    public void A_different_url_does_not_verify(string url)
    {
        Assert.Equal(SignatureCheck.Mismatch, Verify(DeliveryBody, url, DeliverySignature, DeliveryTimestamp, DeliveryTime));
    }

    [Fact]
    public void Url_escapes_that_HubSpot_decodes_before_signing_still_verify()
    {
        const string secret = "s3cret";
        var body = "[]"u8.ToArray();
        var signature = HubSpotSignature.ComputeV3Base64(secret, "POST", "https://hub.example.com/api/webhooks/hubspot?tag=a:b", body, "1741962125412");
        Assert.True(HubSpotSignature.HashMatches(secret, "POST", "https://hub.example.com/api/webhooks/hubspot?tag=a%3Ab", body, "1741962125412", signature));
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    public void A_timestamp_more_than_five_minutes_away_is_stale(int secondsAway)
    {
        Assert.Equal(SignatureCheck.Stale, Verify(DeliveryBody, DeliveryUrl, DeliverySignature, DeliveryTimestamp, DeliveryTime.AddSeconds(-secondsAway)));
    }

    [Theory]
    [InlineData(null, "1741962125412", SignatureCheck.Missing)]
    [InlineData("abc", null, SignatureCheck.Missing)]
    [InlineData("abc", "yesterday", SignatureCheck.Malformed)]
    [InlineData("not base64!", "1741962125412", SignatureCheck.Mismatch)]
    public void Missing_or_malformed_headers_are_named(string? signature, string? timestamp, SignatureCheck expected)
    {
        Assert.Equal(expected, Verify(DeliveryBody, DeliveryUrl, signature, timestamp, DeliveryTime));
    }

    [Fact]
    public void Without_a_client_secret_nothing_verifies()
    {
        Assert.Equal(SignatureCheck.NotConfigured, HubSpotSignature.VerifyV3(null, "POST", DeliveryUrl, DeliveryBody, DeliverySignature, DeliveryTimestamp, DeliveryTime));
    }

    private static SignatureCheck Verify(byte[] body, string url, string? signature, string? timestamp, DateTimeOffset now) =>
        HubSpotSignature.VerifyV3(DeliverySecret, "POST", url, body, signature, timestamp, now);
}
