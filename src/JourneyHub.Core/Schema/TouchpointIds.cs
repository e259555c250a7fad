using System.Security.Cryptography;
using System.Text;

namespace JourneyHub.Core.Schema;

/// <summary>Deterministic ids: a redelivered or re-pulled event hashes to the same touchpoint id.</summary>
public static class TouchpointIds
{
    public static string For(string source, string sourceEventId)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        ArgumentException.ThrowIfNullOrEmpty(sourceEventId);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(source + "\n" + sourceEventId), hash);
        return "tp_" + Convert.ToHexStringLower(hash[..12]);
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
