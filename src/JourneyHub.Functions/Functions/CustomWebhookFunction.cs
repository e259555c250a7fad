using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Sources;
using JourneyHub.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace JourneyHub.Functions.Functions;

/// <summary>Any system that speaks Standard Webhooks v1: point of sale, web analytics, support desks, survey tools.</summary>
public sealed class CustomWebhookFunction(WebhookRequestReader reader, WebhookIntake intake)
{
    private static readonly string[] MediaTypes = ["application/json"];

    [Function("CustomWebhook")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "webhooks/custom/{name}")] HttpRequest request,
        string name,
        CancellationToken cancellationToken)
    {
        if (!SourceId.TryCustom(name, out var source))
        {
            return HubResults.Problem(StatusCodes.Status400BadRequest, "Invalid source name", "Custom source names are 1–50 lower-case letters, digits, dashes, underscores and dots, starting with a letter or digit.");
        }

        var (webhook, problem) = await reader.ReadAsync(request, SourceId.Custom.Name, MediaTypes, name, cancellationToken);
        if (webhook is null)
        {
            return problem!;
        }

        var result = await intake.AcceptAsync(source, webhook, cancellationToken);
        return result.Status == IntakeStatus.NotConfigured
            ? HubResults.Problem(StatusCodes.Status404NotFound, "Unknown custom source", $"No custom source '{name}' is configured: set Sources__Custom__{name}__Secret.")
            : IntakeResults.Map(result, () => HubResults.Status(StatusCodes.Status204NoContent));
    }
}
