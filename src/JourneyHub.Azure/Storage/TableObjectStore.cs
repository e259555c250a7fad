using Azure;
using Azure.Data.Tables;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;

namespace JourneyHub.Azure.Storage;

/// <summary>
/// Objects: each object's partition (<c>o|&lt;type:value&gt;</c>) holds its version row (RowKey <c>!version</c>, first in key
/// order), one row per associated customer (<c>a|&lt;customer id&gt;</c>) and its history (<c>t|&lt;touchpoint id&gt;</c>,
/// the touchpoint as the timeline stores it, with <c>RecordedAt</c>, the time of its latest write, for retention). Every
/// history write and every association write is one entity-group transaction that also writes the version row, so the
/// version row's ETag changes with each: an association written under If-Match of the ETag read with the history saw
/// the complete history. The version row sorts first, so a query that pages reads it before any row it must cover.
/// <para>The customer's partition (<c>c|&lt;customer id&gt;</c>, RowKey = escaped <c>type:value</c>) mirrors the
/// associations, so erasure finds a person's objects without a scan. The mirror is written first and removed last: a
/// crash in between leaves a mirror row whose removal is a no-op, never an association that erasure cannot find.</para>
/// </summary>
public sealed class TableObjectStore(StorageClients clients, StorageBootstrap bootstrap, TimeProvider clock) : IObjectStore
{
    /// <summary>Row keys of an object's history start with this; retention deletes only such rows.</summary>
    public const string HistoryPrefix = "t|";

    private const string ObjectPrefix = "o|";
    private const string CustomerPrefix = "c|";
    private const string AssociationPrefix = "a|";
    private const string VersionKey = "!version";

    private TableClient Table => clients.Tables.GetTableClient(StorageNames.ObjectsTable);

    public async Task<ObjectState> ReadAsync(Identity objectId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(objectId);
        await bootstrap.EnsureAsync(cancellationToken);
        var (customers, history) = (new List<string>(), new List<Touchpoint>());
        string? version = null;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ObjectKey(objectId)}");
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, select: ["RowKey", "Json", "NoOwnTime"], cancellationToken: cancellationToken))
        {
            if (entity.RowKey == VersionKey)
            {
                version = entity.ETag.ToString();
            }
            else if (entity.RowKey.StartsWith(AssociationPrefix, StringComparison.Ordinal))
            {
                customers.Add(entity.RowKey[AssociationPrefix.Length..]);
            }
            else if (entity.RowKey.StartsWith(HistoryPrefix, StringComparison.Ordinal))
            {
                history.Add(TableTimelineStore.FromEntity(entity));
            }
        }

        return new ObjectState(customers, history, version);
    }

    public async Task<IReadOnlyList<string>> CustomersAsync(Identity objectId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(objectId);
        await bootstrap.EnsureAsync(cancellationToken);
        var customers = new List<string>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ObjectKey(objectId)} and RowKey gt {AssociationPrefix} and RowKey lt {RangeEnd(AssociationPrefix)}");
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            customers.Add(entity.RowKey[AssociationPrefix.Length..]);
        }

        return customers;
    }

    public async Task<bool> TryAddAsync(Identity objectId, string customerId, ObjectState read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(objectId);
        ArgumentNullException.ThrowIfNull(read);
        await bootstrap.EnsureAsync(cancellationToken);
        var at = clock.GetUtcNow();
        await Table.UpsertEntityAsync(
            new TableEntity(CustomerKey(customerId), TableKey.Escape(objectId.ToString())) { ["ObjectType"] = objectId.Type, ["ObjectValue"] = objectId.Value, ["AssociatedAt"] = at },
            TableUpdateMode.Replace,
            cancellationToken);

        var version = VersionRow(objectId);
        TableTransactionAction[] transaction =
        [
            read.Version is { } etag
                ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, version, new ETag(etag))
                : new TableTransactionAction(TableTransactionActionType.Add, version),
            new TableTransactionAction(
                TableTransactionActionType.UpsertReplace,
                new TableEntity(ObjectKey(objectId), AssociationPrefix + customerId) { ["ObjectType"] = objectId.Type, ["ObjectValue"] = objectId.Value, ["AssociatedAt"] = at }),
        ];
        try
        {
            await Table.SubmitTransactionAsync(transaction, cancellationToken);
            return true;
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
        {
            // 412: the version changed since the read (a history or association write); 409: the object's first write raced this one.
            return false;
        }
    }

    public async Task RemoveAsync(Identity objectId, string customerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(objectId);
        await bootstrap.EnsureAsync(cancellationToken);

        // A missing row answers 404, which DeleteEntityAsync does not throw for: a repeated removal is a no-op. A removal
        // needs no version change: a history write racing it may still reach the customer, as it would have a moment earlier.
        await Table.DeleteEntityAsync(ObjectKey(objectId), AssociationPrefix + customerId, ETag.All, cancellationToken);
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

    public async Task RecordAsync(Identity objectId, Touchpoint touchpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(objectId);
        ArgumentNullException.ThrowIfNull(touchpoint);
        await bootstrap.EnsureAsync(cancellationToken);
        var row = TableTimelineStore.ToEntity(ObjectKey(objectId), touchpoint);
        row.RowKey = HistoryPrefix + touchpoint.TouchpointId;
        row["RecordedAt"] = clock.GetUtcNow();

        // The version row replaced unconditionally: its ETag changes, so an association read before this write fails its If-Match.
        await Table.SubmitTransactionAsync(
            [
                new TableTransactionAction(TableTransactionActionType.UpsertReplace, VersionRow(objectId)),
                new TableTransactionAction(TableTransactionActionType.UpsertReplace, row),
            ],
            cancellationToken);
    }

    /// <summary>The smallest key after every key that starts with <paramref name="prefix"/> ('|' + 1 = '}').</summary>
    internal static string RangeEnd(string prefix) => prefix[..^1] + (char)(prefix[^1] + 1);

    private static TableEntity VersionRow(Identity objectId) => new(ObjectKey(objectId), VersionKey);

    private static string ObjectKey(Identity objectId) => ObjectPrefix + TableKey.Escape(objectId.ToString());

    private static string CustomerKey(string customerId) => CustomerPrefix + TableKey.Escape(customerId);
}
