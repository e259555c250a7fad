using JourneyHub.Core.Sources;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Sources.Shopify;
using JourneyHub.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace JourneyHub.Functions.Functions;

/// <summary>Shopify webhooks (orders, refunds, customers, checkouts), verified by X-Shopify-Hmac-Sha256 over the raw body.</summary>
public sealed class ShopifyWebhookFunction(WebhookRequestReader reader, WebhookIntake intake)
{
    private static readonly string[] MediaTypes = ["application/json"];

    [Function("ShopifyWebhook")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "webhooks/shopify")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (webhook, problem) = await reader.ReadAsync(request, SourceId.Shopify.Name, MediaTypes, null, cancellationToken);
        if (webhook is null)
        {
            return problem!;
        }

        var result = await intake.AcceptAsync(SourceId.Shopify, webhook, cancellationToken);
        return IntakeResults.Map(result, () => HubResults.Status(StatusCodes.Status200OK));
    }
}
