using System.Text.Json;
using System.Text.Json.Nodes;
using JourneyHub.Azure.Configuration;
using JourneyHub.Azure.Storage;
using JourneyHub.Core.Pull;
using JourneyHub.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using WireMock.Server;

namespace JourneyHub.IntegrationTests.Pull;

/// <summary>
/// The real DI graph (AddJourneyHubAzure) against Azurite and a WireMock fake of each API, with short resilience delays.
/// Each test gets its own provider (own throttle gate) and starts from an empty checkpoint.
/// </summary>
public sealed class PullHarness : IAsyncDisposable
{
    private readonly ServiceProvider provider;

    private PullHarness(ServiceProvider provider, WireMockServer api, AzuriteFixture azurite)
    {
        this.provider = provider;
        Api = api;
        Azurite = azurite;
    }

    public WireMockServer Api { get; }

    public AzuriteFixture Azurite { get; }

    public PullRunner Runner => provider.GetRequiredService<PullRunner>();

    public IServiceProvider Services => provider;

    public FakeLogCollector Logs => provider.GetFakeLogCollector();

    public static async Task<PullHarness> StartAsync(AzuriteFixture azurite, string source, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var api = WireMockServer.Start();
        var settings = new Dictionary<string, string?>(ApiSettings(api.Urls[0]))
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Privacy:SuppressionKey"] = "pull-harness-tests-suppression-key-0123456789",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var builder = HubHostBuilder.Create(settings);
        builder.AddJourneyHubAzure();
        builder.Services.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug));
        builder.Services.AddFakeLogging();
        var provider = builder.Services.BuildServiceProvider();
        var harness = new PullHarness(provider, api, azurite);

        // WireMock's first answer can take longer than the short attempt timeout the tests use: warm it up, then forget it.
        using (var warmup = new HttpClient())
        {
            using var _ = await warmup.GetAsync(new Uri(api.Urls[0] + "/__warmup"));
        }

        api.ResetLogEntries();
        await harness.ResetAsync(source);
        await harness.ClearIngestQueueAsync();
        return harness;
    }

    /// <summary>Settings that point every client at the fake API, with credentials, and make the pipeline fast.</summary>
    public static Dictionary<string, string?> ApiSettings(string baseUrl) => new()
    {
        ["Sources:HubSpot:AccessToken"] = "pat-na1-test-token",
        ["Sources:HubSpot:BaseUrl"] = baseUrl,
        ["Sources:Salesforce:AccessToken"] = "00D5g000004ZkQ1!test",
        ["Sources:Salesforce:InstanceUrl"] = baseUrl,
        ["Sources:Google:AccessToken"] = "ya29.test",
        ["Sources:Google:BaseUrl"] = baseUrl,
        ["Sources:Google:Locations"] = "accounts/108421983526617/locations/4712398562219",
        ["Sources:Trustpilot:ApiKey"] = "tp-test-key",
        ["Sources:Trustpilot:BusinessUnitId"] = "5f8a1c2b3d4e5f6a7b8c9d0e",
        ["Sources:Trustpilot:BaseUrl"] = baseUrl,
        ["Sources:Meta:AccessToken"] = "EAAB-test",
        ["Sources:Meta:PageId"] = "104328857712345",
        ["Sources:Meta:BaseUrl"] = baseUrl,
        ["Http:Resilience:Retry:Delay"] = "00:00:00.020",
        ["Http:Resilience:AttemptTimeout:Timeout"] = "00:00:01.500",
        ["Http:Resilience:TotalRequestTimeout:Timeout"] = "00:00:20",
        ["Http:Resilience:CircuitBreaker:SamplingDuration"] = "00:00:02",
        ["Pull:ThrottleDelay"] = "00:00:00.050",
        ["Pull:MaxThrottleDelay"] = "00:00:05",
    };

    public async Task ResetAsync(string source)
    {
        var table = Azurite.Table(StorageNames.CheckpointsTable);
        await table.CreateIfNotExistsAsync();
        foreach (var row in new[] { "incremental", "backfill" })
        {
            await table.DeleteEntityAsync(source, row);
        }
    }

    /// <summary>The archived pages of one run, in page order, from the raw archive (the stored sender facts carry run and page).</summary>
    public async Task<List<(string BlobName, byte[] Body)>> ArchivedPagesAsync(string adapterKey, string runId) =>
        [.. (await Azurite.RawPayloadsAsync(adapterKey))
            .Where(p => p.Properties.TryGetValue("pullRun", out var run) && run == runId)
            .OrderBy(p => int.Parse(p.Properties["pullPage"], System.Globalization.CultureInfo.InvariantCulture))
            .Select(p => (p.RawRef, p.Body))];

    /// <summary>Ingestion messages left by runs without a queue worker are removed, so no later local host processes them.</summary>
    public async Task ClearIngestQueueAsync()
    {
        var queue = Azurite.Queue(StorageNames.IngestQueue);
        await queue.CreateIfNotExistsAsync();
        await queue.ClearMessagesAsync();
    }

    /// <summary>Requests to a path, optionally only those whose query parameter <paramref name="name"/> satisfies <paramref name="value"/>.</summary>
    public int Requests(string path, string? name = null, Func<string, bool>? value = null) =>
        Api.LogEntries.Count(e => e.RequestMessage.AbsolutePath == path
            && (name is null || (e.RequestMessage.Query is { } query && query.TryGetValue(name, out var values) && values.Any(v => value is null || value(v)))));

    public string Describe() => string.Join("\n", Api.LogEntries.Select(e => $"{e.RequestMessage.DateTime:HH:mm:ss.fff} {e.RequestMessage.Method} {e.RequestMessage.Url} -> {e.ResponseMessage.StatusCode}"));

    public async ValueTask DisposeAsync()
    {
        await ClearIngestQueueAsync();
        Api.Stop();
        Api.Dispose();
        await provider.DisposeAsync();
    }

    /// <summary>A shared fixture without its "_request"/"_response" notes: the body the API itself sends.</summary>
    public static string Body(string relative)
    {
        var node = JsonNode.Parse(Fixture.Text(relative))!.AsObject();
        foreach (var key in node.Select(p => p.Key).Where(k => k.StartsWith('_')).ToList())
        {
            node.Remove(key);
        }

        return node.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}
