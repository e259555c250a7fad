using JourneyHub.Core.Sources;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Sources.Intercom;
using JourneyHub.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace JourneyHub.Functions.Functions;

/// <summary>Intercom webhook notifications (conversations, ratings), verified by X-Hub-Signature over the raw body.</summary>
public sealed class IntercomWebhookFunction(WebhookRequestReader reader, WebhookIntake intake)
{
    private static readonly string[] MediaTypes = ["application/json"];

    [Function("IntercomWebhook")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "webhooks/intercom")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (webhook, problem) = await reader.ReadAsync(request, SourceId.Intercom.Name, MediaTypes, null, cancellationToken);
        if (webhook is null)
        {
            return problem!;
        }

        var result = await intake.AcceptAsync(SourceId.Intercom, webhook, cancellationToken);
        return IntakeResults.Map(result, () => HubResults.Status(StatusCodes.Status200OK));
    }
}
