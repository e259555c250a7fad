using System.Security.Cryptography;
using System.Text;

namespace JourneyHub.Core.Signatures;

/// <summary>
/// Intercom webhooks: <c>X-Hub-Signature: sha1=&lt;lower-case hex HMAC-SHA1(app client secret, raw body)&gt;</c>
/// (https://developers.intercom.com/docs/webhooks/setting-up-webhooks). SHA-1 is Intercom's choice, not ours; as an HMAC
/// it is still a sound authenticity check.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Security",
    "CA5350:Do Not Use Weak Cryptographic Algorithms",
    Justification = "Intercom signs with HMAC-SHA1 and offers nothing stronger; HMAC-SHA1 is not broken as a MAC, and the hub only verifies, never chooses, it.")]
public static class IntercomSignature
{
    public const string HeaderName = "X-Hub-Signature";
    private const string Prefix = "sha1=";
    private const int DigestBytes = 20;

    public static SignatureCheck Verify(string? clientSecret, ReadOnlySpan<byte> body, string? signatureHeader)
    {
        if (string.IsNullOrEmpty(clientSecret))
        {
            return SignatureCheck.NotConfigured;
        }

        if (string.IsNullOrWhiteSpace(signatureHeader))
        {
            return SignatureCheck.Missing;
        }

        var value = signatureHeader.Trim();
        if (!value.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || value.Length != Prefix.Length + (2 * DigestBytes))
        {
            return SignatureCheck.Malformed;
        }

        Span<byte> given = stackalloc byte[DigestBytes];
        if (Convert.FromHexString(value.AsSpan(Prefix.Length), given, out _, out var written) != System.Buffers.OperationStatus.Done || written != DigestBytes)
        {
            return SignatureCheck.Malformed;
        }

        Span<byte> expected = stackalloc byte[DigestBytes];
        HMACSHA1.HashData(Encoding.UTF8.GetBytes(clientSecret), body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, given) ? SignatureCheck.Valid : SignatureCheck.Mismatch;
    }

    /// <summary>The header value Intercom would send for these bytes (tests and local tooling).</summary>
    public static string Compute(string clientSecret, ReadOnlySpan<byte> body) =>
        Prefix + Convert.ToHexStringLower(HMACSHA1.HashData(Encoding.UTF8.GetBytes(clientSecret), body));
}
