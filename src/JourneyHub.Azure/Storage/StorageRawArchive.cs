using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Privacy;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Telemetry;

namespace JourneyHub.Azure.Storage;

/// <summary>
/// Raw payloads, byte for byte. A body that fits (up to <see cref="MaxTableBytes"/>) is one entity of the
/// <c>RawPayloads</c> table, split over 64 KiB binary properties, priced ~180 times below a hot-tier blob write; the
/// entities of one of <see cref="Partitions"/> partitions are inserted together, many per entity-group transaction
/// (<see cref="RawPayloadGroupCommit"/>). Larger bodies are blobs in <c>raw-payloads</c>. The reference is derived from
/// the content: <c>table:raw-&lt;n&gt;/&lt;sha256&gt;</c> (partition, row key) or <c>&lt;source path&gt;/&lt;sha256&gt;.&lt;ext&gt;</c>,
/// so it is known before the write and a redelivery of the same bytes finds the entry already there.
/// Erasure may replace an entry by a redacted copy under the same reference (<see cref="IRawPayloadRedaction"/>), marked
/// <c>Redacted</c>/<c>RedactedAt</c>/<c>RedactionReason</c> (entity properties, or blob metadata <c>redacted</c>,
/// <c>redactedAt</c>, <c>redactionReason</c>); source, sender facts and receipt time stay as they were.
/// </summary>
public sealed class StorageRawArchive(StorageClients clients, StorageBootstrap bootstrap) : IRawArchive, IRawPayloadRedaction
{
    public const string TableReferencePrefix = "table:";

    /// <summary>
    /// How many partitions the table's entities are spread over (<c>raw-0</c> …), by the first hex digit of their hash.
    /// Fewer partitions put more concurrent inserts into one transaction (measured: a third of the transactions of four
    /// partitions); each partition serves about 2,000 entities/s, so one carries about 2,000 single-event deliveries per
    /// second for the whole app (the README's design decisions). The partition is part of the reference, so entries stay
    /// found if this number is raised.
    /// </summary>
    public const int Partitions = 1;

    /// <summary>The largest binary property a table entity may hold.</summary>
    public const int ChunkBytes = 64 * 1024;

    /// <summary>
    /// 8 chunks = 512 KiB. An entity may hold 1 MiB, and its JSON on the wire carries binary as base64 (4/3), which
    /// is what the emulator measures; 512 KiB leaves room for that and for the sender facts.
    /// </summary>
    public const int MaxTableChunks = 8;

    public const int MaxTableBytes = ChunkBytes * MaxTableChunks;

    /// <summary>Sender facts are one string property (at most 32 K characters); larger sets go to a blob's metadata path.</summary>
    private const int MaxPropertiesChars = 16 * 1024;

    private const string RedactedProperty = "Redacted";
    private const string RedactedAtProperty = "RedactedAt";
    private const string RedactionReasonProperty = "RedactionReason";
    private const string RedactedMetadata = "redacted";
    private const string RedactedAtMetadata = "redactedAt";
    private const string RedactionReasonMetadata = "redactionReason";
    private const string SourceMetadata = "source";
    private const string ReceivedAtMetadata = "receivedAt";
    private const string DefaultContentType = "application/octet-stream";

    private BlobContainerClient Container => clients.Blobs.GetBlobContainerClient(StorageNames.RawContainer);

    private readonly RawPayloadGroupCommit inserts = new(() => clients.Tables.GetTableClient(StorageNames.RawPayloadsTable));

    private TableClient Table => clients.Tables.GetTableClient(StorageNames.RawPayloadsTable);

    public string ReferenceFor(string source, ReadOnlyMemory<byte> body, string contentType, IReadOnlyDictionary<string, string> properties)
    {
        var hash = ContentHash(source, body.Span, properties);
        return FitsTable(body, properties)
            ? $"{TableReferencePrefix}{PartitionOf(hash)}/{hash}"
            : $"{source.Replace(':', '/')}/{hash}.{(contentType.Contains("xml", StringComparison.OrdinalIgnoreCase) ? "xml" : "json")}";
    }

