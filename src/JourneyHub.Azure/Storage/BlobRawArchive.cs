using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Ports;

namespace JourneyHub.Azure.Storage;

/// <summary>Raw payloads, byte for byte, in the <c>raw-payloads</c> container; sender facts travel as blob metadata.</summary>
public sealed class BlobRawArchive(StorageClients clients, StorageBootstrap bootstrap) : IRawArchive
{
    private BlobContainerClient Container => clients.Blobs.GetBlobContainerClient(StorageNames.RawContainer);

    public async Task<string> ArchiveAsync(string source, ReadOnlyMemory<byte> body, string contentType, IReadOnlyDictionary<string, string> properties, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        var extension = contentType.Contains("xml", StringComparison.OrdinalIgnoreCase) ? "xml" : "json";
        var utc = receivedAt.UtcDateTime;
        var name = $"{source.Replace(':', '/')}/{utc:yyyy/MM/dd/HHmmssfff}-{Guid.NewGuid():N}.{extension}";
        var metadata = properties.ToDictionary(p => MetadataKey(p.Key), p => Uri.EscapeDataString(p.Value), StringComparer.Ordinal);
        metadata["source"] = Uri.EscapeDataString(source);
        metadata["receivedAt"] = receivedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        await Container.GetBlobClient(name).UploadAsync(
            BinaryData.FromBytes(body),
            new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = contentType.Length > 200 ? "application/octet-stream" : contentType },
                Metadata = metadata,
                Conditions = new BlobRequestConditions { IfNoneMatch = global::Azure.ETag.All },
            },
            cancellationToken);
        return name;
    }

    public async Task<RawPayload?> ReadAsync(IngestionMessage message, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        try
        {
            var result = await Container.GetBlobClient(message.BlobName).DownloadContentAsync(cancellationToken);
            var properties = new Dictionary<string, string>(message.Properties, StringComparer.Ordinal);
            foreach (var (key, value) in result.Value.Details.Metadata)
            {
                properties.TryAdd(key, Uri.UnescapeDataString(value));
            }

            return new RawPayload(message.Source, message.BlobName, result.Value.Content.ToMemory(), message.ReceivedAt, message.CorrelationId, properties);
        }
        catch (global::Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task DeleteAsync(string blobName, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        await Container.GetBlobClient(blobName).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken);
    }

    // Metadata names must be C# identifiers.
    private static string MetadataKey(string key) => new(key.Where(char.IsAsciiLetterOrDigit).ToArray());
}
