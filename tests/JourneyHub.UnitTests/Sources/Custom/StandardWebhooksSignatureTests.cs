using System.Text;
using JourneyHub.Core.Signatures;
using JourneyHub.Core.Sources.Custom;
using static JourneyHub.UnitTests.Sources.SourceTestKit;

namespace JourneyHub.UnitTests.Sources.Custom;

public sealed class StandardWebhooksSignatureTests
{
    private static readonly HeadersFixture Known = Headers("custom/standard-webhooks-custom-source.headers.json");
    private static readonly byte[] Body = Fixture.Bytes("custom/standard-webhooks-custom-source.json");
    private static readonly string Secret = Known.Strings["testSecret"];
    private static readonly string PreviousSecret = Known.Strings["testPreviousSecret"];
    private static readonly DateTimeOffset SentAt = DateTimeOffset.FromUnixTimeSeconds(long.Parse(Known.Headers["webhook-timestamp"], System.Globalization.CultureInfo.InvariantCulture));

    private static SignatureCheck Check(IReadOnlyList<string> secrets, DateTimeOffset now, byte[]? body = null, string? id = "", string? timestamp = "", string? signature = "") =>
        StandardWebhooksSignature.Verify(
            secrets,
            id == "" ? Known.Headers["webhook-id"] : id,
            timestamp == "" ? Known.Headers["webhook-timestamp"] : timestamp,
            signature == "" ? Known.Headers["webhook-signature"] : signature,
            body ?? Body,
            now);

    [Fact]
    public void Known_answer_verifies_with_the_current_secret_alone() => Assert.Equal(SignatureCheck.Valid, Check([Secret], SentAt));

    [Fact]
    public void Known_answer_verifies_with_the_previous_secret_alone() => Assert.Equal(SignatureCheck.Valid, Check([PreviousSecret], SentAt));

    [Fact]
    public void Each_header_entry_is_the_signature_of_one_secret()
    {
        var entries = Known.Headers["webhook-signature"].Split(' ');
        Assert.Equal(entries[0], StandardWebhooksSignature.Sign(Secret, Known.Headers["webhook-id"], Known.Headers["webhook-timestamp"], Body));
        Assert.Equal(entries[1], StandardWebhooksSignature.Sign(PreviousSecret, Known.Headers["webhook-id"], Known.Headers["webhook-timestamp"], Body));
    }

    [Fact]
    public void Wrong_secret_is_a_mismatch() =>
        Assert.Equal(SignatureCheck.Mismatch, Check(["whsec_" + Convert.ToBase64String(new byte[32])], SentAt));

    [Fact]
    public void Tampered_body_is_a_mismatch()
    {
        var tampered = (byte[])Body.Clone();
        tampered[^5] = (byte)'9';
        Assert.Equal(SignatureCheck.Mismatch, Check([Secret, PreviousSecret], SentAt, tampered));
    }

    [Fact]
    public void Changed_webhook_id_is_a_mismatch() => Assert.Equal(SignatureCheck.Mismatch, Check([Secret], SentAt, id: "msg_other"));

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    [InlineData(-3600)]
    public void Timestamp_more_than_five_minutes_away_is_stale(int offsetSeconds) =>
        Assert.Equal(SignatureCheck.Stale, Check([Secret], SentAt.AddSeconds(-offsetSeconds)));

    [Theory]
    [InlineData(-300)]
    [InlineData(300)]
    [InlineData(0)]
    public void Timestamp_within_five_minutes_either_way_is_accepted(int offsetSeconds) =>
        Assert.Equal(SignatureCheck.Valid, Check([Secret], SentAt.AddSeconds(offsetSeconds)));

    [Theory]
    [InlineData(null, "1741962125", "v1,abc")]
    [InlineData("msg_1", null, "v1,abc")]
    [InlineData("msg_1", "1741962125", null)]
    [InlineData("msg_1", " ", "v1,abc")]
    public void Any_missing_header_is_missing(string? id, string? timestamp, string? signature) =>
        Assert.Equal(SignatureCheck.Missing, StandardWebhooksSignature.Verify([Secret], id, timestamp, signature, Body, SentAt));

