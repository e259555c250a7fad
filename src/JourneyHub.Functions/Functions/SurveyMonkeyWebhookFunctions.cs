using JourneyHub.Core.Sources;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Sources.SurveyMonkey;
using JourneyHub.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JourneyHub.Functions.Functions;

/// <summary>
/// SurveyMonkey webhooks: the HEAD request SurveyMonkey makes when a webhook is created (the subscription URL "must accept
/// a HEAD request and return a 200"), and the signed callbacks. Authenticated by Sm-Signature, so the routes are anonymous.
/// </summary>
public sealed partial class SurveyMonkeyWebhookFunctions(
    WebhookRequestReader reader,
    WebhookIntake intake,
    IOptionsMonitor<SurveyMonkeyOptions> options,
    ILogger<SurveyMonkeyWebhookFunctions> logger)
{
    private static readonly string[] MediaTypes = ["application/json"];

    [Function("SurveyMonkeyWebhookCheck")]
    public Task<IActionResult> Check(
        [HttpTrigger(AuthorizationLevel.Anonymous, "head", Route = "webhooks/surveymonkey")] HttpRequest request)
    {
        // SurveyMonkey will not create the webhook without this 200; a hub without the app's credentials would then refuse
        // every callback, so say so where the operator looks when the first callbacks fail.
        var settings = options.CurrentValue;
        var configured = !string.IsNullOrEmpty(settings.ClientId) && !string.IsNullOrEmpty(settings.ClientSecret);
        LogSubscriptionCheck(configured);
        return Task.FromResult(HubResults.Status(StatusCodes.Status200OK));
    }

    [Function("SurveyMonkeyWebhook")]
    public async Task<IActionResult> Receive(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "webhooks/surveymonkey")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (webhook, problem) = await reader.ReadAsync(request, SourceId.SurveyMonkey.Name, MediaTypes, null, cancellationToken);
        if (webhook is null)
        {
            return problem!;
        }

        var result = await intake.AcceptAsync(SourceId.SurveyMonkey, webhook, cancellationToken);
        return IntakeResults.Map(result, () => HubResults.Status(StatusCodes.Status200OK));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SurveyMonkey subscription check answered 200 (ClientId and ClientSecret configured: {Configured})")]
    private partial void LogSubscriptionCheck(bool configured);
}
