using Azure.Storage.Queues.Models;
using JourneyHub.Azure.Pull;
using JourneyHub.Azure.Storage;
using JourneyHub.Core.Pull;
using JourneyHub.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace JourneyHub.Functions.Functions;

/// <summary>Admin backfill: POST queues a bounded run, GET shows its progress, the queue trigger does the work.</summary>
public sealed class BackfillFunctions(PullRunner runner)
{
    [Function("StartBackfill")]
    public async Task<IActionResult> Start(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = AdminFunctions.AdminSegment + "/backfill/{source}")] HttpRequest request,
        string source,
        CancellationToken cancellationToken)
    {
        var (state, error) = await runner.StartBackfillAsync(source, request.Query["from"].FirstOrDefault(), request.Query["to"].FirstOrDefault(), cancellationToken);
        return error is not null
            ? HubResults.Problem(error, request.Path)
            : HubResults.Json(StatusCodes.Status202Accepted, state, headers: new Dictionary<string, string> { ["Location"] = $"/api/admin/backfill/{source}" });
    }

    [Function("GetBackfill")]
    public async Task<IActionResult> Status(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = AdminFunctions.AdminSegment + "/backfill/{source}")] HttpRequest request,
        string source,
        CancellationToken cancellationToken)
    {
        if (!PullSources.IsKnown(source))
        {
            return HubResults.Problem(400, "Unknown source", $"'{source}' is not a pulled source; use one of {string.Join(", ", PullSources.All)}.", request.Path);
        }

        return await runner.GetBackfillAsync(source, cancellationToken) is { } state
            ? HubResults.Json(StatusCodes.Status200OK, state)
            : HubResults.Problem(404, "No backfill", $"No {source} backfill has been started.", request.Path);
    }

    [Function("RunBackfill")]
    public async Task Run(
        [QueueTrigger(PullStorageNames.BackfillQueue, Connection = StorageClients.ConnectionName)] QueueMessage message,
        CancellationToken cancellationToken)
    {
        // A message that is not a request can never succeed: drop it rather than poison the queue five times.
        if (StorageBackfillQueue.Parse(message.MessageText) is { } backfill && PullSources.IsKnown(backfill.Source))
        {
            await runner.RunBackfillAsync(backfill, cancellationToken);
        }
    }
}
