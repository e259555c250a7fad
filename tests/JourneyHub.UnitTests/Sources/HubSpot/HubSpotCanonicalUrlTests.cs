using System.Globalization;
using System.Text;
using System.Text.Json;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Signatures;
using JourneyHub.Core.Sources.HubSpot;
using Microsoft.Extensions.Options;
using NSubstitute;

namespace JourneyHub.UnitTests.Sources.HubSpot;

/// <summary>
/// Behind Front Door, API Management or a custom domain the hub receives another URL than the one HubSpot
/// signed; Sources__HubSpot__WebhookUrl names the signed one. Checked with HubSpot's v3 known-answer vector.
/// </summary>
public sealed class HubSpotCanonicalUrlTests
{
    private const string ReceivedUrl = "https://func-api-abc123.azurewebsites.net/api/webhooks/hubspot";

    private static readonly JsonElement Vectors = JsonDocument.Parse(Fixture.Text("hubspot/hubspot-signature-test-vectors.json")).RootElement;
    private static readonly JsonElement V3 = Vectors.GetProperty("v3");
    private static readonly string SignedUrl = V3.GetProperty("uri").GetString()!;
    private static readonly string Timestamp = V3.GetProperty("timestamp").GetString()!;
    private static readonly DateTimeOffset SentAt = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(Timestamp, CultureInfo.InvariantCulture));

    [Fact]
    public void The_configured_webhook_url_is_the_one_checked()
    {
        var verification = Verifier(webhookUrl: SignedUrl).Verify(Delivery(ReceivedUrl), SentAt.AddSeconds(3));

        Assert.True(verification.IsValid, verification.Detail);
    }

    [Fact]
    public void Without_a_configured_url_the_received_url_is_checked_and_a_proxied_delivery_fails_with_a_hint()
    {
        var verification = Verifier(webhookUrl: null).Verify(Delivery(ReceivedUrl), SentAt.AddSeconds(3));

        Assert.Equal(SignatureCheck.Mismatch, verification.Check);
        Assert.Contains("Sources__HubSpot__WebhookUrl", verification.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_configured_url_a_direct_delivery_still_verifies()
    {
        var verification = Verifier(webhookUrl: null).Verify(Delivery(SignedUrl), SentAt.AddSeconds(3));

        Assert.True(verification.IsValid, verification.Detail);
    }

    [Fact]
    public void A_configured_url_other_than_the_signed_one_does_not_verify()
    {
        var verification = Verifier(webhookUrl: "https://hooks.example.com/hubspot").Verify(Delivery(SignedUrl), SentAt.AddSeconds(3));

        Assert.Equal(SignatureCheck.Mismatch, verification.Check);
    }

    [Fact]
    public void The_clock_check_still_applies_with_a_configured_url()
    {
        var verification = Verifier(webhookUrl: SignedUrl).Verify(Delivery(ReceivedUrl), SentAt.AddMinutes(6));

        Assert.Equal(SignatureCheck.Stale, verification.Check);
    }

    [Fact]
    public void A_query_string_is_not_repeated_in_the_mismatch_detail()
    {
        var verification = Verifier(webhookUrl: null).Verify(Delivery(ReceivedUrl + "?code=secret-key-value"), SentAt.AddSeconds(3));

        Assert.Equal(SignatureCheck.Mismatch, verification.Check);
        Assert.DoesNotContain("secret-key-value", verification.Detail, StringComparison.Ordinal);
    }

    private static HubSpotWebhookVerifier Verifier(string? webhookUrl)
    {
        var options = Substitute.For<IOptionsMonitor<HubSpotOptions>>();
        options.CurrentValue.Returns(new HubSpotOptions { ClientSecret = Vectors.GetProperty("clientSecret").GetString(), WebhookUrl = webhookUrl });
        return new HubSpotWebhookVerifier(options);
    }

    private static InboundWebhook Delivery(string receivedUrl) => new(
        V3.GetProperty("method").GetString()!,
        receivedUrl,
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["X-HubSpot-Signature-v3"] = V3.GetProperty("expectedBase64").GetString()!,
            ["X-HubSpot-Request-Timestamp"] = Timestamp,
        },
        Encoding.UTF8.GetBytes(Vectors.GetProperty("requestBody").GetString()!),
        "application/json");
}