    [Fact]
    public void Non_numeric_timestamp_is_malformed() => Assert.Equal(SignatureCheck.Malformed, Check([Secret], SentAt, timestamp: "2025-03-14T14:22:05Z"));

    [Fact]
    public void Other_signature_versions_are_ignored()
    {
        var v1 = Known.Headers["webhook-signature"].Split(' ')[0];
        Assert.Equal(SignatureCheck.Valid, Check([Secret], SentAt, signature: "v1a,Zm9vYmFy v2,xyz " + v1));
        Assert.Equal(SignatureCheck.Malformed, Check([Secret], SentAt, signature: "v1a," + v1[3..]));
    }

    [Fact]
    public void No_usable_secret_is_not_configured()
    {
        Assert.Equal(SignatureCheck.NotConfigured, Check([], SentAt));
        Assert.Equal(SignatureCheck.NotConfigured, Check(["whsec_not*base64"], SentAt));
    }

    [Theory]
    [InlineData("whsec_a whsec_b", 2)]
    [InlineData("whsec_a,whsec_b", 2)]
    [InlineData(" whsec_a , whsec_b  whsec_c ", 3)]
    [InlineData("", 0)]
    [InlineData(null, 0)]
    public void Setting_may_hold_several_secrets_separated_by_spaces_or_commas(string? setting, int count) =>
        Assert.Equal(count, StandardWebhooksSignature.SplitSecrets(setting).Count);

    [Fact]
    public void Verifier_accepts_the_fixture_and_hands_the_webhook_id_to_the_processor()
    {
        var verifier = Verifier($"{PreviousSecret}, {Secret}");

        var result = verifier.Verify(Webhook(Body, Known.Headers, "contoso-pos"), SentAt.AddSeconds(2));

        Assert.True(result.IsValid);
        Assert.Equal("msg_2tZk7Qm2xWv9LbT4pN8rJ1cYd0F", result.Properties![CustomWebhookVerifier.WebhookIdProperty]);
    }

    [Fact]
    public void Verifier_reads_header_names_case_insensitively()
    {
        var upper = Known.Headers.ToDictionary(h => h.Key.ToUpperInvariant(), h => h.Value);
        Assert.True(Verifier(Secret).Verify(Webhook(Body, upper, "contoso-pos"), SentAt).IsValid);
    }

    [Fact]
    public void Verifier_refuses_an_unknown_source_name_as_not_configured()
    {
        var result = Verifier(Secret).Verify(Webhook(Body, Known.Headers, "someone-else"), SentAt);
        Assert.Equal(SignatureCheck.NotConfigured, result.Check);
        Assert.Contains("someone-else", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Verifier_reports_missing_headers()
    {
        var result = Verifier(Secret).Verify(Webhook(Body, new Dictionary<string, string> { ["Content-Type"] = "application/json" }, "contoso-pos"), SentAt);
        Assert.Equal(SignatureCheck.Missing, result.Check);
    }

    [Fact]
    public void Verifier_rejects_a_stale_delivery_with_the_clock_it_is_given()
    {
        var result = Verifier(Secret).Verify(Webhook(Body, Known.Headers, "contoso-pos"), SentAt.AddMinutes(6));
        Assert.Equal(SignatureCheck.Stale, result.Check);
    }

    [Fact]
    public void Signing_and_verifying_round_trip_for_any_body()
    {
        var body = Encoding.UTF8.GetBytes("{\"hello\":\"wörld\"}");
        var header = StandardWebhooksSignature.Sign(Secret, "msg_x", "1741962125", body);
        Assert.Equal(SignatureCheck.Valid, StandardWebhooksSignature.Verify([Secret], "msg_x", "1741962125", header, body, SentAt));
    }

    private static CustomWebhookVerifier Verifier(string secret)
    {
        var options = new CustomSourceOptions();
        options.Sources["Contoso-POS"] = new CustomSourceSettings { Secret = secret };
        return new CustomWebhookVerifier(Monitor(options));
    }
}
