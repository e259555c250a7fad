using System.Security.Cryptography;
using System.Text;
using JourneyHub.Core.Privacy;
using JourneyHub.Core.Schema;

namespace JourneyHub.Azure.Storage;

/// <summary>
/// The keyed hash of an identity under the suppression key (<c>Privacy__SuppressionKey</c>): HMAC-SHA256 of its normalized
/// "type:value". Every table or message that must find a person without holding their identities in plain text (the
/// identity table's partitions of links and suppressions, the dead letters' person index, the erasure queue's redaction
/// work items) uses this one function,
/// registered once (<c>AddJourneyHubAzure</c>), so one identity hashes the same everywhere.
/// </summary>
public sealed class IdentityKeys : IIdentityKeys
{
    private readonly byte[] key;

    public IdentityKeys(string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        key = Encoding.UTF8.GetBytes(secret);
    }

    public string Hash(Identity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(identity.Type + ":" + identity.Value)));
    }
}
