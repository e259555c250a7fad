using System.Security.Cryptography;
using System.Text;
using JourneyHub.Functions.Http;
using Microsoft.Azure.Functions.Worker;

namespace JourneyHub.LocalHost;

/// <summary>
/// The Functions host's key levels, locally. Keys are checked only when at least one is configured; without any a
/// local run is open, as the Functions Core Tools are. Once one is configured, every protected route needs a key
/// that opens it:
/// <list type="bullet">
/// <item><c>LocalHost:FunctionKeys:&lt;name&gt;</c> — a named function key (<see cref="FunctionKeys"/>: <c>read-api</c>,
/// <c>salesforce</c>, <c>trustpilot</c>); opens only the functions that carry that name.</item>
/// <item><c>LocalHost:FunctionKey</c> — plays the host key: opens every function-level route (never hand it out in Azure).</item>
/// <item><c>LocalHost:AdminKey</c> — plays the master key: opens everything, and is the only key for admin-level routes.</item>
/// </list>
/// In Azure a master key always exists. Locally it exists only when <c>LocalHost:AdminKey</c> is set; without it the
/// host-like <c>LocalHost:FunctionKey</c> stands in for it, so a run that sets only the key CONTRACT.md names can still
/// reach erasure and the admin routes (with that key, never without one).
/// </summary>
public static class LocalKeys
{
    public static bool IsAuthorized(HttpRequest request, HttpFunction function, IConfiguration settings)
    {
        if (function.AuthLevel == AuthorizationLevel.Anonymous)
        {
            return true;
        }

        var adminKey = settings["LocalHost:AdminKey"];
        var hostKey = settings["LocalHost:FunctionKey"];
        var named = settings.GetSection("LocalHost:FunctionKeys").GetChildren().Where(k => !string.IsNullOrEmpty(k.Value)).ToList();
        if (string.IsNullOrEmpty(adminKey) && string.IsNullOrEmpty(hostKey) && named.Count == 0)
        {
            return true;
        }

        var keyName = FunctionKeys.KeyNameFor(function.Name, function.AuthLevel);
        var masterKey = string.IsNullOrEmpty(adminKey) ? hostKey : adminKey;
        var accepted = function.AuthLevel == AuthorizationLevel.Admin
            ? new[] { masterKey }
            : new[] { adminKey, hostKey, named.FirstOrDefault(k => string.Equals(k.Key, keyName, StringComparison.OrdinalIgnoreCase))?.Value };

        var given = request.Headers["x-functions-key"].FirstOrDefault() ?? request.Query["code"].FirstOrDefault();
        return !string.IsNullOrEmpty(given) && accepted.Any(k => !string.IsNullOrEmpty(k) && FixedTimeEquals(k, given));
    }

    private static bool FixedTimeEquals(string expected, string given) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(expected)), SHA256.HashData(Encoding.UTF8.GetBytes(given)));
}
