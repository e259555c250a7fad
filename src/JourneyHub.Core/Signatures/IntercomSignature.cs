using System.Security.Cryptography;
using System.Text;

namespace JourneyHub.Core.Signatures;

/// <summary>
/// Intercom webhooks: <c>X-Hub-Signature: sha1=&lt;lower-case hex HMAC-SHA1(app client secret, raw body)&gt;</c>
/// (https://developers.intercom.com/docs/webhooks/setting-up-webhooks). SHA-1 is Intercom's choice, not ours; as an HMAC
/// it is still a sound authenticity check.
/// </summary>
public static class IntercomSignature
{
    public const string HeaderName = "X-Hub-Signature";

    private static readonly BodyHmac Scheme = BodyHmac.Hex(HashAlgorithmName.SHA1, "sha1=");

    public static SignatureCheck Verify(string? clientSecret, ReadOnlySpan<byte> body, string? signatureHeader) =>
        Scheme.Verify(Key(clientSecret), body, signatureHeader);

    /// <summary>The header value Intercom would send for these bytes (tests and local tooling).</summary>
    public static string Compute(string clientSecret, ReadOnlySpan<byte> body) => Scheme.Sign(Key(clientSecret)!, body);

    private static byte[]? Key(string? secret) => string.IsNullOrEmpty(secret) ? null : Encoding.UTF8.GetBytes(secret);
}
