using System.Diagnostics.CodeAnalysis;
using System.Net;
using JourneyHub.Functions.Http;
using JourneyHub.LocalHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.DependencyInjection;

namespace JourneyHub.IntegrationTests.LocalHost;

/// <summary>
/// The local host serves every return shape an HTTP trigger may have, synchronous ones included: functions of each
/// shape are mapped with the local host's own endpoint mapping and called over HTTP.
/// </summary>
public sealed class ReturnShapeTests : IAsyncLifetime
{
    private WebApplication app = null!;
    private HttpClient client = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddRouting();
        app = builder.Build();
        app.MapFunctions(FunctionCatalog.HttpFunctionsIn([typeof(ShapeFunctions), typeof(StaticShapeFunctions)]));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        client = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await app.DisposeAsync();
    }

    [Theory]
    [InlineData("sync-action", HttpStatusCode.OK, "IActionResult")]
    [InlineData("task-action", HttpStatusCode.Accepted, "Task<IActionResult>")]
    [InlineData("valuetask-action", HttpStatusCode.Created, "ValueTask<IActionResult>")]
    [InlineData("sync-result", HttpStatusCode.OK, "IResult")]
    [InlineData("valuetask-result", HttpStatusCode.Accepted, "ValueTask<IResult>")]
    [InlineData("static-action", HttpStatusCode.OK, "static IActionResult")]
    public async Task Each_result_shape_answers_with_its_status_and_body(string route, HttpStatusCode status, string body)
    {
        using var response = await client.GetAsync(new Uri("/api/shapes/" + route, UriKind.Relative));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("sync-response-data")]
    [InlineData("task-response-data")]
    public async Task HttpResponseData_built_from_HttpRequestData_is_copied_with_status_headers_cookies_and_body(string route)
    {
        using var response = await client.GetAsync(new Uri($"/api/shapes/{route}/maria?greeting=hej", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("HttpResponseData", Assert.Single(response.Headers.GetValues("X-Shape")));
        Assert.Equal("shape=data; Path=/api", Assert.Single(response.Headers.GetValues("Set-Cookie")));
        Assert.Equal("hej maria via GET", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("sync-void")]
    [InlineData("task-void")]
    [InlineData("valuetask-void")]
    public async Task No_result_leaves_the_response_the_function_wrote(string route)
    {
        using var response = await client.GetAsync(new Uri("/api/shapes/" + route, UriKind.Relative));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("written by " + route, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_synchronous_function_that_throws_fails_the_request_with_its_own_exception()
    {
        using var response = await client.GetAsync(new Uri("/api/shapes/sync-throws", UriKind.Relative));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
    }

    [Fact]
    public async Task FunctionContext_carries_the_function_name_and_the_request_services()
    {
        using var response = await client.GetAsync(new Uri("/api/shapes/context", UriKind.Relative));

        Assert.Equal("ShapeContext True", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public void A_return_shape_the_local_host_cannot_serve_is_refused_when_mapped_naming_the_function()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddRouting();
        using var host = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => host.MapFunctions(FunctionCatalog.HttpFunctionsIn([typeof(UnservableFunctions)])));

        Assert.Contains("'ShapeString'", error.Message, StringComparison.Ordinal);
    }

    [SuppressMessage("Performance", "CA1822:Mark members as static", Justification = "Instance methods of a class the host creates per invocation are the shape under test, as in the Functions app.")]
    public sealed class ShapeFunctions
    {
        [Function("ShapeSyncAction")]
        public IActionResult SyncAction([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "shapes/sync-action")] HttpRequest request) =>
            HubResults.Text(200, "IActionResult", "text/plain");

        [Function("ShapeTaskAction")]
        public async Task<IActionResult> TaskAction([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "shapes/task-action")] HttpRequest request, CancellationToken cancellationToken)
        {
            await Task.Delay(1, cancellationToken);
            return HubResults.Text(202, "Task<IActionResult>", "text/plain");
        }

        [Function("ShapeValueTaskAction")]
        public ValueTask<IActionResult> ValueTaskAction([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "shapes/valuetask-action")] HttpRequest request) =>
            ValueTask.FromResult(HubResults.Text(201, "ValueTask<IActionResult>", "text/plain"));

        [Function("ShapeSyncResult")]
        public IResult SyncResult([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "shapes/sync-result")] HttpRequest request) =>
            Results.Text("IResult");

        [Function("ShapeValueTaskResult")]
        public async ValueTask<IResult> ValueTaskResult([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "shapes/valuetask-result")] HttpRequest request)
        {
            await Task.Yield();
            return Results.Text("ValueTask<IResult>", statusCode: 202);
        }

        [Function("ShapeSyncResponseData")]
        public HttpResponseData SyncResponseData([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "shapes/sync-response-data/{name}")] HttpRequestData request, string name)
        {
            var response = Respond(request);
            response.WriteString($"{request.Query["greeting"]} {name} via {request.Method}");
            return response;
        }

        [Function("ShapeTaskResponseData")]
        public async Task<HttpResponseData> TaskResponseData([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "shapes/task-response-data/{name}")] HttpRequestData request, string name)
        {
            var response = Respond(request);
            await response.WriteStringAsync($"{request.Query["greeting"]} {name} via {request.Method}");
            return response;
        }

        [Function("ShapeSyncVoid")]
        public void SyncVoid([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "shapes/sync-void")] HttpRequest request) =>
            WriteAsync(request.HttpContext, "sync-void").GetAwaiter().GetResult();

        [Function("ShapeTaskVoid")]
        public Task TaskVoid([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "shapes/task-void")] HttpRequest request) =>
            WriteAsync(request.HttpContext, "task-void");

        [Function("ShapeValueTaskVoid")]
        public async ValueTask ValueTaskVoid([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "shapes/valuetask-void")] HttpRequest request) =>
            await WriteAsync(request.HttpContext, "valuetask-void");

        [Function("ShapeSyncThrows")]
        public IActionResult SyncThrows([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "shapes/sync-throws")] HttpRequest request) =>
            throw new InvalidOperationException("thrown by a synchronous function");

        [Function("ShapeContext")]
        public IActionResult Context([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "shapes/context")] HttpRequest request, FunctionContext context) =>
            HubResults.Text(200, $"{context.FunctionDefinition.Name} {ReferenceEquals(context.InstanceServices, request.HttpContext.RequestServices)}", "text/plain");

        private static HttpResponseData Respond(HttpRequestData request)
        {
            var response = request.CreateResponse(HttpStatusCode.Created);
            response.Headers.Add("X-Shape", "HttpResponseData");
            response.Cookies.Append(new HttpCookie("shape", "data") { Path = "/api" });
            return response;
        }

        private static async Task WriteAsync(HttpContext context, string route)
        {
            context.Response.StatusCode = 202;
            await context.Response.WriteAsync("written by " + route);
        }
    }

    public static class StaticShapeFunctions
    {
        [Function("ShapeStaticAction")]
        public static IActionResult StaticAction([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "shapes/static-action")] HttpRequest request) =>
            HubResults.Text(200, "static IActionResult", "text/plain");
    }

    [SuppressMessage("Performance", "CA1822:Mark members as static", Justification = "Instance methods of a class the host creates per invocation are the shape under test, as in the Functions app.")]
    public sealed class UnservableFunctions
    {
        [Function("ShapeString")]
        public string Text([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "shapes/string")] HttpRequest request) => "a string";
    }
}
