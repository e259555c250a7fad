using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace JourneyHub.Core.Schema;

/// <summary>Deterministic ids: a redelivered or re-pulled event hashes to the same touchpoint id.</summary>
public static class TouchpointIds
{
    /// <summary>
    /// One SHA-256 context per thread, reset after every id. On Linux a one-shot <see cref="SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/>
    /// creates and frees an OpenSSL digest context per call, which costs more than hashing a 40-byte id; normalization
    /// hashes once per touchpoint, so the context is reused. Never disposed: it lives as long as its thread.
    /// </summary>
    [ThreadStatic]
    private static IncrementalHash? sha256;

    /// <summary><c>tp_</c> + the first 12 bytes of SHA-256(UTF-8 of <c>source + "\n" + sourceEventId</c>) in lower-case hex.</summary>
    /// <remarks>Runs once per touchpoint: the bytes are hashed from a stack buffer and the id is the only allocation.</remarks>
    public static string For(string source, string sourceEventId)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        ArgumentException.ThrowIfNullOrEmpty(sourceEventId);
        var maxBytes = Encoding.UTF8.GetMaxByteCount(source.Length + 1 + sourceEventId.Length);
        byte[]? rented = null;
        var buffer = maxBytes <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(maxBytes));
        try
        {
            var length = Encoding.UTF8.GetBytes(source, buffer);
            buffer[length++] = (byte)'\n';
            length += Encoding.UTF8.GetBytes(sourceEventId, buffer[length..]);
            Span<byte> hash = stackalloc byte[32];
            var sha = sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            sha.AppendData(buffer[..length]);
            sha.GetHashAndReset(hash);
            Span<char> id = stackalloc char[27];
            "tp_".CopyTo(id);
            Convert.TryToHexStringLower(hash[..12], id[3..], out _);
            return new string(id);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>New customer ids sort by creation time, so "the older customer" is also the smaller id.</summary>
    public static string NewCustomerId(DateTimeOffset now)
    {
        Span<byte> random = stackalloc byte[6];
        RandomNumberGenerator.Fill(random);
        return "cus_" + now.ToUnixTimeMilliseconds().ToString("x12", System.Globalization.CultureInfo.InvariantCulture)
            + Convert.ToHexStringLower(random);
    }
}
