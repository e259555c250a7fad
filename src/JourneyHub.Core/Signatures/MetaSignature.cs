using System.Security.Cryptography;
using System.Text;

namespace JourneyHub.Core.Signatures;

/// <summary>
/// Meta Graph webhooks: <c>X-Hub-Signature-256: sha256=&lt;lower-case hex HMAC-SHA256(appSecret, raw body)&gt;</c>.
/// Meta signs the escaped-unicode bytes it sends (<c>\u00e9</c>), so only the raw request bytes verify.
/// </summary>
public static class MetaSignature
{
    public const string HeaderName = "X-Hub-Signature-256";

    private static readonly BodyHmac Scheme = BodyHmac.Hex(HashAlgorithmName.SHA256, "sha256=");

    public static SignatureCheck Verify(string? appSecret, ReadOnlySpan<byte> body, string? signatureHeader) =>
        Scheme.Verify(Key(appSecret), body, signatureHeader);

    /// <summary>The header value Meta would send for these bytes (used by tests and local tooling).</summary>
    public static string Compute(string appSecret, ReadOnlySpan<byte> body) => Scheme.Sign(Key(appSecret)!, body);

    private static byte[]? Key(string? secret) => string.IsNullOrEmpty(secret) ? null : Encoding.UTF8.GetBytes(secret);
}
