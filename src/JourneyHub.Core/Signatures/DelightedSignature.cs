using System.Security.Cryptography;
using System.Text;

namespace JourneyHub.Core.Signatures;

/// <summary>
/// Delighted webhooks: <c>X-Delighted-Webhook-Signature: sha256=&lt;lower-case hex HMAC-SHA256(API key, raw body)&gt;</c>,
/// keyed with the project's private API key. Delighted sends no timestamp header; the event id makes redeliveries
/// harmless. (The header's exact encoding is not spelled out in Delighted's public page; see
/// tests/Fixtures/delighted/README.md for the sources it was taken from.)
/// </summary>
public static class DelightedSignature
{
    public const string HeaderName = "X-Delighted-Webhook-Signature";

    private static readonly BodyHmac Scheme = BodyHmac.Hex(HashAlgorithmName.SHA256, "sha256=");

    public static SignatureCheck Verify(string? apiKey, ReadOnlySpan<byte> body, string? signatureHeader) =>
        Scheme.Verify(Key(apiKey), body, signatureHeader);

    /// <summary>The header value Delighted would send for these bytes (tests, fixtures and the load harness use it).</summary>
    public static string Compute(string apiKey, ReadOnlySpan<byte> body) => Scheme.Sign(Key(apiKey)!, body);

    private static byte[]? Key(string? apiKey) => string.IsNullOrEmpty(apiKey) ? null : Encoding.UTF8.GetBytes(apiKey);
}
