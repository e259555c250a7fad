using JourneyHub.Core.Sources;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Sources.Typeform;
using JourneyHub.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace JourneyHub.Functions.Functions;

/// <summary>Typeform form responses. Authenticated by Typeform-Signature, so the route is anonymous.</summary>
public sealed class TypeformWebhookFunction(WebhookRequestReader reader, WebhookIntake intake)
{
    private static readonly string[] MediaTypes = ["application/json"];

    [Function("TypeformWebhook")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "webhooks/typeform")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (webhook, problem) = await reader.ReadAsync(request, SourceId.Typeform.Name, MediaTypes, null, cancellationToken);
        if (webhook is null)
        {
            return problem!;
        }

        var result = await intake.AcceptAsync(SourceId.Typeform, webhook, cancellationToken);
        return IntakeResults.Map(result, () => HubResults.Status(StatusCodes.Status200OK));
    }
}
