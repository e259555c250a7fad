using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Timeline;

namespace JourneyHub.Azure.Customers;

/// <summary>IdentityConflicts: PartitionKey = customer id, RowKey = newest first, so a customer's conflicts are one range read.</summary>
public sealed class TableIdentityConflictStore(CustomerStorage storage) : IIdentityConflictStore
{
    private TableClient Table => storage.Table(CustomerStorage.IdentityConflictsTable);

    public async Task RecordAsync(IdentityConflict conflict, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conflict);
        await storage.EnsureAsync(cancellationToken);
        var rowKey = TimelineKeys.RowKey(conflict.At, Guid.NewGuid().ToString("N"));
        await Table.UpsertEntityAsync(
            new TableEntity(conflict.CustomerId, rowKey)
            {
                ["Json"] = JsonSerializer.Serialize(conflict, JourneyJson.Options),
                ["Reason"] = conflict.Reason,
                ["At"] = conflict.At,
            },
            TableUpdateMode.Replace,
            cancellationToken);
    }

    public async Task<IReadOnlyList<IdentityConflict>> ListAsync(string customerId, int limit, CancellationToken cancellationToken)
    {
        await storage.EnsureAsync(cancellationToken);
        var list = new List<IdentityConflict>();
        await foreach (var entity in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {customerId}"), maxPerPage: Math.Min(1000, limit), cancellationToken: cancellationToken))
        {
            if (JsonSerializer.Deserialize<IdentityConflict>(entity.GetString("Json") ?? "null", JourneyJson.Options) is { } conflict)
            {
                list.Add(conflict);
            }

            if (list.Count >= limit)
            {
                break;
            }
        }

        return list;
    }

    public async Task<int> DeleteCustomerAsync(string customerId, CancellationToken cancellationToken)
    {
        await storage.EnsureAsync(cancellationToken);
        return await TableRows.DeletePartitionAsync(Table, customerId, cancellationToken);
    }
}

internal static class TableRows
{
    public static async Task<int> DeletePartitionAsync(TableClient table, string partitionKey, CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey}"), select: ["RowKey"], cancellationToken: cancellationToken))
        {
            keys.Add(entity.RowKey);
        }

        foreach (var chunk in keys.Chunk(100))
        {
            await table.SubmitTransactionAsync(chunk.Select(rk => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partitionKey, rk), ETag.All)), cancellationToken);
        }

        return keys.Count;
    }

    public static string Ticks(DateTimeOffset at) => at.UtcTicks.ToString("D19", CultureInfo.InvariantCulture);
}
