using System.Diagnostics;
using JourneyHub.Core.Ingestion;
using Microsoft.AspNetCore.Mvc;

namespace JourneyHub.Functions.Http;

/// <summary>Maps what intake decided to the status a sender understands; success replies differ per sender.</summary>
public static class IntakeResults
{
    public static IActionResult Map(IntakeResult result, Func<IActionResult> accepted) => result.Status switch
    {
        IntakeStatus.Accepted => accepted(),
        IntakeStatus.Unauthorized or IntakeStatus.NotConfigured => HubResults.Problem(401, result.Title!, result.Detail!),
        IntakeStatus.UnknownSource => HubResults.Problem(404, result.Title!, result.Detail!),
        IntakeStatus.StorageUnavailable => HubResults.Problem(503, result.Title!, result.Detail!, headers: RetryLater),

        // A new outcome must be mapped on purpose: telling a sender "retry later" for it could be wrong either way.
        _ => throw new UnreachableException($"Intake outcome {result.Status} has no reply."),
    };

    /// <summary>
    /// Seconds a sender should wait before retrying a delivery that could not be archived (RFC 9110 Retry-After on 503).
    /// Nothing was acknowledged, so the retry is what keeps the event; most vendors retry on their own schedule anyway.
    /// </summary>
    public const int RetryAfterSeconds = 10;

    private static readonly Dictionary<string, string> RetryLater = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Retry-After"] = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
