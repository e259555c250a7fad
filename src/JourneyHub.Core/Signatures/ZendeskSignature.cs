using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace JourneyHub.Core.Signatures;

/// <summary>
/// Zendesk webhooks: <c>X-Zendesk-Webhook-Signature: base64(HMAC-SHA256(signing secret, TIMESTAMP + BODY))</c> where TIMESTAMP
/// is <c>X-Zendesk-Webhook-Signature-Timestamp</c> exactly as sent (ISO 8601, e.g. <c>2025-01-08T14:25:30Z</c>)
/// (https://developer.zendesk.com/documentation/webhooks/verifying/). The timestamp must be within 5 minutes of now, so a
/// captured delivery cannot be replayed later.
/// </summary>
public static class ZendeskSignature
{
    public const string SignatureHeader = "X-Zendesk-Webhook-Signature";
    public const string TimestampHeader = "X-Zendesk-Webhook-Signature-Timestamp";
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);
    private const int Base64Length = 44;

    public static SignatureCheck Verify(string? secret, ReadOnlySpan<byte> body, string? signatureHeader, string? timestampHeader, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return SignatureCheck.NotConfigured;
        }

        if (string.IsNullOrWhiteSpace(signatureHeader) || string.IsNullOrWhiteSpace(timestampHeader))
        {
            return SignatureCheck.Missing;
        }

        var signature = signatureHeader.Trim();
        Span<byte> given = stackalloc byte[32];
        if (signature.Length != Base64Length || !Convert.TryFromBase64String(signature, given, out var written) || written != 32
            || timestampHeader.Length > 64
            || !DateTimeOffset.TryParse(timestampHeader, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
        {
            return SignatureCheck.Malformed;
        }

        // Check the signature before the clock, so that a stale but genuine delivery is told apart from a forged one in the logs.
        var expected = Compute(secret, timestampHeader, body);
        if (!CryptographicOperations.FixedTimeEquals(expected, given))
        {
            return SignatureCheck.Mismatch;
        }

        return (now - at).Duration() > Tolerance ? SignatureCheck.Stale : SignatureCheck.Valid;
    }

    /// <summary>The header value Zendesk would send for this timestamp and these bytes (tests and local tooling).</summary>
    public static string ComputeBase64(string secret, string timestamp, ReadOnlySpan<byte> body) => Convert.ToBase64String(Compute(secret, timestamp, body));

    private static byte[] Compute(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        var timestampBytes = Encoding.UTF8.GetBytes(timestamp);
        var message = new byte[timestampBytes.Length + body.Length];
        timestampBytes.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(timestampBytes.Length));
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message);
    }
}
