using JourneyHub.Core.Journey.Segments;
using JourneyHub.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace JourneyHub.Functions.Functions;

/// <summary>The segment journey map and its drill-down to the customers behind a touchpoint type or pain point.</summary>
public sealed partial class SegmentMapFunctions(ISegmentAggregates aggregates, TimeProvider clock, ILogger<SegmentMapFunctions> logger)
{
    [Function("GetSegmentMap")]
    public async Task<IActionResult> GetMap(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "journeys/map")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (query, error) = SegmentMapQueryParser.Parse(name => Query(request, name), clock.GetUtcNow());
        if (error is not null)
        {
            LogBadQuery(request.Path.Value, error.Detail);
            return HubResults.Problem(error, request.Path);
        }

        return HubResults.Json(200, await aggregates.MapAsync(query!, cancellationToken));
    }

    [Function("GetSegmentMapCustomers")]
    public async Task<IActionResult> GetCustomers(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "journeys/map/customers")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (query, error) = SegmentMapQueryParser.Parse(name => Query(request, name), clock.GetUtcNow());
        var (metric, limit, drillError) = SegmentMapQueryParser.ParseDrillDown(name => Query(request, name));
        if ((error ?? drillError) is { } bad)
        {
            LogBadQuery(request.Path.Value, bad.Detail);
            return HubResults.Problem(bad, request.Path);
        }

        return HubResults.Json(200, await aggregates.CustomersAsync(query!, metric!, limit, cancellationToken));
    }

    private static string? Query(HttpRequest request, string name) =>
        request.Query.TryGetValue(name, out var v) ? v.ToString() : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "Rejected segment map request {Path}: {Reason}")]
    private partial void LogBadQuery(string? path, string reason);
}
