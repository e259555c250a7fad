using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using JourneyHub.LocalHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace JourneyHub.LoadHarness;

/// <summary>
/// A transparent loopback proxy in front of Azurite's blob, queue and table ports that counts every
/// storage request by service, method and table. Shared-key signatures cover the path, not the host,
/// so requests pass through unchanged. Used only to count billable transactions.
/// </summary>
public sealed partial class CountingProxy : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly HttpClient upstream = new(new SocketsHttpHandler { MaxConnectionsPerServer = 256, AllowAutoRedirect = false, UseCookies = false });
    private readonly ConcurrentDictionary<string, int> counts = new(StringComparer.Ordinal);

    private CountingProxy(WebApplication app, int blob, int queue, int table)
    {
        this.app = app;
        BlobPort = blob;
        QueuePort = queue;
        TablePort = table;
    }

    public int BlobPort { get; }
    public int QueuePort { get; }
    public int TablePort { get; }

    public IReadOnlyDictionary<string, int> Counts => counts;

    public void Reset() => counts.Clear();

    /// <summary>While set, requests pass without being counted (the harness's read-back through the API).</summary>
    public bool Paused { get; set; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AzuriteProcess.AccountName};AccountKey={AzuriteProcess.AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{AzuriteProcess.AccountName};" +
        $"QueueEndpoint=http://127.0.0.1:{QueuePort}/{AzuriteProcess.AccountName};" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/{AzuriteProcess.AccountName};";

    public static async Task<CountingProxy> StartAsync(AzuriteProcess azurite, CancellationToken cancellationToken)
    {
        var (blob, queue, table) = (AzuriteProcess.FreePort(), AzuriteProcess.FreePort(), AzuriteProcess.FreePort());
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{blob}", $"http://127.0.0.1:{queue}", $"http://127.0.0.1:{table}");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var proxy = new CountingProxy(app, blob, queue, table);
        var targets = new Dictionary<int, (string Service, int Port)>
        {
            [blob] = ("blob", azurite.BlobPort),
            [queue] = ("queue", azurite.QueuePort),
            [table] = ("table", azurite.TablePort),
        };
        app.Run(context => proxy.ForwardAsync(context, targets[context.Connection.LocalPort]));
        await app.StartAsync(cancellationToken);
        return proxy;
    }

    private async Task ForwardAsync(HttpContext context, (string Service, int Port) target)
    {
        var request = context.Request;
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.RequestAborted);
        var bytes = body.ToArray();
        if (!Paused)
        {
            Count(target.Service, request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", bytes);
        }

        // The raw target, byte for byte: re-encoding a decoded path would change what the shared key signed.
        var rawTarget = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? $"{request.Path}{request.QueryString}";
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri($"http://127.0.0.1:{target.Port}{rawTarget}", UriKind.Absolute));
        if (bytes.Length > 0 || request.ContentLength == 0)
        {
            message.Content = new ByteArrayContent(bytes);
        }

        foreach (var (name, values) in request.Headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!message.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                message.Content ??= new ByteArrayContent([]);
                message.Content.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        using var response = await upstream.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    private void Count(string service, string method, string path, string query, byte[] body)
    {
        string key;
        if (service == "table")
        {
            var segment = path.Split('/', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1) ?? "";
            if (segment == "$batch")
            {
                var inner = BatchTable().Match(Encoding.UTF8.GetString(body));
                key = $"table batch {(inner.Success ? inner.Groups[1].Value : "?")}";
            }
            else
            {
                var paren = segment.IndexOf('(', StringComparison.Ordinal);
                var table = paren < 0 ? segment : segment[..paren];
                var entity = paren >= 0 && segment.Length > paren + 2;
                key = $"table {method} {table}{(entity ? " (entity)" : query.Contains("filter", StringComparison.OrdinalIgnoreCase) ? " (query)" : "")}";
            }
        }
        else
        {
            var comp = query.Contains("comp=", StringComparison.Ordinal) ? " " + query[(query.IndexOf("comp=", StringComparison.Ordinal) + 5)..].Split('&')[0] : "";
            var messages = path.EndsWith("/messages", StringComparison.Ordinal) || path.Contains("/messages/", StringComparison.Ordinal) ? " messages" : "";
            key = $"{service} {method}{messages}{comp}";
        }

        counts.AddOrUpdate(key, 1, (_, c) => c + 1);
    }

    [GeneratedRegex(@"(?:POST|PUT|PATCH|MERGE|DELETE|GET) http://[^/]+/[^/]+/([A-Za-z0-9]+)")]
    private static partial Regex BatchTable();

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        upstream.Dispose();
    }
}
