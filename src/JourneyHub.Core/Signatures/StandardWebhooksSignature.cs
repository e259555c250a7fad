using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace JourneyHub.Core.Signatures;

/// <summary>
/// Standard Webhooks v1 (standardwebhooks.com): HMAC-SHA256 over <c>{webhook-id}.{webhook-timestamp}.{raw body}</c>
/// with the key base64-decoded from the secret after <c>whsec_</c>. The signature header is a space-separated list of
/// <c>version,base64</c>; any <c>v1</c> entry that matches any configured secret is accepted (key rotation).
/// </summary>
public static class StandardWebhooksSignature
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    public const string SecretPrefix = "whsec_";
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    /// <summary>Splits a setting that may hold several secrets (rotation) separated by spaces or commas.</summary>
    public static IReadOnlyList<string> SplitSecrets(string? setting) =>
        string.IsNullOrWhiteSpace(setting)
            ? []
            : setting.Split([' ', ',', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static SignatureCheck Verify(
        IReadOnlyList<string> secrets,
        string? webhookId,
        string? webhookTimestamp,
        string? signatureHeader,
        ReadOnlySpan<byte> body,
        DateTimeOffset now)
    {
        var keys = new List<byte[]>(secrets.Count);
        foreach (var secret in secrets)
        {
            if (DecodeSecret(secret) is { } key)
            {
                keys.Add(key);
            }
        }

        if (keys.Count == 0)
        {
            return SignatureCheck.NotConfigured;
        }

        if (string.IsNullOrWhiteSpace(webhookId) || string.IsNullOrWhiteSpace(webhookTimestamp) || string.IsNullOrWhiteSpace(signatureHeader))
        {
            return SignatureCheck.Missing;
        }

        if (!long.TryParse(webhookTimestamp.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return SignatureCheck.Malformed;
        }

        var sentAt = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, 0, 253402300799));
        if ((now - sentAt).Duration() > Tolerance)
        {
            return SignatureCheck.Stale;
        }

        var prefix = Encoding.UTF8.GetBytes($"{webhookId.Trim()}.{webhookTimestamp.Trim()}.");
        Span<byte> expected = stackalloc byte[32];
        Span<byte> given = stackalloc byte[64];
        var sawV1 = false;
        foreach (var key in keys)
        {
            Compute(key, prefix, body, expected);
            foreach (var entry in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var comma = entry.IndexOf(',', StringComparison.Ordinal);
                if (comma <= 0 || !entry.AsSpan(0, comma).SequenceEqual("v1"))
                {
                    continue; // other versions (e.g. v1a asymmetric) are not ours to check
                }

                sawV1 = true;
                if (Convert.TryFromBase64String(entry[(comma + 1)..], given, out var written) && written == 32
                    && CryptographicOperations.FixedTimeEquals(expected, given[..written]))
                {
                    return SignatureCheck.Valid;
                }
            }
        }

        return sawV1 ? SignatureCheck.Mismatch : SignatureCheck.Malformed;
    }

    /// <summary>The <c>v1,&lt;base64&gt;</c> entry a sender with this secret would put in the header.</summary>
    public static string Sign(string secret, string webhookId, string webhookTimestamp, ReadOnlySpan<byte> body)
    {
        var key = DecodeSecret(secret) ?? throw new ArgumentException("Not a whsec_ base64 secret.", nameof(secret));
        Span<byte> hash = stackalloc byte[32];
        Compute(key, Encoding.UTF8.GetBytes($"{webhookId}.{webhookTimestamp}."), body, hash);
        return "v1," + Convert.ToBase64String(hash);
    }

    private static byte[]? DecodeSecret(string secret)
    {
        var text = secret.Trim();
        if (text.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            text = text[SecretPrefix.Length..];
        }

        try
        {
            var key = Convert.FromBase64String(text);
            return key.Length == 0 ? null : key;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static void Compute(byte[] key, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(prefix);
        hmac.AppendData(body);
        hmac.GetHashAndReset(destination);
    }
}
