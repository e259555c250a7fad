using System.Security.Cryptography;
using System.Text;
using JourneyHub.Core.Schema;

namespace JourneyHub.Azure.Storage;

/// <summary>
/// The keyed hash of an identity under the suppression key (<c>Privacy__SuppressionKey</c>): HMAC-SHA256 of its normalized
/// "type:value". Every table that must find a person without holding their identities in plain text (the suppression list,
/// the dead letters' person index) uses this one function, so one identity hashes the same everywhere.
/// </summary>
public sealed class IdentityKeys(string secret)
{
    private readonly byte[] key = Encoding.UTF8.GetBytes(secret);

    public string Hash(Identity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(identity.Type + ":" + identity.Value)));
    }
}
