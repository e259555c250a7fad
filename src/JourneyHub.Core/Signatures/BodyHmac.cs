using System.Buffers;
using System.Security.Cryptography;

namespace JourneyHub.Core.Signatures;

/// <summary>
/// The scheme most senders share: one header holding an HMAC of the raw body, optionally behind a prefix such as
/// <c>sha256=</c>, as hex or base64. The vendor classes (Meta, Shopify, Typeform, Delighted, Intercom, SurveyMonkey) only
/// say which hash, prefix and encoding; the checks — configured, present, well-formed, then a constant-time comparison
/// over the bytes as received — live here once.
/// </summary>
public sealed class BodyHmac
{
    private readonly HashAlgorithmName hash;
    private readonly string prefix;
    private readonly bool hex;
    private readonly int digestBytes;

    private BodyHmac(HashAlgorithmName hash, string prefix, bool hex)
    {
        if (hash != HashAlgorithmName.SHA1 && hash != HashAlgorithmName.SHA256)
        {
            throw new ArgumentException("Senders sign with HMAC-SHA256, or HMAC-SHA1 where the vendor chose it.", nameof(hash));
        }

        this.hash = hash;
        this.prefix = prefix;
        this.hex = hex;
        digestBytes = hash == HashAlgorithmName.SHA1 ? 20 : 32;
    }

    public static BodyHmac Hex(HashAlgorithmName hash, string prefix) => new(hash, prefix, hex: true);

    public static BodyHmac Base64(HashAlgorithmName hash, string prefix = "") => new(hash, prefix, hex: false);

    /// <summary>How long the header value is, prefix included: anything else is malformed before any decoding.</summary>
    private int HeaderLength => prefix.Length + (hex ? 2 * digestBytes : 4 * ((digestBytes + 2) / 3));

    /// <param name="key">The secret's bytes; null or empty when the source is not configured.</param>
    public SignatureCheck Verify(byte[]? key, ReadOnlySpan<byte> body, string? signatureHeader)
    {
        if (key is not { Length: > 0 })
        {
            return SignatureCheck.NotConfigured;
        }

        if (string.IsNullOrWhiteSpace(signatureHeader))
        {
            return SignatureCheck.Missing;
        }

        var value = signatureHeader.AsSpan().Trim();
        if (value.Length != HeaderLength || !value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return SignatureCheck.Malformed;
        }

        Span<byte> given = stackalloc byte[32];
        var encoded = value[prefix.Length..];
        var written = 0;
        var decoded = hex
            ? Convert.FromHexString(encoded, given, out _, out written) == OperationStatus.Done
            : Convert.TryFromBase64Chars(encoded, given, out written);
        if (!decoded || written != digestBytes)
        {
            return SignatureCheck.Malformed;
        }

        Span<byte> expected = stackalloc byte[32];
        Compute(key, body, expected);
        return CryptographicOperations.FixedTimeEquals(expected[..digestBytes], given[..digestBytes]) ? SignatureCheck.Valid : SignatureCheck.Mismatch;
    }

    /// <summary>The header value a sender would put on these bytes (tests, fixtures, the demo and the load harness).</summary>
    public string Sign(byte[] key, ReadOnlySpan<byte> body)
    {
        Span<byte> digest = stackalloc byte[32];
        Compute(key, body, digest);
        return prefix + (hex ? Convert.ToHexStringLower(digest[..digestBytes]) : Convert.ToBase64String(digest[..digestBytes]));
    }

    private void Compute(byte[] key, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        if (hash == HashAlgorithmName.SHA1)
        {
            // SHA-1 only where the vendor signs with it (Intercom, SurveyMonkey); as an HMAC it still authenticates.
#pragma warning disable CA5350
            HMACSHA1.HashData(key, body, destination);
#pragma warning restore CA5350
        }
        else
        {
            HMACSHA256.HashData(key, body, destination);
        }
    }
}
