using Microsoft.Azure.Functions.Worker;

namespace JourneyHub.Functions.Http;

/// <summary>
/// Which key opens which door. In Azure every door is a named function key (<c>az functionapp function keys set
/// --key-name &lt;name&gt;</c>) on the functions behind it, so a key handed to Salesforce opens the Salesforce
/// webhook and nothing else; admin-level routes (erasure, dead letters, replay, backfill) take only the master key.
/// The host keys (<c>default</c>) open every function-level route: never hand them out. eng/hooks/postdeploy.*
/// creates the named keys, docs/deploy.md says whom to give which, and the local host enforces the same doors.
/// </summary>
public static class FunctionKeys
{
    /// <summary>The read API (timelines, identities, journeys, funnels, maps): one key, set on every read function.</summary>
    public const string ReadApi = "read-api";

    /// <summary>Key-protected webhooks (their senders sign nothing): function name → the key of its own.</summary>
    public static IReadOnlyDictionary<string, string> Webhooks { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["SalesforceWebhook"] = "salesforce",
        ["TrustpilotWebhook"] = "trustpilot",
    };

    /// <summary>The named key of a function-level function; null for anonymous and admin-level ones.</summary>
    public static string? KeyNameFor(string functionName, AuthorizationLevel level) =>
        level != AuthorizationLevel.Function ? null
        : Webhooks.TryGetValue(functionName, out var webhookKey) ? webhookKey
        : ReadApi;
}
