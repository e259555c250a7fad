using System.Security.Cryptography;
using System.Text;

namespace JourneyHub.Core.Signatures;

/// <summary>
/// Shopify webhooks: <c>X-Shopify-Hmac-Sha256: &lt;base64 HMAC-SHA256(client secret, raw body)&gt;</c>
/// (https://shopify.dev/docs/apps/build/webhooks/verify-deliveries). Only the bytes as received verify.
/// </summary>
public static class ShopifySignature
{
    public const string HeaderName = "X-Shopify-Hmac-Sha256";

    /// <summary>Base64 of a 32-byte digest is 44 characters; anything longer is not a Shopify signature.</summary>
    private const int Base64Length = 44;

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
        Span<byte> given = stackalloc byte[32];
        if (value.Length != Base64Length
            || Convert.TryFromBase64String(value, given, out var written) is false
            || written != 32)
        {
            return SignatureCheck.Malformed;
        }

        Span<byte> expected = stackalloc byte[32];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, given) ? SignatureCheck.Valid : SignatureCheck.Mismatch;
    }

    /// <summary>The header value Shopify would send for these bytes (tests and local tooling).</summary>
    public static string Compute(string secret, ReadOnlySpan<byte> body) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}
