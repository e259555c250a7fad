using System.Security.Cryptography;
using System.Text;

namespace JourneyHub.Core.Signatures;

/// <summary>
/// Typeform webhooks (typeform.com/developers/webhooks/secure-your-webhooks):
/// <c>Typeform-Signature: sha256=&lt;base64 HMAC-SHA256(secret, raw body)&gt;</c>. The secret is the one set on the
/// webhook through Typeform's Webhooks API or its Connect panel. Typeform sends no timestamp, so there is no replay window
/// to check; redeliveries are harmless because touchpoint ids derive from the response token.
/// </summary>
public static class TypeformSignature
{
    public const string HeaderName = "Typeform-Signature";
    private const string Prefix = "sha256=";
    private const int HashBytes = 32;

    public static SignatureCheck Verify(string? secret, ReadOnlySpan<byte> body, string? signatureHeader)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return SignatureCheck.NotConfigured;
        }

        if (string.IsNullOrWhiteSpace(signatureHeader))
        {
            return SignatureCheck.Missing;
        }

        var value = signatureHeader.Trim();
        Span<byte> given = stackalloc byte[48];
        if (!value.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)
            || !Convert.TryFromBase64Chars(value.AsSpan(Prefix.Length), given, out var written)
            || written != HashBytes)
        {
            return SignatureCheck.Malformed;
        }

        Span<byte> expected = stackalloc byte[HashBytes];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, given[..written]) ? SignatureCheck.Valid : SignatureCheck.Mismatch;
    }

    /// <summary>The header value Typeform would send for these bytes (tests, fixtures and the load harness use it).</summary>
    public static string Compute(string secret, ReadOnlySpan<byte> body) =>
        Prefix + Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}
