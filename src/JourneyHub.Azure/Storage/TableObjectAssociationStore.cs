using Azure;
using Azure.Data.Tables;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;

namespace JourneyHub.Azure.Storage;

/// <summary>
/// ObjectAssociations: one row per (object, customer) in the object's partition (<c>o|&lt;type:value&gt;</c>, RowKey =
/// customer id), so "who is this deal associated with" is one partition read, and its mirror in the customer's partition
/// (<c>c|&lt;customer id&gt;</c>, RowKey = escaped <c>type:value</c>), so erasure finds a person's objects without a scan.
/// The mirror is written first and removed last: a crash in between leaves a mirror row whose removal is a no-op, never
/// an association that erasure cannot find.
/// </summary>
public sealed class TableObjectAssociationStore(StorageClients clients, StorageBootstrap bootstrap, TimeProvider clock) : IObjectAssociationStore
{
    private const string ObjectPrefix = "o|";
    private const string CustomerPrefix = "c|";

    private TableClient Table => clients.Tables.GetTableClient(StorageNames.ObjectAssociationsTable);

    public async Task<IReadOnlyList<string>> CustomersAsync(Identity objectId, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        var customers = new List<string>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ObjectKey(objectId)}");
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            customers.Add(entity.RowKey);
        }

        return customers;
    }

    public async Task AddAsync(Identity objectId, string customerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(objectId);
        await bootstrap.EnsureAsync(cancellationToken);
        var at = clock.GetUtcNow();
        await Table.UpsertEntityAsync(
            new TableEntity(CustomerKey(customerId), TableKey.Escape(objectId.ToString())) { ["ObjectType"] = objectId.Type, ["ObjectValue"] = objectId.Value, ["AssociatedAt"] = at },
            TableUpdateMode.Replace,
            cancellationToken);
        await Table.UpsertEntityAsync(
            new TableEntity(ObjectKey(objectId), customerId) { ["ObjectType"] = objectId.Type, ["ObjectValue"] = objectId.Value, ["AssociatedAt"] = at },
            TableUpdateMode.Replace,
            cancellationToken);
    }

    public async Task RemoveAsync(Identity objectId, string customerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(objectId);
        await bootstrap.EnsureAsync(cancellationToken);
        // A missing row answers 404, which DeleteEntityAsync does not throw for: a repeated removal is a no-op.
        await Table.DeleteEntityAsync(ObjectKey(objectId), customerId, ETag.All, cancellationToken);
        await Table.DeleteEntityAsync(CustomerKey(customerId), TableKey.Escape(objectId.ToString()), ETag.All, cancellationToken);
    }

    public async Task<IReadOnlyList<Identity>> ObjectsOfAsync(string customerId, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        var objects = new List<Identity>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {CustomerKey(customerId)}");
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, select: ["ObjectType", "ObjectValue"], cancellationToken: cancellationToken))
        {
            if (entity.GetString("ObjectType") is { } type && entity.GetString("ObjectValue") is { } value)
            {
                objects.Add(new Identity(type, value));
            }
        }

        return objects;
    }

    private static string ObjectKey(Identity objectId) => ObjectPrefix + TableKey.Escape(objectId.ToString());

    private static string CustomerKey(string customerId) => CustomerPrefix + TableKey.Escape(customerId);
}
