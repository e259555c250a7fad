using JourneyHub.Core.Ports;
using JourneyHub.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace JourneyHub.Functions.Functions;

public sealed class HealthFunction(IStorageHealth health)
{
    [Function("Health")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var storage = await health.CheckAsync(cancellationToken);
        var healthy = storage.Values.All(ok => ok);
        return HubResults.Json(healthy ? 200 : 503, new { status = healthy ? "healthy" : "degraded", storage });
    }
}
