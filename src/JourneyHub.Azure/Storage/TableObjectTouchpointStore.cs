using Azure.Data.Tables;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;

namespace JourneyHub.Azure.Storage;

/// <summary>
/// ObjectTouchpoints: PartitionKey = escaped <c>type:value</c> of the object, RowKey = touchpoint id, the touchpoint as the
/// timeline stores it (same JSON, same trimming of oversized extras). A redelivery overwrites its own row.
/// </summary>
public sealed class TableObjectTouchpointStore(StorageClients clients, StorageBootstrap bootstrap, TimeProvider clock) : IObjectTouchpointStore
{
    private TableClient Table => clients.Tables.GetTableClient(StorageNames.ObjectTouchpointsTable);

    public async Task AddAsync(Identity objectId, Touchpoint touchpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(objectId);
        ArgumentNullException.ThrowIfNull(touchpoint);
        await bootstrap.EnsureAsync(cancellationToken);
        var row = TableTimelineStore.ToEntity(ObjectKey(objectId), touchpoint);
        row.RowKey = touchpoint.TouchpointId;
        row["RecordedAt"] = clock.GetUtcNow();
        await Table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
    }

    public async Task<IReadOnlyList<Touchpoint>> ListAsync(Identity objectId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(objectId);
        await bootstrap.EnsureAsync(cancellationToken);
        var touchpoints = new List<Touchpoint>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ObjectKey(objectId)}");
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, select: ["Json", "NoOwnTime"], cancellationToken: cancellationToken))
        {
            touchpoints.Add(TableTimelineStore.FromEntity(entity));
        }

        return touchpoints;
    }

    private static string ObjectKey(Identity objectId) => TableKey.Escape(objectId.ToString());
}
