using System.Text;
using JourneyHub.Core.Signatures;
using JourneyHub.Core.Sources.Delighted;
using JourneyHub.Core.Sources.SurveyMonkey;
using JourneyHub.Core.Sources.Typeform;
using static JourneyHub.UnitTests.Sources.SourceTestKit;

namespace JourneyHub.UnitTests.Sources.Surveys;

/// <summary>
/// The three survey tools' signatures against the golden fixtures, whose header values were computed outside the hub
/// (Python's hmac) over the exact file bytes: known-answer tests, not round trips.
/// </summary>
public sealed class SurveySignatureTests
{
    private const string TypeformFixture = "typeform/typeform-form-response";
    private const string SurveyMonkeyFixture = "surveymonkey/surveymonkey-response-completed";
    private const string DelightedFixture = "delighted/delighted-survey-response-updated";

    [Fact]
    public void Typeform_fixture_signature_verifies_over_the_raw_bytes()
    {
        var headers = Headers(TypeformFixture + ".headers.json");
        var body = Fixture.Bytes(TypeformFixture + ".json");

        Assert.Equal(SignatureCheck.Valid, TypeformSignature.Verify(headers.Strings["testSecret"], body, headers.Headers["Typeform-Signature"]));
        Assert.Equal(headers.Headers["Typeform-Signature"], TypeformSignature.Compute(headers.Strings["testSecret"], body));
    }

    [Fact]
    public void SurveyMonkey_fixture_signature_verifies_with_client_id_and_secret()
    {
        var headers = Headers(SurveyMonkeyFixture + ".headers.json");
        var body = Fixture.Bytes(SurveyMonkeyFixture + ".json");

        var check = SurveyMonkeySignature.Verify(headers.Strings["testClientId"], headers.Strings["testClientSecret"], body, headers.Headers["Sm-Signature"]);

        Assert.Equal(SignatureCheck.Valid, check);
        Assert.Equal(headers.Headers["Sm-Signature"], SurveyMonkeySignature.Compute(headers.Strings["testClientId"], headers.Strings["testClientSecret"], body));
        Assert.Equal(headers.Strings["testClientId"], headers.Headers["Sm-Apikey"]);
    }

    [Theory]
    [InlineData("delighted/delighted-survey-response-updated")]
    [InlineData("delighted/delighted-survey-response-created-ces")]
    [InlineData("delighted/delighted-unsubscribe-created")]
    public void Delighted_fixture_signatures_verify_with_the_api_key(string fixture)
    {
        var headers = Headers(fixture + ".headers.json");
        var body = Fixture.Bytes(fixture + ".json");

        Assert.Equal(SignatureCheck.Valid, DelightedSignature.Verify(headers.Strings["testApiKey"], body, headers.Headers["X-Delighted-Webhook-Signature"]));
        Assert.Equal(headers.Headers["X-Delighted-Webhook-Signature"], DelightedSignature.Compute(headers.Strings["testApiKey"], body));
    }

    [Fact]
    public void A_changed_byte_or_a_wrong_key_is_a_mismatch_for_every_tool()
    {
        var typeform = Headers(TypeformFixture + ".headers.json");
        var typeformBody = Fixture.Bytes(TypeformFixture + ".json");
        var monkey = Headers(SurveyMonkeyFixture + ".headers.json");
        var monkeyBody = Fixture.Bytes(SurveyMonkeyFixture + ".json");
        var delighted = Headers(DelightedFixture + ".headers.json");
        var delightedBody = Fixture.Bytes(DelightedFixture + ".json");

        Assert.Equal(SignatureCheck.Mismatch, TypeformSignature.Verify("another-secret", typeformBody, typeform.Headers["Typeform-Signature"]));
        Assert.Equal(SignatureCheck.Mismatch, SurveyMonkeySignature.Verify(monkey.Strings["testClientId"], "another-secret", monkeyBody, monkey.Headers["Sm-Signature"]));
        Assert.Equal(SignatureCheck.Mismatch, DelightedSignature.Verify("another-key", delightedBody, delighted.Headers["X-Delighted-Webhook-Signature"]));

        typeformBody[^5] ^= 0x01;
        monkeyBody[^5] ^= 0x01;
        delightedBody[^5] ^= 0x01;
        Assert.Equal(SignatureCheck.Mismatch, TypeformSignature.Verify(typeform.Strings["testSecret"], typeformBody, typeform.Headers["Typeform-Signature"]));
        Assert.Equal(SignatureCheck.Mismatch, SurveyMonkeySignature.Verify(monkey.Strings["testClientId"], monkey.Strings["testClientSecret"], monkeyBody, monkey.Headers["Sm-Signature"]));
        Assert.Equal(SignatureCheck.Mismatch, DelightedSignature.Verify(delighted.Strings["testApiKey"], delightedBody, delighted.Headers["X-Delighted-Webhook-Signature"]));
    }

    [Fact]
    public void Re_serialized_json_does_not_verify_only_the_bytes_sent_do()
    {
        const string secret = "s3cr3t";
        var sent = Encoding.UTF8.GetBytes("{\"event_id\":\"01\",\"form_response\":{\"answers\":[{\"text\":\"caf\\u00e9\"}]}}");
        var reencoded = Encoding.UTF8.GetBytes("{\"event_id\":\"01\",\"form_response\":{\"answers\":[{\"text\":\"café\"}]}}");

        Assert.Equal(SignatureCheck.Valid, TypeformSignature.Verify(secret, sent, TypeformSignature.Compute(secret, sent)));
        Assert.Equal(SignatureCheck.Mismatch, TypeformSignature.Verify(secret, reencoded, TypeformSignature.Compute(secret, sent)));
        Assert.Equal(SignatureCheck.Mismatch, SurveyMonkeySignature.Verify("id", secret, reencoded, SurveyMonkeySignature.Compute("id", secret, sent)));
        Assert.Equal(SignatureCheck.Mismatch, DelightedSignature.Verify(secret, reencoded, DelightedSignature.Compute(secret, sent)));
    }

