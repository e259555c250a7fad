using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using JourneyHub.Azure.Storage;
using JourneyHub.Core.Pull;
using JourneyHub.Core.Schema;

namespace JourneyHub.Azure.Pull;

public static class PullStorageNames
{
    /// <summary>Durable backfill requests; the queue-triggered backfill function drains it.</summary>
    public const string BackfillQueue = "journey-backfill";
    public const string BackfillPoisonQueue = "journey-backfill-poison";
}

/// <summary>
/// One row per source and run kind in the <c>Checkpoints</c> table (PartitionKey = source, RowKey = incremental |
/// backfill). The whole state is one JSON column; State, Pages and Items are also columns for people browsing the table.
/// </summary>
public sealed class TablePullStateStore(StorageClients clients, StorageBootstrap bootstrap) : IPullStateStore
{
    private TableClient Table => clients.Tables.GetTableClient(StorageNames.CheckpointsTable);

    public async Task<PullState?> GetAsync(string source, PullRunKind kind, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        var response = await Table.GetEntityIfExistsAsync<TableEntity>(TableKey.Escape(source), RowKey(kind), cancellationToken: cancellationToken);
        return response.HasValue && response.Value!.GetString("Json") is { Length: > 0 } json
            ? JsonSerializer.Deserialize<PullState>(json, JourneyJson.Options)
            : null;
    }

    public async Task SaveAsync(PullState state, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        await Table.UpsertEntityAsync(
            new TableEntity(TableKey.Escape(state.Source), RowKey(state.Kind))
            {
                ["Json"] = JsonSerializer.Serialize(state, JourneyJson.Options),
                ["State"] = state.State.ToString(),
                ["Pages"] = state.Pages,
                ["Items"] = state.Items,
            },
            TableUpdateMode.Replace,
            cancellationToken);
    }

    private static string RowKey(PullRunKind kind) => kind == PullRunKind.Backfill ? "backfill" : "incremental";
}

/// <summary>Backfill requests on the <c>journey-backfill</c> Storage Queue (created on first use).</summary>
public sealed class StorageBackfillQueue(StorageClients clients) : IBackfillQueue
{
    private volatile bool created;

    public async Task EnqueueAsync(BackfillRequest request, CancellationToken cancellationToken)
    {
        var queue = clients.Queues.GetQueueClient(PullStorageNames.BackfillQueue);
        if (!created)
        {
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await clients.Queues.GetQueueClient(PullStorageNames.BackfillPoisonQueue).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            created = true;
        }

        await queue.SendMessageAsync(JsonSerializer.Serialize(request, JourneyJson.Options), cancellationToken);
    }

    public static BackfillRequest? Parse(string text)
    {
        try
        {
            return JsonSerializer.Deserialize<BackfillRequest>(text, JourneyJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
