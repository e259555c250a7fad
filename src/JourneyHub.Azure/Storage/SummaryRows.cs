using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;
using Microsoft.Extensions.Caching.Memory;

namespace JourneyHub.Azure.Storage;

/// <summary>
/// Row keys inside a customer partition of the Timeline table. Touchpoint rows start with the 19 digits of inverted
/// ticks; everything else starts with '~', which sorts after every digit, so a timeline query bounded by
/// <see cref="TouchpointRowsEnd"/> never sees the summary or the markers.
/// </summary>
public static class PartitionRows
{
    /// <summary>The journey summary row: profile, summary, merge and erasure tombstones.</summary>
    public const string Summary = "~journey";

    /// <summary>Prefix of the marker rows of events without a time of their own, keyed by touchpoint id.</summary>
    public const string ReceiptTimeMarkerPrefix = "~receipt_";

    /// <summary>
    /// Prefix of the marker rows of object-event copies, keyed by the object event's touchpoint id
    /// (<see cref="Touchpoint.CopyOf"/>): one copy of an object event per customer, whatever association key it came by.
    /// </summary>
    public const string CopyMarkerPrefix = "~copy_";

    /// <summary>Every touchpoint row key sorts before this (':' follows '9').</summary>
    public const string TouchpointRowsEnd = ":";

    public static string ReceiptTimeMarker(string touchpointId) => ReceiptTimeMarkerPrefix + touchpointId;

    public static string CopyMarker(string objectTouchpointId) => CopyMarkerPrefix + objectTouchpointId;

    /// <summary>Marker rows (receipt time, object-event copies) start with '~' like the summary row, but are not it.</summary>
    public static bool IsMarker(string rowKey) => rowKey.StartsWith('~') && rowKey != Summary;
}

/// <summary>
/// The summary row of a customer partition as a table entity. A string property holds at most 64 KiB (32,768 UTF-16
/// characters) while the entity may hold 1 MiB, and a customer's identities and journey grow with what senders send
/// (identity values up to 512 characters, many sources): each JSON value is therefore split over <c>Name</c>,
/// <c>Name_1</c>, <c>Name_2</c>… of at most <see cref="ChunkChars"/> characters. A value that fits stays one property
/// named as before, so rows written before the split read unchanged. Without it, the first write that pushed a
/// customer past 64 KiB would fail, and with it every later event of that customer.
/// </summary>
internal static class SummaryEntity
{
    internal const int ChunkChars = 30_000;

    public static TableEntity From(CustomerRecord customer)
    {
        var entity = new TableEntity(customer.CustomerId, PartitionRows.Summary)
        {
            ["CreatedAt"] = customer.CreatedAt,
            ["MergedInto"] = customer.MergedInto,
            ["ErasedAt"] = customer.ErasedAt,
        };
        WriteChunked(entity, "Identities", JsonSerializer.Serialize(customer.Identities, JourneyJson.Options));
        WriteChunked(entity, "Journey", JsonSerializer.Serialize(customer.Journey, JourneyJson.Options));
        WriteChunked(entity, "Merges", JsonSerializer.Serialize(customer.Merges, JourneyJson.Options));
        return entity;
    }

    public static CustomerRecord To(TableEntity entity) => new()
    {
        CustomerId = entity.PartitionKey,
        CreatedAt = entity.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue,
        Identities = JsonSerializer.Deserialize<List<Identity>>(ReadChunked(entity, "Identities") ?? "[]", JourneyJson.Options) ?? [],
        Journey = JsonSerializer.Deserialize<JourneyState>(ReadChunked(entity, "Journey") ?? "{}", JourneyJson.Options) ?? new JourneyState(),
        MergedInto = entity.GetString("MergedInto"),
        Merges = JsonSerializer.Deserialize<List<MergeRecord>>(ReadChunked(entity, "Merges") ?? "[]", JourneyJson.Options) ?? [],
        ErasedAt = entity.GetDateTimeOffset("ErasedAt"),
        ETag = entity.ETag.ToString(),
    };

    private static void WriteChunked(TableEntity entity, string name, string json)
    {
        entity[name] = json.Length <= ChunkChars ? json : json[..ChunkChars];
        for (int start = ChunkChars, part = 1; start < json.Length; start += ChunkChars, part++)
        {
            entity[ChunkName(name, part)] = json.Substring(start, Math.Min(ChunkChars, json.Length - start));
        }
    }

    private static string? ReadChunked(TableEntity entity, string name)
    {
        if (entity.GetString(name) is not { } first)
        {
            return null;
        }

        if (!entity.ContainsKey(ChunkName(name, 1)))
        {
            return first;
        }

        var text = new System.Text.StringBuilder(first);
        for (var part = 1; entity.GetString(ChunkName(name, part)) is { } next; part++)
        {
            text.Append(next);
        }

        return text.ToString();
    }

    private static string ChunkName(string name, int part) => name + "_" + part.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

public sealed class StorageCacheOptions
{
    public const string Section = "Storage:Cache";

    /// <summary>Summary rows kept in memory with their ETags (a few KB each). A stale one costs one failed write and a re-read.</summary>
    public int SummaryEntries { get; set; } = 10_000;

    /// <summary>Identity → customer links kept in memory. A stale one meets a tombstone and is re-resolved.</summary>
    public int IdentityLinks { get; set; } = 100_000;

    /// <summary>Segment map rows (customer contributions and shard sums) kept with their ETags. A stale one costs a failed transaction and a re-read.</summary>
    public int SegmentRows { get; set; } = 20_000;
}

/// <summary>
/// Summary rows with their ETags, so the common write (a new row for a known customer) needs no read first: the
/// transaction carries the cached ETag, and if anyone wrote the row meanwhile it fails with 412 and the row is read again.
/// The partition stays authoritative; the cache only saves reads.
/// </summary>
public sealed class SummaryCache(Microsoft.Extensions.Options.IOptions<StorageCacheOptions> options) : IDisposable
{
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(10);

    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = Math.Max(1, options.Value.SummaryEntries) });

    public CustomerRecord? Get(string customerId) => cache.TryGetValue(customerId, out CustomerRecord? record) ? record : null;

    public void Set(CustomerRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.ETag is null)
        {
            cache.Remove(record.CustomerId);
            return;
        }

        cache.Set(record.CustomerId, record, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = Idle });
    }

    public void Forget(string customerId) => cache.Remove(customerId);

    public void Dispose() => cache.Dispose();
}
