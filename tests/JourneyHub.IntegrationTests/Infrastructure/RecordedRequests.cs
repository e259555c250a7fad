using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace JourneyHub.IntegrationTests.Infrastructure;

/// <summary>
/// Every request a storage client sends, recorded after the SDK's own retries (add it at <see cref="HttpPipelinePosition.PerCall"/>),
/// for tests that count what an operation costs on the wire; <see cref="BeforeSend"/> can fail a request on purpose, as
/// an outage or a crash at that point would. Requests that create tables are not recorded: they are bootstrap, not the
/// operation under test.
/// </summary>
public sealed class RecordedRequests : HttpPipelinePolicy
{
    private readonly ConcurrentQueue<RecordedRequest> entries = new();

    /// <summary>Runs before each recorded request is sent; an exception it throws is the request's outcome.</summary>
    public Func<HttpMessage, ValueTask>? BeforeSend { get; set; }

    public IReadOnlyList<RecordedRequest> Entries => [.. entries];

    public void Clear() => entries.Clear();

    /// <summary>The requests since the last call, in the order they were sent.</summary>
    public List<RecordedRequest> Take()
    {
        var taken = new List<RecordedRequest>();
        while (entries.TryDequeue(out var entry))
        {
            taken.Add(entry);
        }

        return taken;
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (Record(message) && BeforeSend is not null)
        {
            throw new NotSupportedException("A BeforeSend hook needs the client to be used asynchronously.");
        }

        ProcessNext(message, pipeline);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (Record(message) && BeforeSend is { } before)
        {
            await before(message);
        }

        await ProcessNextAsync(message, pipeline);
    }

    private bool Record(HttpMessage message)
    {
        var path = Uri.UnescapeDataString(message.Request.Uri.Path);
        if (path.EndsWith("/Tables", StringComparison.Ordinal))
        {
            return false;
        }

        entries.Enqueue(new RecordedRequest(message.Request.Method.Method, path, Uri.UnescapeDataString(message.Request.Uri.Query.Replace('+', ' '))));
        return true;
    }
}

/// <summary>One recorded request: its method, its unescaped path and query.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query)
{
    /// <summary>An entity-group transaction (its body names the table; its path does not).</summary>
    public bool IsTransaction => Path.EndsWith("$batch", StringComparison.Ordinal);

    public bool IsRead => Method == "GET";

    /// <summary>The last path segment: a table, a table with an entity's keys, <c>$batch</c>, or a queue's <c>messages</c>.</summary>
    public string Resource => Path[(Path.LastIndexOf('/') + 1)..];

    /// <summary>The <c>$filter</c> of a query, unescaped; empty when there is none.</summary>
    public string Filter =>
        Query.TrimStart('?').Split('&').FirstOrDefault(p => p.StartsWith("$filter=", StringComparison.Ordinal))?["$filter=".Length..] ?? "";

    /// <summary>
    /// A short name of what was asked of the table service: <c>POST $batch</c>, or the method, the table and whether one
    /// entity (its keys in the path) or a query.
    /// </summary>
    public string Kind => IsTransaction
        ? $"{Method} $batch"
        : $"{Method} {Resource.Split('(')[0]} {(Resource.Contains("PartitionKey", StringComparison.Ordinal) ? "entity" : "query")}";
}
