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

    /// <summary>Every touchpoint row key sorts before this (':' follows '9').</summary>
    public const string TouchpointRowsEnd = ":";

    public static string ReceiptTimeMarker(string touchpointId) => ReceiptTimeMarkerPrefix + touchpointId;
}

/// <summary>The summary row of a customer partition as a table entity.</summary>
internal static class SummaryEntity
{
    public static TableEntity From(CustomerRecord customer) => new(customer.CustomerId, PartitionRows.Summary)
    {
        ["CreatedAt"] = customer.CreatedAt,
        ["Identities"] = JsonSerializer.Serialize(customer.Identities, JourneyJson.Options),
        ["Journey"] = JsonSerializer.Serialize(customer.Journey, JourneyJson.Options),
        ["MergedInto"] = customer.MergedInto,
        ["Merges"] = JsonSerializer.Serialize(customer.Merges, JourneyJson.Options),
        ["ErasedAt"] = customer.ErasedAt,
    };

    public static CustomerRecord To(TableEntity entity) => new()
    {
        CustomerId = entity.PartitionKey,
        CreatedAt = entity.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue,
        Identities = JsonSerializer.Deserialize<List<Identity>>(entity.GetString("Identities") ?? "[]", JourneyJson.Options) ?? [],
        Journey = JsonSerializer.Deserialize<JourneyState>(entity.GetString("Journey") ?? "{}", JourneyJson.Options) ?? new JourneyState(),
        MergedInto = entity.GetString("MergedInto"),
        Merges = JsonSerializer.Deserialize<List<MergeRecord>>(entity.GetString("Merges") ?? "[]", JourneyJson.Options) ?? [],
        ErasedAt = entity.GetDateTimeOffset("ErasedAt"),
        ETag = entity.ETag.ToString(),
    };
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
