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

    private static readonly BodyHmac Scheme = BodyHmac.Base64(HashAlgorithmName.SHA256, "sha256=");

    public static SignatureCheck Verify(string? secret, ReadOnlySpan<byte> body, string? signatureHeader) =>
        Scheme.Verify(Key(secret), body, signatureHeader);

    /// <summary>The header value Typeform would send for these bytes (tests, fixtures and the load harness use it).</summary>
    public static string Compute(string secret, ReadOnlySpan<byte> body) => Scheme.Sign(Key(secret)!, body);

    private static byte[]? Key(string? secret) => string.IsNullOrEmpty(secret) ? null : Encoding.UTF8.GetBytes(secret);
}
