using JourneyHub.Core.Api;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Privacy;
using JourneyHub.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace JourneyHub.Functions.Functions;

/// <summary>The read API that marketing tools pull timelines, identities, journeys and funnels from (read-api key); and erasure (admin level).</summary>
public sealed class CustomerApiFunctions(CustomerReader reader, ErasureService erasure, IJourneyAnalytics analytics, TimeProvider clock)
{
    [Function("GetTimeline")]
    public async Task<IActionResult> GetTimeline(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "customers/{customerId}/timeline")] HttpRequest request,
        string customerId,
        CancellationToken cancellationToken)
    {
        if (!QueryParsing.IsValidCustomerId(customerId))
        {
            return InvalidCustomerId(customerId);
        }

        var (query, error) = QueryParsing.ParseTimeline(name => Query(request, name));
        if (error is not null)
        {
            return HubResults.Problem(error, request.Path);
        }

        var timeline = await reader.TimelineAsync(customerId, query!, cancellationToken);
        return timeline is null ? NotFound(customerId) : ConditionalResults.Json(request, timeline);
    }

    [Function("GetJourney")]
    public async Task<IActionResult> GetJourney(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "customers/{customerId}/journey")] HttpRequest request,
        string customerId,
        CancellationToken cancellationToken)
    {
        if (!QueryParsing.IsValidCustomerId(customerId))
        {
            return InvalidCustomerId(customerId);
        }

        var summary = await reader.JourneyAsync(customerId, clock.GetUtcNow(), cancellationToken);
        return summary is null ? NotFound(customerId) : HubResults.Json(200, summary);
    }

    [Function("FindCustomer")]
    public async Task<IActionResult> FindCustomer(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "customers")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var text = request.Query["identity"].ToString();
        if (string.IsNullOrWhiteSpace(text))
        {
            return HubResults.Problem(400, "Missing query parameter 'identity'", "Pass identity=<type>:<value>, e.g. identity=email:jane@example.com.");
        }

        var identity = QueryParsing.ParseIdentity(text);
        if (identity is null)
        {
            return HubResults.Problem(400, "Invalid query parameter 'identity'", IdentityRule);
        }

        var customer = await reader.LookupAsync(identity, cancellationToken);
        return customer is null
            ? HubResults.Problem(404, "Customer not found", $"No customer has the identity {identity.Type}:{identity.Value}.")
            : HubResults.Json(200, customer);
    }

    [Function("GetFunnel")]
    public async Task<IActionResult> GetFunnel(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "journeys/funnel")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (query, error) = QueryParsing.ParseFunnel(name => Query(request, name), clock.GetUtcNow());
        return error is not null
            ? HubResults.Problem(error, request.Path)
            : HubResults.Json(200, await analytics.FunnelAsync(query!, cancellationToken));
    }

    [Function("EraseCustomer")]
    public async Task<IActionResult> EraseCustomer(
        [HttpTrigger(AuthorizationLevel.Admin, "delete", Route = "customers/{customerId}")] HttpRequest request,
        string customerId,
        CancellationToken cancellationToken)
    {
        if (!QueryParsing.IsValidCustomerId(customerId))
        {
            return InvalidCustomerId(customerId);
        }

        var status = await erasure.RequestAsync(customerId, cancellationToken);
        return status is null
            ? NotFound(customerId)
            : HubResults.Json(202, status, headers: new Dictionary<string, string> { ["Location"] = $"/api/customers/{customerId}/erasure" });
    }

    [Function("GetErasure")]
    public async Task<IActionResult> GetErasure(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "customers/{customerId}/erasure")] HttpRequest request,
        string customerId,
        CancellationToken cancellationToken)
    {
        if (!QueryParsing.IsValidCustomerId(customerId))
        {
            return InvalidCustomerId(customerId);
        }

        var status = await erasure.StatusAsync(customerId, cancellationToken);
        return status is null
            ? HubResults.Problem(404, "No erasure request", $"No erasure was requested for {customerId}.")
            : HubResults.Json(200, status);
    }

    /// <summary>Every identity type the hub knows (the class table), so a new source's type is named here without an edit.</summary>
    private static readonly string IdentityRule =
        $"Use <type>:<value> with a type of {string.Join(", ", IdentityTypes.Classes.Keys)} or custom:<name>, and a usable value (e.g. email:jane@example.com).";

    private static string? Query(HttpRequest request, string name) =>
        request.Query.TryGetValue(name, out var v) ? v.ToString() : null;

    private static IActionResult InvalidCustomerId(string customerId) =>
        HubResults.Problem(400, "Invalid customer id", $"'{(customerId.Length > 80 ? customerId[..80] : customerId)}' is not a customer id; ids look like cus_0195a1b2c3d4e5f6a7b8c9d0.");

    private static IActionResult NotFound(string customerId) =>
        HubResults.Problem(404, "Customer not found", $"No customer {customerId}.");
}
