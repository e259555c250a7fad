using Azure;
using Azure.Data.Tables;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;

namespace JourneyHub.Azure.Storage;

/// <summary>
/// One row per identity (PartitionKey = escaped "type:value"), so lookups are point reads and a claim is
/// an insert that the service makes atomic: the first writer wins, everyone else reads the winner.
/// </summary>
public sealed class TableIdentityStore(StorageClients clients, StorageBootstrap bootstrap, TimeProvider clock) : IIdentityStore
{
    private const string Row = "link";

    private TableClient Table => clients.Tables.GetTableClient(StorageNames.IdentitiesTable);

    public async Task<string?> FindCustomerAsync(Identity identity, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        var found = await Table.GetEntityIfExistsAsync<TableEntity>(Key(identity), Row, ["CustomerId"], cancellationToken);
        return found.HasValue ? found.Value!.GetString("CustomerId") : null;
    }

    public async Task<string> ClaimAsync(Identity identity, string customerId, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        var entity = new TableEntity(Key(identity), Row)
        {
            ["CustomerId"] = customerId,
            ["Type"] = identity.Type,
            ["Value"] = identity.Value,
            ["LinkedAt"] = clock.GetUtcNow(),
        };
        try
        {
            await Table.AddEntityAsync(entity, cancellationToken);
            return customerId;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return await FindCustomerAsync(identity, cancellationToken) ?? await ClaimAsync(identity, customerId, cancellationToken);
        }
    }

    public async Task<bool> ReassignAsync(Identity identity, string fromCustomerId, string toCustomerId, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        var found = await Table.GetEntityIfExistsAsync<TableEntity>(Key(identity), Row, cancellationToken: cancellationToken);
        if (!found.HasValue || found.Value!.GetString("CustomerId") != fromCustomerId)
        {
            return false;
        }

        var entity = found.Value;
        entity["CustomerId"] = toCustomerId;
        entity["LinkedAt"] = clock.GetUtcNow();
        try
        {
            await Table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return false;
        }
    }

    public async Task DeleteAsync(Identity identity, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        await Table.DeleteEntityAsync(Key(identity), Row, ETag.All, cancellationToken);
    }

    internal static string Key(Identity identity) => TableKey.Escape(identity.Type + ":" + identity.Value);
}
