using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Timeline;

namespace JourneyHub.Azure.Storage;

/// <summary>
/// One partition per customer, newest first. Rows are inserted (not upserted) in transactions of at most
/// 100 per partition: a row that already exists makes the service name it, so a redelivered event is
/// reported as a duplicate and never written or counted twice.
/// </summary>
public sealed class TableTimelineStore(StorageClients clients, StorageBootstrap bootstrap) : ITimelineStore
{
    public const int MaxBatch = 100;

    // A string property holds at most 32K UTF-16 characters; keep well below it.
    private const int MaxJsonChars = 30_000;

    private TableClient Table => clients.Tables.GetTableClient(StorageNames.TimelineTable);

    public async Task<AppendResult> AppendAsync(string customerId, IReadOnlyList<Touchpoint> touchpoints, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        var inserted = new List<Touchpoint>();
        var duplicates = new List<Touchpoint>();
        var unique = touchpoints
            .GroupBy(t => TimelineKeys.RowKey(t.OccurredAt, t.TouchpointId), StringComparer.Ordinal)
            .Select(g => g.First())
            .ToList();
        duplicates.AddRange(touchpoints.Count == unique.Count ? [] : touchpoints.Except(unique));

        foreach (var chunk in unique.Chunk(MaxBatch))
        {
            var pending = chunk.ToList();
            while (pending.Count > 0)
            {
                var actions = pending.Select(t => new TableTransactionAction(TableTransactionActionType.Add, ToEntity(customerId, t))).ToList();
                try
                {
                    await Table.SubmitTransactionAsync(actions, cancellationToken);
                    inserted.AddRange(pending);
                    pending.Clear();
                }
                catch (TableTransactionFailedException ex) when (ex.Status == 409 && ex.FailedTransactionActionIndex is int index && index < pending.Count)
                {
                    duplicates.Add(pending[index]);
                    pending.RemoveAt(index);
                }
            }
        }

        return new AppendResult(inserted, duplicates);
    }

    public async Task<TimelinePage> QueryAsync(string customerId, TimelineQuery query, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        var limit = Math.Clamp(query.Limit, 1, TimelineQuery.MaxLimit);
        var filter = BuildFilter(customerId, query);
        var items = new List<Touchpoint>(limit + 1);
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(1000, limit + 1), select: ["RowKey", "Json"], cancellationToken: cancellationToken))
        {
            items.Add(FromEntity(entity));
            if (items.Count > limit)
            {
                break;
            }
        }

        string? next = null;
        if (items.Count > limit)
        {
            items.RemoveAt(limit);
            var last = items[^1];
            next = Cursor.Encode(TimelineKeys.RowKey(last.OccurredAt, last.TouchpointId));
        }

        return new TimelinePage(items, next);
    }

    public async Task<int> DeleteCustomerAsync(string customerId, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        var keys = new List<string>();
        await foreach (var entity in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {customerId}"), select: ["RowKey"], cancellationToken: cancellationToken))
        {
            keys.Add(entity.RowKey);
        }

        foreach (var chunk in keys.Chunk(MaxBatch))
        {
            await Table.SubmitTransactionAsync(chunk.Select(rk => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(customerId, rk), ETag.All)), cancellationToken);
        }

        return keys.Count;
    }

    internal static string BuildFilter(string customerId, TimelineQuery query)
    {
        var parts = new List<string> { TableClient.CreateQueryFilter($"PartitionKey eq {customerId}") };
        if (query.Cursor is not null)
        {
            parts.Add(TableClient.CreateQueryFilter($"RowKey gt {Cursor.Decode(query.Cursor)}"));
        }

        if (query.To is { } to)
        {
            parts.Add(TableClient.CreateQueryFilter($"RowKey ge {TimelineKeys.LowerBoundFor(to)}"));
        }

        if (query.From is { } from)
        {
            // Row keys are "<inverted ticks>_<id>"; '`' sorts right after '_', so this keeps everything at `from` itself.
            parts.Add(TableClient.CreateQueryFilter($"RowKey lt {TimelineKeys.LowerBoundFor(from) + "`"}"));
        }

        if (query.Stage is { } stage)
        {
            parts.Add(TableClient.CreateQueryFilter($"Stage eq {JourneyJson.WireName(stage)}"));
        }

        if (query.Channel is { } channel)
        {
            parts.Add(TableClient.CreateQueryFilter($"Channel eq {JourneyJson.WireName(channel)}"));
        }

        if (query.Source is { } source)
        {
            parts.Add(TableClient.CreateQueryFilter($"Source eq {source}"));
        }

        return string.Join(" and ", parts);
    }

    internal static TableEntity ToEntity(string customerId, Touchpoint touchpoint)
    {
        var json = JsonSerializer.Serialize(touchpoint, JourneyJson.Options);
        if (json.Length > MaxJsonChars)
        {
            // Azure rejects oversized properties (Azurite does not): keep the fact, drop the bulky extras.
            var trimmed = touchpoint with
            {
                Attributes = new Dictionary<string, string> { ["truncated"] = "true" },
                Summary = touchpoint.Summary.Length > 500 ? touchpoint.Summary[..500] : touchpoint.Summary,
            };
            json = JsonSerializer.Serialize(trimmed, JourneyJson.Options);
        }

        return new TableEntity(customerId, TimelineKeys.RowKey(touchpoint.OccurredAt, touchpoint.TouchpointId))
        {
            ["Json"] = json,
            ["TouchpointId"] = touchpoint.TouchpointId,
            ["OccurredAt"] = touchpoint.OccurredAt,
            ["Source"] = touchpoint.Source,
            ["Channel"] = JourneyJson.WireName(touchpoint.Channel),
            ["Stage"] = touchpoint.Stage is { } s ? JourneyJson.WireName(s) : null,
            ["Action"] = touchpoint.Action,
            ["RawRef"] = touchpoint.RawRef,
        };
    }

    internal static Touchpoint FromEntity(TableEntity entity) =>
        JsonSerializer.Deserialize<Touchpoint>(entity.GetString("Json"), JourneyJson.Options)
        ?? throw new InvalidDataException($"Timeline row {entity.PartitionKey}/{entity.RowKey} holds no touchpoint.");

}
