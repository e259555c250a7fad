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
        _ => HubResults.Problem(503, result.Title!, result.Detail!),
    };
}
