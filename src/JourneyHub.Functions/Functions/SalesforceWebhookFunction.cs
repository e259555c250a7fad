using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Sources.Salesforce;
using JourneyHub.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace JourneyHub.Functions.Functions;

/// <summary>
/// Salesforce Outbound Messages (SOAP 1.1). Authenticated by the function key and the OrganizationId;
/// anything but an &lt;Ack&gt;true&lt;/Ack&gt; makes Salesforce resend for 24 hours.
/// </summary>
public sealed class SalesforceWebhookFunction(WebhookRequestReader reader, WebhookIntake intake)
{
    private static readonly string[] MediaTypes = ["text/xml", "application/xml", "application/soap+xml"];

    [Function("SalesforceWebhook")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "webhooks/salesforce")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (webhook, problem) = await reader.ReadAsync(request, SourceId.Salesforce.Name, MediaTypes, null, cancellationToken);
        if (webhook is null)
        {
            return problem!;
        }

        var result = await intake.AcceptAsync(SourceId.Salesforce, webhook, cancellationToken);
        return IntakeResults.Map(result, () => HubResults.Text(StatusCodes.Status200OK, SalesforceAck.Xml, SalesforceAck.ContentType));
    }
}
