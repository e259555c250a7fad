using System.Text.Json;
using JourneyHub.Core.Admin;
using JourneyHub.Core.Schema;
using JourneyHub.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace JourneyHub.Functions.Functions;

/// <summary>Operator routes (admin key): what could not be processed, and re-queuing it from the raw archive.</summary>
/// <remarks>
/// The Functions host refuses a literal route that starts with "admin" (it reserves /admin for its own API,
/// and checks the template without the "api" prefix). A one-value regex segment serves the same URL,
/// /api/admin/…, without tripping that check; the local host maps the same template.
/// </remarks>
public sealed class AdminFunctions(DeadLetterAdmin admin)
{
    internal const string AdminSegment = "{area:regex(^admin$)}";

    private const int MaxReplayBodyBytes = 64 * 1024;

    [Function("ListDeadLetters")]
    public async Task<IActionResult> ListDeadLetters(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = AdminSegment + "/dead-letters")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (query, error) = DeadLetterAdmin.ParseQuery(name => request.Query.TryGetValue(name, out var v) ? v.ToString() : null);
        if (error is not null)
        {
            return HubResults.Problem(error, request.Path);
        }

        return HubResults.Json(200, await admin.ListAsync(query!, cancellationToken));
    }

    [Function("ReplayDeadLetters")]
    public async Task<IActionResult> Replay(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = AdminSegment + "/replay")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (request.ContentType?.Split(';', 2)[0].Trim() is not { } mediaType || !mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return HubResults.Problem(415, "Unsupported content type", "Send the replay request as application/json.");
        }

        if (request.ContentLength > MaxReplayBodyBytes)
        {
            return HubResults.Problem(413, "Body too large", $"Replay requests are limited to {MaxReplayBodyBytes} bytes.");
        }

        ReplayRequest? body;
        try
        {
            using var bounded = new MemoryStream();
            await request.Body.CopyToAsync(bounded, cancellationToken);
            if (bounded.Length > MaxReplayBodyBytes)
            {
                return HubResults.Problem(413, "Body too large", $"Replay requests are limited to {MaxReplayBodyBytes} bytes.");
            }

            body = JsonSerializer.Deserialize<ReplayRequest>(bounded.ToArray(), JourneyJson.Options);
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            return HubResults.Problem(400, "Malformed JSON", "The replay request is not valid JSON of the form {\"ids\":[…]} or {\"source\":…,\"from\":…,\"to\":…}.");
        }

        if (DeadLetterAdmin.Validate(body) is { } invalid)
        {
            return HubResults.Problem(invalid, request.Path);
        }

        return HubResults.Json(202, await admin.ReplayAsync(body!, cancellationToken));
    }
}