    [Theory]
    [InlineData(null, SignatureCheck.Missing)]
    [InlineData(" ", SignatureCheck.Missing)]
    [InlineData("sha1=qY8K8a35NgvAVr0fgTkekw5DF58MYoBhkIzobdDrHOY=", SignatureCheck.Malformed)]
    [InlineData("sha256=not base64!", SignatureCheck.Malformed)]
    [InlineData("sha256=qY8K8a35NgvAVr0f", SignatureCheck.Malformed)]
    [InlineData("qY8K8a35NgvAVr0fgTkekw5DF58MYoBhkIzobdDrHOY=", SignatureCheck.Malformed)]
    public void Typeform_missing_or_malformed_headers_are_reported_as_such(string? header, SignatureCheck expected) =>
        Assert.Equal(expected, TypeformSignature.Verify("secret", "{}"u8, header));

    [Theory]
    [InlineData(null, SignatureCheck.Missing)]
    [InlineData("", SignatureCheck.Missing)]
    [InlineData("%%%", SignatureCheck.Malformed)]
    [InlineData("qY8K8a35NgvAVr0fgTkekw5DF58MYoBhkIzobdDrHOY=", SignatureCheck.Malformed)]
    public void SurveyMonkey_missing_or_malformed_headers_are_reported_as_such(string? header, SignatureCheck expected) =>
        Assert.Equal(expected, SurveyMonkeySignature.Verify("id", "secret", "{}"u8, header));

    [Theory]
    [InlineData(null, SignatureCheck.Missing)]
    [InlineData("", SignatureCheck.Missing)]
    [InlineData("463e70b6dd69b690be07c93b6075952bfaa71411d935102931db34f0c90c444e", SignatureCheck.Malformed)]
    [InlineData("sha256=463e70b6", SignatureCheck.Malformed)]
    [InlineData("sha256=zz3e70b6dd69b690be07c93b6075952bfaa71411d935102931db34f0c90c444e", SignatureCheck.Malformed)]
    public void Delighted_missing_or_malformed_headers_are_reported_as_such(string? header, SignatureCheck expected) =>
        Assert.Equal(expected, DelightedSignature.Verify("key", "{}"u8, header));

    [Fact]
    public void Without_their_settings_the_tools_are_not_configured()
    {
        Assert.Equal(SignatureCheck.NotConfigured, TypeformSignature.Verify(null, "{}"u8, "sha256=x"));
        Assert.Equal(SignatureCheck.NotConfigured, SurveyMonkeySignature.Verify("id", null, "{}"u8, "x"));
        Assert.Equal(SignatureCheck.NotConfigured, SurveyMonkeySignature.Verify(null, "secret", "{}"u8, "x"));
        Assert.Equal(SignatureCheck.NotConfigured, DelightedSignature.Verify("", "{}"u8, "sha256=x"));
    }

    [Fact]
    public void Verifiers_read_their_headers_case_insensitively_and_explain_a_refusal()
    {
        var typeform = Headers(TypeformFixture + ".headers.json");
        var monkey = Headers(SurveyMonkeyFixture + ".headers.json");
        var delighted = Headers(DelightedFixture + ".headers.json");
        static Dictionary<string, string> Lower(HeadersFixture f) => f.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value);

        var typeformVerifier = new TypeformWebhookVerifier(Monitor(new TypeformOptions { Secret = typeform.Strings["testSecret"] }));
        var monkeyVerifier = new SurveyMonkeyWebhookVerifier(Monitor(new SurveyMonkeyOptions { ClientId = monkey.Strings["testClientId"], ClientSecret = monkey.Strings["testClientSecret"] }));
        var delightedVerifier = new DelightedWebhookVerifier(Monitor(new DelightedOptions { ApiKey = delighted.Strings["testApiKey"] }));

        Assert.True(typeformVerifier.Verify(Webhook(Fixture.Bytes(TypeformFixture + ".json"), Lower(typeform)), ReceivedAt).IsValid);
        Assert.True(monkeyVerifier.Verify(Webhook(Fixture.Bytes(SurveyMonkeyFixture + ".json"), Lower(monkey)), ReceivedAt).IsValid);
        Assert.True(delightedVerifier.Verify(Webhook(Fixture.Bytes(DelightedFixture + ".json"), Lower(delighted)), ReceivedAt).IsValid);

        var refused = new DelightedWebhookVerifier(Monitor(new DelightedOptions())).Verify(Webhook("{}"u8.ToArray(), new Dictionary<string, string>()), ReceivedAt);
        Assert.Equal(SignatureCheck.NotConfigured, refused.Check);
        Assert.Contains("Sources:Delighted:ApiKey", refused.Detail, StringComparison.Ordinal);
        var unsigned = typeformVerifier.Verify(Webhook("{}"u8.ToArray(), new Dictionary<string, string>()), ReceivedAt);
        Assert.Equal(SignatureCheck.Missing, unsigned.Check);
        Assert.Contains("Typeform-Signature", unsigned.Detail, StringComparison.Ordinal);
        Assert.Equal(["typeform", "surveymonkey", "delighted"], new[] { typeformVerifier.Source.Name, monkeyVerifier.Source.Name, delightedVerifier.Source.Name });
    }
}
