using System.Globalization;
using JourneyHub.Core.Signatures;
using JourneyHub.UnitTests.Sources;
using static JourneyHub.UnitTests.Sources.SourceTestKit;

namespace JourneyHub.UnitTests.Signatures;

/// <summary>
/// The one signer the demo, the load harness and the tests use reproduces the recorded deliveries of each sender
/// header for header, and the shared test requests carry exactly those headers.
/// </summary>
public sealed class WebhookSignerTests
{
    [Fact]
    public void HubSpot_headers_are_the_recorded_deliverys_v3_headers()
    {
        var recorded = Headers("hubspot/hubspot-webhook-batch.headers.json");
        var body = Fixture.Bytes("hubspot/hubspot-webhook-batch.json");
        var at = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(recorded.Headers["X-HubSpot-Request-Timestamp"], CultureInfo.InvariantCulture));

        var headers = WebhookSigner.HubSpot(recorded.Strings["testClientSecret"], new Uri(recorded.Strings["url"]), body, at);

        Assert.Equal(
            [Recorded(recorded, "X-HubSpot-Request-Timestamp"), Recorded(recorded, "X-HubSpot-Signature-v3")],
            headers);
    }

    [Theory]
    [InlineData("meta/meta-page-messenger-message")]
    [InlineData("meta/meta-instagram-comment")]
    public void Meta_header_is_the_recorded_deliverys_header(string fixture)
    {
        var recorded = Headers(fixture + ".headers.json");

        var headers = WebhookSigner.Meta(recorded.Strings["testAppSecret"], Fixture.Bytes(fixture + ".json"));

        Assert.Equal([Recorded(recorded, "X-Hub-Signature-256")], headers);
    }

    [Fact]
    public void Standard_Webhooks_headers_are_the_recorded_deliverys_headers_signed_with_the_first_secret_of_a_rotation()
    {
        var recorded = Headers("custom/standard-webhooks-custom-source.headers.json");
        var body = Fixture.Bytes("custom/standard-webhooks-custom-source.json");
        var at = DateTimeOffset.FromUnixTimeSeconds(long.Parse(recorded.Headers["webhook-timestamp"], CultureInfo.InvariantCulture));
        var rotation = recorded.Strings["testSecret"] + " " + recorded.Strings["testPreviousSecret"];

        var headers = WebhookSigner.StandardWebhooks(rotation, recorded.Headers["webhook-id"], body, at);

        Assert.Equal(
            [
                Recorded(recorded, "webhook-id"),
                Recorded(recorded, "webhook-timestamp"),
                new("webhook-signature", recorded.Headers["webhook-signature"].Split(' ')[0]),
            ],
            headers);
    }

    [Fact]
    public void Shopify_header_is_the_recorded_deliverys_header()
    {
        var recorded = Headers("shopify/shopify-orders-create.headers.json");

        var headers = WebhookSigner.Shopify(recorded.Strings["testWebhookSecret"], Fixture.Bytes("shopify/shopify-orders-create.json"));

        Assert.Equal([Recorded(recorded, "X-Shopify-Hmac-Sha256")], headers);
    }

    [Fact]
    public void Zendesk_headers_are_the_recorded_deliverys_timestamp_and_signature()
    {
        var recorded = Headers("zendesk/zendesk-satisfaction-rated-bad.headers.json");
        var at = DateTimeOffset.Parse(recorded.Headers["X-Zendesk-Webhook-Signature-Timestamp"], CultureInfo.InvariantCulture);

        var headers = WebhookSigner.Zendesk(recorded.Strings["testSigningSecret"], Fixture.Bytes("zendesk/zendesk-satisfaction-rated-bad.json"), at);

        Assert.Equal([Recorded(recorded, "X-Zendesk-Webhook-Signature-Timestamp"), Recorded(recorded, "X-Zendesk-Webhook-Signature")], headers);
    }

    [Fact]
    public void Intercom_header_is_the_recorded_deliverys_header()
    {
        var recorded = Headers("intercom/intercom-conversation-user-created.headers.json");

        var headers = WebhookSigner.Intercom(recorded.Strings["testClientSecret"], Fixture.Bytes("intercom/intercom-conversation-user-created.json"));

        Assert.Equal([Recorded(recorded, "X-Hub-Signature")], headers);
    }

    [Theory]
    [InlineData("")]
    [InlineData("sha256=forged")]
    public void Signed_Shopify_request_carries_a_given_signature_or_none_when_it_is_empty(string signature)
    {
        using var request = SignedRequests.Shopify(new Uri("http://127.0.0.1/api/webhooks/shopify"), [1, 2, 3], "secret", "orders/create", "wh-1", signature);

        Assert.Equal(signature.Length > 0, request.Headers.Contains("X-Shopify-Hmac-Sha256"));
        Assert.Equal("orders/create", Single(request, "X-Shopify-Topic"));
        Assert.Equal("wh-1", Single(request, "X-Shopify-Webhook-Id"));
    }

    [Fact]
    public void Signed_HubSpot_request_carries_the_signature_of_its_own_url_and_body()
    {
        var recorded = Headers("hubspot/hubspot-webhook-batch.headers.json");
        var body = Fixture.Bytes("hubspot/hubspot-webhook-batch.json");
        var at = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(recorded.Headers["X-HubSpot-Request-Timestamp"], CultureInfo.InvariantCulture));

        using var request = SignedRequests.HubSpot(new Uri(recorded.Strings["url"]), body, recorded.Strings["testClientSecret"], at);

        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("application/json", request.Content!.Headers.ContentType!.ToString());
        Assert.Equal(recorded.Headers["X-HubSpot-Signature-v3"], Assert.Single(request.Headers.GetValues("X-HubSpot-Signature-v3")));
        Assert.Equal(recorded.Headers["X-HubSpot-Request-Timestamp"], Assert.Single(request.Headers.GetValues("X-HubSpot-Request-Timestamp")));
    }

    [Fact]
    public void Signed_Standard_Webhooks_request_verifies_now_and_is_stale_after_the_tolerance()
    {
        const string Secret = "whsec_BwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSY=";
        var at = new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
        var body = Fixture.Bytes("custom/standard-webhooks-custom-source.json");

        using var request = SignedRequests.StandardWebhooks(new Uri("http://127.0.0.1/api/webhooks/custom/contoso-pos"), body, Secret, "msg_1", at);
        SignatureCheck CheckAt(DateTimeOffset now) => StandardWebhooksSignature.Verify(
            [Secret],
            Single(request, StandardWebhooksSignature.IdHeader),
            Single(request, StandardWebhooksSignature.TimestampHeader),
            Single(request, StandardWebhooksSignature.SignatureHeader),
            body,
            now);

        Assert.Equal(SignatureCheck.Valid, CheckAt(at.AddSeconds(1)));
        Assert.Equal(SignatureCheck.Stale, CheckAt(at + StandardWebhooksSignature.Tolerance + TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Plain_xml_request_is_declared_utf8_and_carries_no_signature()
    {
        using var request = SignedRequests.Plain(new Uri("http://127.0.0.1/api/webhooks/salesforce?code=k"), Fixture.Bytes("salesforce/salesforce-outbound-message.xml"), "text/xml");

        Assert.Equal("text/xml; charset=utf-8", request.Content!.Headers.ContentType!.ToString());
        Assert.Empty(request.Headers);
    }

    [Fact]
    public void Survey_tool_headers_are_the_recorded_deliveries_headers()
    {
        var typeform = Headers("typeform/typeform-form-response.headers.json");
        var monkey = Headers("surveymonkey/surveymonkey-response-completed.headers.json");
        var delighted = Headers("delighted/delighted-survey-response-updated.headers.json");

        Assert.Equal(
            [Recorded(typeform, "Typeform-Signature")],
            WebhookSigner.Typeform(typeform.Strings["testSecret"], Fixture.Bytes("typeform/typeform-form-response.json")));
        Assert.Equal(
            [Recorded(monkey, "Sm-Apikey"), Recorded(monkey, "Sm-Signature")],
            WebhookSigner.SurveyMonkey(monkey.Strings["testClientId"], monkey.Strings["testClientSecret"], Fixture.Bytes("surveymonkey/surveymonkey-response-completed.json")));
        Assert.Equal(
            [Recorded(delighted, "X-Delighted-Webhook-Signature")],
            WebhookSigner.Delighted(delighted.Strings["testApiKey"], Fixture.Bytes("delighted/delighted-survey-response-updated.json")));
    }

    [Fact]
    public void Signed_survey_tool_requests_carry_the_signature_of_their_own_body()
    {
        var body = "{\"event_type\":\"form_response\"}"u8.ToArray();
        using var typeform = SignedRequests.Plain(new Uri("http://127.0.0.1/api/webhooks/typeform"), body, "application/json").SignedAsTypeform("s", body);
        using var monkey = SignedRequests.Plain(new Uri("http://127.0.0.1/api/webhooks/surveymonkey"), body, "application/json").SignedAsSurveyMonkey("id", "s", body);
        using var delighted = SignedRequests.Plain(new Uri("http://127.0.0.1/api/webhooks/delighted"), body, "application/json").SignedAsDelighted("k", body);

        Assert.Equal(SignatureCheck.Valid, TypeformSignature.Verify("s", body, Single(typeform, "Typeform-Signature")));
        Assert.Equal(SignatureCheck.Valid, SurveyMonkeySignature.Verify(Single(monkey, "Sm-Apikey"), "s", body, Single(monkey, "Sm-Signature")));
        Assert.Equal(SignatureCheck.Valid, DelightedSignature.Verify("k", body, Single(delighted, "X-Delighted-Webhook-Signature")));
    }

    private static KeyValuePair<string, string> Recorded(HeadersFixture recorded, string name) => new(name, recorded.Headers[name]);

    private static string Single(HttpRequestMessage request, string name) => Assert.Single(request.Headers.GetValues(name));
}
