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

    private static readonly BodyHmac Scheme = BodyHmac.Base64(HashAlgorithmName.SHA256);

    public static SignatureCheck Verify(string? secret, ReadOnlySpan<byte> body, string? signatureHeader) =>
        Scheme.Verify(Key(secret), body, signatureHeader);

    /// <summary>The header value Shopify would send for these bytes (tests and local tooling).</summary>
    public static string Compute(string secret, ReadOnlySpan<byte> body) => Scheme.Sign(Key(secret)!, body);

    private static byte[]? Key(string? secret) => string.IsNullOrEmpty(secret) ? null : Encoding.UTF8.GetBytes(secret);
}
