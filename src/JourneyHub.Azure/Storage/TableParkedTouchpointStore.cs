using Azure;
using Azure.Data.Tables;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;

namespace JourneyHub.Azure.Storage;

/// <summary>
/// ParkedTouchpoints: PartitionKey = escaped <c>type:value</c> of the object, RowKey = touchpoint id, the touchpoint as the
/// timeline stores it (same JSON, same trimming of oversized extras). A redelivery of a parked event overwrites its row.
/// </summary>
public sealed class TableParkedTouchpointStore(StorageClients clients, StorageBootstrap bootstrap, TimeProvider clock) : IParkedTouchpointStore
{
    private TableClient Table => clients.Tables.GetTableClient(StorageNames.ParkedTouchpointsTable);

    public async Task ParkAsync(Identity objectId, Touchpoint touchpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(objectId);
        ArgumentNullException.ThrowIfNull(touchpoint);
        await bootstrap.EnsureAsync(cancellationToken);
        var row = TableTimelineStore.ToEntity(ObjectKey(objectId), touchpoint);
        row.RowKey = touchpoint.TouchpointId;
        row["ParkedAt"] = clock.GetUtcNow();
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

    public async Task RemoveAsync(Identity objectId, IReadOnlyCollection<string> touchpointIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(objectId);
        ArgumentNullException.ThrowIfNull(touchpointIds);
        await bootstrap.EnsureAsync(cancellationToken);
        foreach (var touchpointId in touchpointIds)
        {
            // A missing row answers 404, which DeleteEntityAsync does not throw for: releasing twice is a no-op.
            await Table.DeleteEntityAsync(ObjectKey(objectId), touchpointId, ETag.All, cancellationToken);
        }
    }

    private static string ObjectKey(Identity objectId) => TableKey.Escape(objectId.ToString());
}
