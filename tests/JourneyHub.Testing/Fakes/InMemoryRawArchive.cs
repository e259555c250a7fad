using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Telemetry;

namespace JourneyHub.Testing.Fakes;

/// <summary>
/// <see cref="IRawArchive"/> in memory for fast tests: entries keyed by a reference derived from the content (source,
/// sender facts, bytes), as the real archive derives it, so a redelivery of the same bytes is the same entry.
/// <see cref="FailWith"/> makes the next writes fail the way an unavailable storage account does.
/// </summary>
public sealed class InMemoryRawArchive : IRawArchive
{
    private readonly ConcurrentDictionary<string, ArchivedPayload> entries = new(StringComparer.Ordinal);

    /// <summary>What has been archived, by reference.</summary>
    public IReadOnlyDictionary<string, ArchivedPayload> Entries => entries;

    /// <summary>When set, <see cref="ArchiveAsync"/> and <see cref="ArchiveInlineBodyAsync"/> fail with it instead of storing.</summary>
    public Exception? FailWith { get; set; }

    public string ReferenceFor(string source, ReadOnlyMemory<byte> body, string contentType, IReadOnlyDictionary<string, string> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(source + "\n"));
        // As StorageRawArchive: the facts of this attempt (correlation, trace) are not part of the content.
        foreach (var (key, value) in properties.Where(p => p.Key is not ("correlationId" or JourneyHubTelemetry.TraceParentProperty)).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(key + "=" + value + "\n"));
        }

        hash.AppendData(body.Span);
        return $"{source.Replace(':', '/')}/{Convert.ToHexStringLower(hash.GetHashAndReset())}";
    }

    public Task<string> ArchiveAsync(string source, ReadOnlyMemory<byte> body, string contentType, IReadOnlyDictionary<string, string> properties, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (FailWith is { } failure)
        {
            // Faulted, not thrown: a storage call fails on its task, while other writes may be in flight.
            return Task.FromException<string>(failure);
        }

        var reference = ReferenceFor(source, body, contentType, properties);
        entries.TryAdd(reference, new ArchivedPayload(source, body.ToArray(), contentType, new Dictionary<string, string>(properties, StringComparer.Ordinal), receivedAt));
        return Task.FromResult(reference);
    }

    public Task<bool> ArchiveInlineBodyAsync(IngestionMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        cancellationToken.ThrowIfCancellationRequested();
        if (message.InlineBody is not { } body)
        {
            return Task.FromResult(false);
        }

        if (FailWith is { } failure)
        {
            return Task.FromException<bool>(failure);
        }

        return Task.FromResult(entries.TryAdd(message.BlobName, new ArchivedPayload(message.Source, body, message.ContentType ?? "application/octet-stream", message.Properties, message.ReceivedAt)));
    }

    public Task<RawPayload?> ReadAsync(IngestionMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        cancellationToken.ThrowIfCancellationRequested();
        RawPayload? payload = message.InlineBody is { } inline
            ? new RawPayload(message.Source, message.BlobName, inline, message.ReceivedAt, message.CorrelationId, message.Properties)
            : entries.TryGetValue(message.BlobName, out var entry)
                ? new RawPayload(entry.Source, message.BlobName, entry.Body, entry.ReceivedAt, message.CorrelationId, message.Properties)
                : null;
        return Task.FromResult(payload);
    }

    public Task DeleteAsync(string rawRef, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        entries.TryRemove(rawRef, out _);
        return Task.CompletedTask;
    }
}

/// <summary>One archived delivery: the exact bytes and what was known about them when they arrived.</summary>
public sealed record ArchivedPayload(string Source, byte[] Body, string ContentType, IReadOnlyDictionary<string, string> Properties, DateTimeOffset ReceivedAt);
