using System.Net;
using System.Text.Json;
using JourneyHub.Core.Ingestion;
using JourneyHub.IntegrationTests.Infrastructure;
using JourneyHub.LocalHost;

namespace JourneyHub.IntegrationTests.LocalHost;

/// <summary>The local host must serve exactly what the Functions app declares, so the two can never drift.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class RouteParityTests(AzuriteFixture azurite)
{
    private static readonly JsonElement Metadata = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "functions.metadata"))).RootElement;

    [Fact]
    public void The_local_host_maps_exactly_the_http_triggers_in_functions_metadata()
    {
        var declared = Metadata.EnumerateArray()
            .SelectMany(f => f.GetProperty("bindings").EnumerateArray().Where(b => b.GetProperty("type").GetString() == "httpTrigger")
                .SelectMany(b => b.GetProperty("methods").EnumerateArray().Select(m => $"{m.GetString()!.ToUpperInvariant()} api/{b.GetProperty("route").GetString()} {b.GetProperty("authLevel").GetString()!.ToLowerInvariant()}")))
            .Order(StringComparer.Ordinal)
            .ToList();
        var mapped = FunctionCatalog.HttpFunctions
            .SelectMany(f => f.Methods.Select(m => $"{m.ToUpperInvariant()} {f.Route} {f.AuthLevel.ToString().ToLowerInvariant()}"))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.NotEmpty(declared);
        Assert.Equal(declared, mapped);
    }

    [Fact]
    public void No_route_starts_with_the_admin_segment_the_Functions_host_reserves_for_itself()
    {
        Assert.DoesNotContain(FunctionCatalog.HttpFunctions, f => f.Route.StartsWith("admin", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(FunctionCatalog.HttpFunctions, f => f.PublicRoute == "api/admin/replay");
    }

    [Fact]
    public void The_local_host_consumes_the_queues_that_functions_metadata_triggers_on()
    {
        var declared = Metadata.EnumerateArray()
            .SelectMany(f => f.GetProperty("bindings").EnumerateArray().Where(b => b.GetProperty("type").GetString() == "queueTrigger").Select(b => b.GetProperty("queueName").GetString() ?? ""))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Equal(declared, FunctionCatalog.QueueFunctions.Select(f => f.QueueName).Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public void Host_json_and_the_local_host_agree_on_the_poison_threshold()
    {
        using var hostJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixture.RepositoryRoot(), "host.json")));
        var maxDequeueCount = hostJson.RootElement.GetProperty("extensions").GetProperty("queues").GetProperty("maxDequeueCount").GetInt32();
        Assert.Equal(new IngestionOptions().MaxDequeueCount, maxDequeueCount);
        Assert.Equal("api", hostJson.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
    }

    [Fact]
    public async Task Every_declared_route_is_answered_by_the_running_local_host()
    {
        await using var host = await LocalHostProcess.StartAsync(azurite.ConnectionString);
        foreach (var function in FunctionCatalog.HttpFunctions)
        {
            var path = "/" + function.PublicRoute
                .Replace("{customerId}", "cus_00000000000000000000", StringComparison.Ordinal)
                .Replace("{name}", "nobody", StringComparison.Ordinal)
                .Replace("{source}", "hubspot", StringComparison.Ordinal);
            foreach (var method in function.Methods)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), path) { Content = method == "get" ? null : new StringContent("{}") };
                using var response = await host.Client.SendAsync(request);

                // A route the host does not know answers 404/405 with an empty body; ours answer with content.
                Assert.NotEqual(HttpStatusCode.MethodNotAllowed, response.StatusCode);
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                }
            }
        }
    }
}
