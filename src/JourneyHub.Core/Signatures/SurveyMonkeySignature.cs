using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace JourneyHub.Core.Signatures;

/// <summary>
/// SurveyMonkey webhook callbacks (SurveyMonkey/public_api_docs, "Webhook Callbacks"):
/// <c>Sm-Signature: &lt;base64 HMAC-SHA1(key = "&lt;client id&gt;&amp;&lt;client secret&gt;", raw body)&gt;</c>, and
/// <c>Sm-Apikey</c> carries the client id. SurveyMonkey sends no timestamp; the response id makes redeliveries harmless.
/// </summary>
[SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms", Justification = "SurveyMonkey signs with HMAC-SHA1; the hub can only verify what the sender computes.")]
public static class SurveyMonkeySignature
{
    public const string HeaderName = "Sm-Signature";
    public const string ApiKeyHeaderName = "Sm-Apikey";
    private const int HashBytes = 20;

    public static SignatureCheck Verify(string? clientId, string? clientSecret, ReadOnlySpan<byte> body, string? signatureHeader)
    {
        if (string.IsNullOrEmpty(clientId) || string.IsNullOrEmpty(clientSecret))
        {
            return SignatureCheck.NotConfigured;
        }

        if (string.IsNullOrWhiteSpace(signatureHeader))
        {
            return SignatureCheck.Missing;
        }

        Span<byte> given = stackalloc byte[32];
        if (!Convert.TryFromBase64Chars(signatureHeader.AsSpan().Trim(), given, out var written) || written != HashBytes)
        {
            return SignatureCheck.Malformed;
        }

        Span<byte> expected = stackalloc byte[HashBytes];
        HMACSHA1.HashData(Key(clientId, clientSecret), body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, given[..written]) ? SignatureCheck.Valid : SignatureCheck.Mismatch;
    }

    /// <summary>The header value SurveyMonkey would send for these bytes (tests, fixtures and the load harness use it).</summary>
    public static string Compute(string clientId, string clientSecret, ReadOnlySpan<byte> body) =>
        Convert.ToBase64String(HMACSHA1.HashData(Key(clientId, clientSecret), body));

    // SHA-1 is SurveyMonkey's choice, not ours; as an HMAC (not a bare hash) it still authenticates.
    private static byte[] Key(string clientId, string clientSecret) => Encoding.UTF8.GetBytes(clientId + "&" + clientSecret);
}
