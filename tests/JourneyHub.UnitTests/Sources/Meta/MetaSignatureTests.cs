using System.Text;
using JourneyHub.Core.Signatures;
using JourneyHub.Core.Sources.Meta;
using static JourneyHub.UnitTests.Sources.SourceTestKit;

namespace JourneyHub.UnitTests.Sources.Meta;

public sealed class MetaSignatureTests
{
    [Theory]
    [InlineData("meta/meta-page-messenger-message")]
    [InlineData("meta/meta-instagram-comment")]
    public void Published_fixture_signature_verifies_over_the_raw_bytes(string fixture)
    {
        var headers = Headers(fixture + ".headers.json");
        var body = Fixture.Bytes(fixture + ".json");

        var check = MetaSignature.Verify(headers.Strings["testAppSecret"], body, headers.Headers["X-Hub-Signature-256"]);

        Assert.Equal(SignatureCheck.Valid, check);
        Assert.Equal(headers.Headers["X-Hub-Signature-256"], MetaSignature.Compute(headers.Strings["testAppSecret"], body));
    }

    [Fact]
    public void Wrong_secret_is_a_mismatch()
    {
        var headers = Headers("meta/meta-page-messenger-message.headers.json");
        var check = MetaSignature.Verify("0000000000000000", Fixture.Bytes("meta/meta-page-messenger-message.json"), headers.Headers["X-Hub-Signature-256"]);
        Assert.Equal(SignatureCheck.Mismatch, check);
    }

    [Fact]
    public void Tampered_body_is_a_mismatch()
    {
        var headers = Headers("meta/meta-page-messenger-message.headers.json");
        var body = Fixture.Bytes("meta/meta-page-messenger-message.json");
        body[^3] ^= 0x01;
        Assert.Equal(SignatureCheck.Mismatch, MetaSignature.Verify(headers.Strings["testAppSecret"], body, headers.Headers["X-Hub-Signature-256"]));
    }

    [Theory]
    [InlineData(null, SignatureCheck.Missing)]
    [InlineData("", SignatureCheck.Missing)]
    [InlineData("sha1=abcdef", SignatureCheck.Malformed)]
    [InlineData("sha256=zz49cbfaab9d51e11791a12ee2a54e82486389e924340a60879a494a8c1c65b", SignatureCheck.Malformed)]
    [InlineData("sha256=e7249cbf", SignatureCheck.Malformed)]
    public void Missing_or_malformed_header_is_reported_as_such(string? header, SignatureCheck expected) =>
        Assert.Equal(expected, MetaSignature.Verify("secret", "{}"u8, header));

    [Fact]
    public void No_app_secret_is_not_configured() =>
        Assert.Equal(SignatureCheck.NotConfigured, MetaSignature.Verify(null, "{}"u8, "sha256=" + new string('0', 64)));

    [Fact]
    public void Only_the_escaped_bytes_Meta_sent_verify_not_the_same_text_unescaped()
    {
        const string secret = "3b1f0c9d8e7a6b5c4d3e2f1a0b9c8d7e";
        var escaped = Encoding.UTF8.GetBytes("""{"object":"page","entry":[{"message":"caf\u00e9 cr\u00e8me"}]}""");
        var unescaped = Encoding.UTF8.GetBytes("{\"object\":\"page\",\"entry\":[{\"message\":\"café crème\"}]}");
        var header = MetaSignature.Compute(secret, escaped);

        Assert.Equal(SignatureCheck.Valid, MetaSignature.Verify(secret, escaped, header));
        Assert.Equal(SignatureCheck.Mismatch, MetaSignature.Verify(secret, unescaped, header));
    }

    [Fact]
    public void Verifier_reads_the_header_case_insensitively_and_uses_the_configured_secret()
    {
        var headers = Headers("meta/meta-instagram-comment.headers.json");
        var lowerCased = headers.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value);
        var verifier = new MetaWebhookVerifier(Monitor(new MetaOptions { AppSecret = headers.Strings["testAppSecret"] }));

        var result = verifier.Verify(Webhook(Fixture.Bytes("meta/meta-instagram-comment.json"), lowerCased), ReceivedAt);

        Assert.True(result.IsValid);
        Assert.Equal("meta", verifier.Source.Name);
    }

    [Fact]
    public void Verifier_without_app_secret_answers_not_configured()
    {
        var verifier = new MetaWebhookVerifier(Monitor(new MetaOptions()));
        var result = verifier.Verify(Webhook("{}"u8.ToArray(), new Dictionary<string, string>()), ReceivedAt);
        Assert.Equal(SignatureCheck.NotConfigured, result.Check);
    }

    [Theory]
    [InlineData("subscribe", "tp-hub-verify-6d2f9a", "1158201444", "1158201444")]
    [InlineData("subscribe", "wrong-token", "1158201444", null)]
    [InlineData("unsubscribe", "tp-hub-verify-6d2f9a", "1158201444", null)]
    [InlineData("subscribe", null, "1158201444", null)]
    [InlineData("subscribe", "tp-hub-verify-6d2f9a", "", null)]
    public void Handshake_echoes_the_challenge_only_for_subscribe_with_the_right_token(string? mode, string? token, string? challenge, string? expected)
    {
        var options = new MetaOptions { VerifyToken = "tp-hub-verify-6d2f9a" };
        Assert.Equal(expected, MetaVerification.Handshake(mode, token, challenge, options));
    }

    [Fact]
    public void Handshake_refuses_everything_when_no_verify_token_is_configured() =>
        Assert.Null(MetaVerification.Handshake("subscribe", "", "123", new MetaOptions()));

    [Fact]
    public void Handshake_fixture_request_gets_its_challenge_back()
    {
        using var request = System.Text.Json.JsonDocument.Parse(Fixture.Text("meta/meta-verification-request.json"));
        var url = new Uri(request.RootElement.GetProperty("url").GetString()!);
        var query = url.Query.TrimStart('?').Split('&').Select(p => p.Split('=')).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));

        var answer = MetaVerification.Handshake(query["hub.mode"], query["hub.verify_token"], query["hub.challenge"], new MetaOptions { VerifyToken = "tp-hub-verify-6d2f9a" });

        Assert.Equal("1158201444", answer);
    }
}
