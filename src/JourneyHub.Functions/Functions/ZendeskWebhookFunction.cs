using JourneyHub.Core.Sources;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Sources.Zendesk;
using JourneyHub.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace JourneyHub.Functions.Functions;

/// <summary>Zendesk webhooks (ticket events, satisfaction ratings), verified by X-Zendesk-Webhook-Signature over the timestamp and the raw body.</summary>
public sealed class ZendeskWebhookFunction(WebhookRequestReader reader, WebhookIntake intake)
{
    private static readonly string[] MediaTypes = ["application/json"];

    [Function("ZendeskWebhook")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "webhooks/zendesk")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (webhook, problem) = await reader.ReadAsync(request, SourceId.Zendesk.Name, MediaTypes, null, cancellationToken);
        if (webhook is null)
        {
            return problem!;
        }

        var result = await intake.AcceptAsync(SourceId.Zendesk, webhook, cancellationToken);
        return IntakeResults.Map(result, () => HubResults.Status(StatusCodes.Status200OK));
    }
}