    public async Task<string> ArchiveAsync(string source, ReadOnlyMemory<byte> body, string contentType, IReadOnlyDictionary<string, string> properties, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        var reference = ReferenceFor(source, body, contentType, properties);
        await StoreAsync(reference, source, body, contentType, properties, receivedAt, cancellationToken);
        return reference;
    }

    /// <summary>Under the message's reference as the acknowledgement derived it, so rows, dead letters and erasure find it.</summary>
    public async Task<bool> ArchiveInlineBodyAsync(IngestionMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.InlineBody is not { } body)
        {
            return false;
        }

        await bootstrap.EnsureAsync(cancellationToken);
        return await StoreAsync(message.BlobName, message.Source, body, message.ContentType ?? DefaultContentType, message.Properties, message.ReceivedAt, cancellationToken);
    }

    public async Task<RawPayload?> ReadAsync(IngestionMessage message, CancellationToken cancellationToken)
    {
        if (message.InlineBody is { } inline)
        {
            return new RawPayload(message.Source, message.BlobName, inline, message.ReceivedAt, message.CorrelationId, message.Properties);
        }

        if (await GetAsync(message.BlobName, cancellationToken) is not { } archived)
        {
            return null;
        }

        // The message's own facts (this delivery's correlation id) win over those stored with the first copy.
        var properties = new Dictionary<string, string>(message.Properties, StringComparer.Ordinal);
        foreach (var (key, value) in archived.Payload.Properties)
        {
            properties.TryAdd(key, value);
        }

        return new RawPayload(message.Source, message.BlobName, archived.Payload.Body, message.ReceivedAt, message.CorrelationId, properties);
    }

    public async Task DeleteAsync(string rawRef, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        if (TryTableKey(rawRef, out var key))
        {
            try
            {
                await Table.DeleteEntityAsync(key.PartitionKey, key.RowKey, ETag.All, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Already gone: erasure and replay clean-up may both get here.
            }

            return;
        }

        await Container.GetBlobClient(rawRef).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken);
    }

    /// <summary>The one reader of an entry, table or blob: bytes, stored facts, content type, version and redaction mark.</summary>
    public async Task<ArchivedPayload?> GetAsync(string rawRef, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        if (TryTableKey(rawRef, out var key))
        {
            var response = await Table.GetEntityIfExistsAsync<TableEntity>(key.PartitionKey, key.RowKey, cancellationToken: cancellationToken);
            if (!response.HasValue || response.Value is not { } entity || BodyOf(entity) is not { } body)
            {
                return null;
            }

            var payload = new RawPayload(entity.GetString("Source") ?? "", rawRef, body, entity.GetDateTimeOffset("ReceivedAt") ?? default, "", PropertiesOf(entity));
            var mark = entity.GetDateTimeOffset(RedactedAtProperty) is { } at ? new RedactionMark(at, entity.GetString(RedactionReasonProperty) ?? "") : null;
            return new ArchivedPayload(payload, entity.GetString("ContentType") ?? "application/json", entity.ETag.ToString(), mark);
        }

        try
        {
            var result = await Container.GetBlobClient(rawRef).DownloadContentAsync(cancellationToken);
            var metadata = result.Value.Details.Metadata.ToDictionary(m => m.Key, m => Uri.UnescapeDataString(m.Value), StringComparer.Ordinal);
            var receivedAt = DateTimeOffset.TryParse(metadata.GetValueOrDefault(ReceivedAtMetadata), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var received) ? received : default;
            var payload = new RawPayload(metadata.GetValueOrDefault(SourceMetadata) ?? "", rawRef, result.Value.Content.ToArray(), receivedAt, "", metadata);
            var mark = DateTimeOffset.TryParse(metadata.GetValueOrDefault(RedactedAtMetadata), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at)
                ? new RedactionMark(at, metadata.GetValueOrDefault(RedactionReasonMetadata) ?? "")
                : null;
            return new ArchivedPayload(payload, result.Value.Details.ContentType ?? "application/octet-stream", result.Value.Details.ETag.ToString(), mark);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>
    /// One conditional write, built from what <see cref="GetAsync"/> returned (source, sender facts, content type, receipt
    /// time): no second read, the version the caller holds is the condition.
    /// </summary>
    public async Task<bool> ReplaceAsync(ArchivedPayload archived, ReadOnlyMemory<byte> body, RedactionMark mark, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(archived);
        ArgumentNullException.ThrowIfNull(mark);
        await bootstrap.EnsureAsync(cancellationToken);
        var stored = archived.Payload;
        try
        {
            if (TryTableKey(stored.BlobName, out var key))
            {
                var copy = TableEntityFor(key, stored.Source, body, archived.ContentType, JsonSerializer.Serialize(stored.Properties, JourneyJson.Options), stored.ReceivedAt);
                copy[RedactedProperty] = true;
                copy[RedactedAtProperty] = mark.RedactedAt;
                copy[RedactionReasonProperty] = mark.Reason;
                await Table.UpdateEntityAsync(copy, new ETag(archived.Version), TableUpdateMode.Replace, cancellationToken);
                return true;
            }

            // The blob's metadata as read (unescaped), written back as the archive writes it, with the mark.
            var metadata = stored.Properties.ToDictionary(p => p.Key, p => IsVerbatimMetadata(p.Key) ? p.Value : Uri.EscapeDataString(p.Value), StringComparer.Ordinal);
            metadata[RedactedMetadata] = "true";
            metadata[RedactedAtMetadata] = mark.RedactedAt.ToString("O", CultureInfo.InvariantCulture);
            metadata[RedactionReasonMetadata] = Uri.EscapeDataString(mark.Reason);
            await Container.GetBlobClient(stored.BlobName).UploadAsync(
                BinaryData.FromBytes(body),
                new BlobUploadOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = archived.ContentType },
                    Metadata = metadata,
                    Conditions = new BlobRequestConditions { IfMatch = new ETag(archived.Version) },
                },
                cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Changed or deleted since it was read: the caller reads it again.
            return false;
        }
    }

    /// <summary>The body of an archived table entity, reassembled from its chunk properties; null when the entity is not a complete payload.</summary>
    public static byte[]? BodyOf(TableEntity entity)
    {
        if (entity.GetInt32("Length") is not { } length || entity.GetInt32("Chunks") is not { } chunks)
        {
            return null;
        }

        var body = new byte[length];
        var offset = 0;
        for (var i = 0; i < chunks; i++)
        {
            var chunk = entity.GetBinary(ChunkProperty(i)) ?? [];
            chunk.CopyTo(body.AsSpan(offset));
            offset += chunk.Length;
        }

        return offset == length ? body : null;
    }

    public static string ChunkProperty(int index) => "Body" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>True for a <c>table:&lt;partition&gt;/&lt;hash&gt;</c> reference, with the entity's keys.</summary>
    public static bool TryTableKey(string rawRef, out RawTableKey key)
    {
        key = default;
        if (!rawRef.StartsWith(TableReferencePrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var slash = rawRef.IndexOf('/', TableReferencePrefix.Length);
        if (slash <= TableReferencePrefix.Length || slash == rawRef.Length - 1)
        {
            return false;
        }

        key = new RawTableKey(rawRef[TableReferencePrefix.Length..slash], rawRef[(slash + 1)..]);
        return true;
    }

    /// <summary>The partition of a content hash: <c>raw-</c> and its first hex digit modulo <see cref="Partitions"/>.</summary>
    public static string PartitionOf(string hash) =>
        "raw-" + (int.Parse(hash.AsSpan(0, 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture) % Partitions).ToString(CultureInfo.InvariantCulture);

    /// <returns>True when this call stored the entry; false when it was there already.</returns>
    private async Task<bool> StoreAsync(string reference, string source, ReadOnlyMemory<byte> body, string contentType, IReadOnlyDictionary<string, string> properties, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        // An entry that exists already is the same content (a redelivery, a retried request): the write leaves it.
        return TryTableKey(reference, out var key)
            ? await inserts.InsertAsync(TableEntityFor(key, source, body, contentType, JsonSerializer.Serialize(properties, JourneyJson.Options), receivedAt), cancellationToken)
            : await ArchiveInBlobAsync(reference, source, body, contentType, properties, receivedAt, cancellationToken);
    }

    private async Task<bool> ArchiveInBlobAsync(string blobName, string source, ReadOnlyMemory<byte> body, string contentType, IReadOnlyDictionary<string, string> properties, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        var metadata = properties.ToDictionary(p => MetadataKey(p.Key), p => Uri.EscapeDataString(p.Value), StringComparer.Ordinal);
        metadata[SourceMetadata] = Uri.EscapeDataString(source);
        metadata[ReceivedAtMetadata] = receivedAt.ToString("O", CultureInfo.InvariantCulture);
        try
        {
            await Container.GetBlobClient(blobName).UploadAsync(
                BinaryData.FromBytes(body),
                new BlobUploadOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = contentType.Length > 200 ? DefaultContentType : contentType },
                    Metadata = metadata,
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                },
                cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Same content, same name: archived already.
            return false;
        }
    }

    private static TableEntity TableEntityFor(RawTableKey key, string source, ReadOnlyMemory<byte> body, string contentType, string propertiesJson, DateTimeOffset receivedAt)
    {
        var chunks = (body.Length + ChunkBytes - 1) / ChunkBytes;
        var entity = new TableEntity(key.PartitionKey, key.RowKey)
        {
            ["Source"] = source,
            ["ContentType"] = contentType.Length > 200 ? DefaultContentType : contentType,
            ["ReceivedAt"] = receivedAt,
            ["Length"] = body.Length,
            ["Chunks"] = chunks,
            ["Properties"] = propertiesJson,
        };
        for (var i = 0; i < chunks; i++)
        {
            entity[ChunkProperty(i)] = body.Slice(i * ChunkBytes, Math.Min(ChunkBytes, body.Length - (i * ChunkBytes))).ToArray();
        }

        return entity;
    }

    private static Dictionary<string, string> PropertiesOf(TableEntity entity) =>
        entity.GetString("Properties") is { Length: > 0 } json
            ? JsonSerializer.Deserialize<Dictionary<string, string>>(json, JourneyJson.Options) ?? []
            : [];

    private static bool FitsTable(ReadOnlyMemory<byte> body, IReadOnlyDictionary<string, string> properties) =>
        body.Length <= MaxTableBytes && properties.Sum(p => p.Key.Length + p.Value.Length + 8) <= MaxPropertiesChars;

    /// <summary>
    /// SHA-256 over the source, the sender facts that identify the delivery (e.g. a Standard Webhooks id) and the
    /// bytes. Facts that differ per attempt (correlation id, trace parent) are left out, so a retried request maps
    /// to the same entry; two deliveries with equal bytes but different ids stay apart.
    /// </summary>
    private static string ContentHash(string source, ReadOnlySpan<byte> body, IReadOnlyDictionary<string, string> properties)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        // JSON keeps the parts apart unambiguously, whatever characters the facts contain.
        var facts = properties.Where(p => !IsPerAttempt(p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new[] { p.Key, p.Value });
        hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(new object[] { source, facts.ToArray() }, JourneyJson.Options));
        hash.AppendData(body);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static bool IsPerAttempt(string key) => key is "correlationId" or JourneyHubTelemetry.TraceParentProperty;

    /// <summary>Metadata the archive writes as it is (timestamps, a flag); every other value is escaped, as sender facts may hold any character.</summary>
    private static bool IsVerbatimMetadata(string key) => key is ReceivedAtMetadata or RedactedAtMetadata or RedactedMetadata;

    // Metadata names must be C# identifiers.
    private static string MetadataKey(string key) => new(key.Where(char.IsAsciiLetterOrDigit).ToArray());
}

/// <summary>Where a <c>table:</c> reference's entity lives: a partition of <see cref="StorageRawArchive.Partitions"/>, and the content hash as row key.</summary>
public readonly record struct RawTableKey(string PartitionKey, string RowKey);
