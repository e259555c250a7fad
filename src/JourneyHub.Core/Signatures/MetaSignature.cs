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
    private const string Prefix = "sha256=";

    public static SignatureCheck Verify(string? appSecret, ReadOnlySpan<byte> body, string? signatureHeader)
    {
        if (string.IsNullOrEmpty(appSecret))
        {
            return SignatureCheck.NotConfigured;
        }

        if (string.IsNullOrWhiteSpace(signatureHeader))
        {
            return SignatureCheck.Missing;
        }

        var value = signatureHeader.Trim();
        if (!value.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || value.Length != Prefix.Length + 64)
        {
            return SignatureCheck.Malformed;
        }

        Span<byte> given = stackalloc byte[32];
        if (Convert.FromHexString(value.AsSpan(Prefix.Length), given, out _, out var written) != System.Buffers.OperationStatus.Done || written != 32)
        {
            return SignatureCheck.Malformed;
        }

        Span<byte> expected = stackalloc byte[32];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, given) ? SignatureCheck.Valid : SignatureCheck.Mismatch;
    }

    /// <summary>The header value Meta would send for these bytes (used by tests and local tooling).</summary>
    public static string Compute(string appSecret, ReadOnlySpan<byte> body) =>
        Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), body));
}
