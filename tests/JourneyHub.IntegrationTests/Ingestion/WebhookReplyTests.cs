using System.Text;
using System.Text.Json.Nodes;
using Azure;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Ports;
using JourneyHub.Functions;
using JourneyHub.Functions.Functions;
using JourneyHub.Functions.Http;
using JourneyHub.Testing.Fakes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace JourneyHub.IntegrationTests.Ingestion;

/// <summary>
/// What a sender is told when the hub cannot keep its delivery: the real function class, wired by the Functions app's own
/// registration, with storage that refuses writes. Nothing was acknowledged, so the sender must retry: 503 problem+json
/// with Retry-After, as the OpenAPI document says for every webhook route.
/// </summary>
public sealed class WebhookReplyTests
{
    /// <param name="large">A large body is archived before it is queued (the archive refuses it); a small one travels
    /// inside the queue message, its one write on the ack path (the queue refuses it).</param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_delivery_that_could_not_be_stored_is_answered_503_with_retry_after(bool large)
    {
        var refused = new RequestFailedException(503, "Server busy");
        var archive = new InMemoryRawArchive { FailWith = large ? refused : null };
        var queue = new InMemoryIngestionQueue { FailWith = large ? null : refused };
        var builder = HubHostBuilder.Create(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" });
        builder.AddJourneyHubFunctions();
        builder.Services.AddSingleton<IRawArchive>(archive);
        builder.Services.AddSingleton<IIngestionQueue>(queue);
        await using var services = builder.Services.BuildServiceProvider();
        var function = ActivatorUtilities.CreateInstance<TrustpilotWebhookFunction>(services);

        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = "POST";
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("hub.example.com");
        context.Request.Path = "/api/webhooks/trustpilot";
        context.Request.ContentType = "application/json";
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes($$"""{"events":[],"padding":"{{new string('x', large ? IngestionMessage.MaxInlineBytes : 10)}}"}"""));
        context.Response.Body = new MemoryStream();

        var result = await function.Run(context.Request, CancellationToken.None);
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        Assert.Equal(IntakeResults.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), context.Response.Headers.RetryAfter.ToString());
        Assert.Equal("application/problem+json", context.Response.ContentType);
        context.Response.Body.Position = 0;
        Assert.Equal("Storage unavailable", JsonNode.Parse(context.Response.Body)!["title"]!.GetValue<string>());
        Assert.Empty(archive.Entries);
        Assert.Empty(queue.Messages);
    }

    [Fact]
    public void Every_webhook_route_documents_the_503_and_its_retry_after()
    {
        var paths = JsonNode.Parse(OpenApiDocument.Text)!["paths"]!.AsObject();
        var webhooks = paths.Where(p => p.Key.StartsWith("/api/webhooks/", StringComparison.Ordinal) && p.Value!["post"] is not null).ToList();

        Assert.Equal(11, webhooks.Count);
        foreach (var (path, item) in webhooks)
        {
            var unavailable = item!["post"]!["responses"]!["503"];
            Assert.True(unavailable?["headers"]?["Retry-After"] is not null, $"POST {path} does not document 503 with Retry-After");
        }
    }
}
