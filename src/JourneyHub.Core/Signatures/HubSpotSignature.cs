using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace JourneyHub.Core.Signatures;

public enum SignatureCheck
{
    Valid,
    Missing,
    Malformed,
    Stale,
    Mismatch,
    NotConfigured,
}

/// <summary>HubSpot request validation v3: base64(HMAC-SHA256(clientSecret, method + uri + body + timestamp)).</summary>
public static class HubSpotSignature
{
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    // HubSpot decodes these escapes in the URI before signing (developers.hubspot.com, request validation v3).
    private static readonly (string Escaped, string Plain)[] DecodedEscapes =
    [
        ("%3A", ":"), ("%2F", "/"), ("%3F", "?"), ("%40", "@"), ("%21", "!"), ("%24", "$"),
        ("%27", "'"), ("%28", "("), ("%29", ")"), ("%2A", "*"), ("%2C", ","), ("%3B", ";"),
    ];

    public static SignatureCheck VerifyV3(
        string? clientSecret,
        string method,
        string requestUri,
        ReadOnlySpan<byte> body,
        string? signatureHeader,
        string? timestampHeader,
        DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(clientSecret))
        {
            return SignatureCheck.NotConfigured;
        }

        if (string.IsNullOrWhiteSpace(signatureHeader) || string.IsNullOrWhiteSpace(timestampHeader))
        {
            return SignatureCheck.Missing;
        }

        if (!long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var timestampMs))
        {
            return SignatureCheck.Malformed;
        }

        var sentAt = DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(timestampMs, 0, 253402300799999));
        if ((now - sentAt).Duration() > Tolerance)
        {
            return SignatureCheck.Stale;
        }

        return HashMatches(clientSecret, method, requestUri, body, timestampHeader, signatureHeader)
            ? SignatureCheck.Valid
            : SignatureCheck.Mismatch;
    }

    /// <summary>The hash comparison alone, without the clock: used for HubSpot's published known-answer vectors.</summary>
    public static bool HashMatches(string clientSecret, string method, string requestUri, ReadOnlySpan<byte> body, string timestamp, string signatureBase64)
    {
        Span<byte> expected = stackalloc byte[32];
        ComputeV3(clientSecret, method, requestUri, body, timestamp, expected);
        Span<byte> given = stackalloc byte[64];
        if (!Convert.TryFromBase64String(signatureBase64.Trim(), given, out var written) || written != 32)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(expected, given[..written]);
    }

    public static string ComputeV3Base64(string clientSecret, string method, string requestUri, ReadOnlySpan<byte> body, string timestamp)
    {
        Span<byte> hash = stackalloc byte[32];
        ComputeV3(clientSecret, method, requestUri, body, timestamp, hash);
        return Convert.ToBase64String(hash);
    }

    private static void ComputeV3(string clientSecret, string method, string requestUri, ReadOnlySpan<byte> body, string timestamp, Span<byte> destination)
    {
        var prefix = Encoding.UTF8.GetBytes(method.ToUpperInvariant() + DecodeUri(requestUri));
        var suffix = Encoding.UTF8.GetBytes(timestamp);
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(clientSecret));
        hmac.AppendData(prefix);
        hmac.AppendData(body);
        hmac.AppendData(suffix);
        hmac.GetHashAndReset(destination);
    }

    private static string DecodeUri(string uri)
    {
        foreach (var (escaped, plain) in DecodedEscapes)
        {
            uri = uri.Replace(escaped, plain, StringComparison.OrdinalIgnoreCase);
        }

        return uri;
    }
}
