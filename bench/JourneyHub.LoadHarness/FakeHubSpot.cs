using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace JourneyHub.LoadHarness;

/// <summary>
/// HubSpot's CRM API as the enricher sees it, on loopback: while <see cref="Failing"/> it answers 429
/// (Retry-After: 1) and 500 alternately, afterwards the contact with an e-mail address.
/// </summary>
public sealed class FakeHubSpot : IAsyncDisposable
{
    private readonly WebApplication app;
    private int tooMany;
    private int serverErrors;
    private int served;

    private FakeHubSpot(WebApplication app, Uri baseAddress)
    {
        this.app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public volatile bool Failing = true;

    public int TooManyRequests => tooMany;

    public int ServerErrors => serverErrors;

    public int Served => served;

    public static async Task<FakeHubSpot> StartAsync(CancellationToken cancellationToken)
    {
        var port = LocalHost.AzuriteProcess.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeHubSpot(app, new Uri($"http://127.0.0.1:{port}"));
        app.MapGet("/crm/v3/objects/contacts/{id}", (HttpContext context, string id) => fake.Answer(context, id));
        await app.StartAsync(cancellationToken);
        return fake;
    }

    private async Task Answer(HttpContext context, string id)
    {
        if (Failing)
        {
            if (Interlocked.Increment(ref tooMany) % 2 == 0)
            {
                Interlocked.Increment(ref serverErrors);
                context.Response.StatusCode = 500;
                await context.Response.WriteAsync("{\"status\":\"error\",\"message\":\"internal error\"}");
                return;
            }

            context.Response.StatusCode = 429;
            context.Response.Headers.RetryAfter = "1";
            await context.Response.WriteAsync("{\"status\":\"error\",\"message\":\"You have reached your secondly limit.\",\"category\":\"RATE_LIMITS\"}");
            return;
        }

        Interlocked.Increment(ref served);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(string.Create(CultureInfo.InvariantCulture,
            $"{{\"id\":\"{id}\",\"properties\":{{\"email\":\"hs-{id}@load.example\",\"firstname\":\"Load\",\"lastname\":\"{id}\",\"lifecyclestage\":\"lead\"}},\"createdAt\":\"2025-01-01T00:00:00Z\",\"updatedAt\":\"2025-01-02T00:00:00Z\",\"archived\":false}}"));
    }

    /// <summary>Both kinds of failure answered (the 429 counter counts every failing answer, halved below).</summary>
    public (int Status429, int Status500) Failures => (tooMany - serverErrors, serverErrors);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
