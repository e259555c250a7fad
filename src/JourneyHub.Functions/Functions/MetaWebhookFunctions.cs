using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Sources.Meta;
using JourneyHub.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace JourneyHub.Functions.Functions;

/// <summary>Meta Graph webhooks for Facebook pages and Instagram: the subscribe handshake and signed deliveries.</summary>
public sealed class MetaWebhookFunctions(WebhookRequestReader reader, WebhookIntake intake, IOptionsMonitor<MetaOptions> options)
{
    private static readonly string[] MediaTypes = ["application/json"];

    [Function("MetaWebhookVerification")]
    public Task<IActionResult> Verify(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "webhooks/meta")] HttpRequest request)
    {
        var challenge = MetaVerification.Handshake(
            request.Query["hub.mode"].FirstOrDefault(),
            request.Query["hub.verify_token"].FirstOrDefault(),
            request.Query["hub.challenge"].FirstOrDefault(),
            options.CurrentValue);
        return Task.FromResult(challenge is null
            ? HubResults.Problem(StatusCodes.Status403Forbidden, "Verification refused", "hub.mode must be 'subscribe' and hub.verify_token must equal Sources__Meta__VerifyToken.")
            : HubResults.Text(StatusCodes.Status200OK, challenge, "text/plain"));
    }

    [Function("MetaWebhook")]
    public async Task<IActionResult> Receive(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "webhooks/meta")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (webhook, problem) = await reader.ReadAsync(request, SourceId.Meta.Name, MediaTypes, null, cancellationToken);
        if (webhook is null)
        {
            return problem!;
        }

        var result = await intake.AcceptAsync(SourceId.Meta, webhook, cancellationToken);
        return IntakeResults.Map(result, () => HubResults.Text(StatusCodes.Status200OK, "EVENT_RECEIVED", "text/plain"));
    }
}
