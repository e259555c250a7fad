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
    private const string Prefix = "sha256=";
    private const int HashBytes = 32;

    public static SignatureCheck Verify(string? apiKey, ReadOnlySpan<byte> body, string? signatureHeader)
    {
        if (string.IsNullOrEmpty(apiKey))
        {
            return SignatureCheck.NotConfigured;
        }

        if (string.IsNullOrWhiteSpace(signatureHeader))
        {
            return SignatureCheck.Missing;
        }

        var value = signatureHeader.Trim();
        if (!value.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || value.Length != Prefix.Length + (2 * HashBytes))
        {
            return SignatureCheck.Malformed;
        }

        Span<byte> given = stackalloc byte[HashBytes];
        if (Convert.FromHexString(value.AsSpan(Prefix.Length), given, out _, out var written) != System.Buffers.OperationStatus.Done || written != HashBytes)
        {
            return SignatureCheck.Malformed;
        }

        Span<byte> expected = stackalloc byte[HashBytes];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(apiKey), body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, given) ? SignatureCheck.Valid : SignatureCheck.Mismatch;
    }

    /// <summary>The header value Delighted would send for these bytes (tests, fixtures and the load harness use it).</summary>
    public static string Compute(string apiKey, ReadOnlySpan<byte> body) =>
        Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(apiKey), body));
}
