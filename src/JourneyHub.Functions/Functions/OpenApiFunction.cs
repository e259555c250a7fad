using JourneyHub.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace JourneyHub.Functions.Functions;

/// <summary>The OpenAPI 3.1 description of every route, a static document checked against the triggers by tests.</summary>
public sealed class OpenApiFunction
{
    // An instance method like every function here: the local host's catalog maps instance methods.
#pragma warning disable CA1822
    [Function("GetOpenApi")]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi.json")] HttpRequest request) =>
        Task.FromResult(HubResults.Text(200, OpenApiDocument.Text, "application/json"));
#pragma warning restore CA1822
}
