using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;

namespace JourneyHub.Azure.Storage;

/// <summary>Customer profile and journey summary, one row per customer, updated under ETag concurrency.</summary>
public sealed class TableCustomerStore(StorageClients clients, StorageBootstrap bootstrap, TimeProvider clock) : ICustomerStore
{
    private const string Row = "profile";
    private const int MaxConcurrencyRetries = 20;

    private TableClient Table => clients.Tables.GetTableClient(StorageNames.CustomersTable);

    public async Task<CustomerRecord?> GetAsync(string customerId, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        var found = await Table.GetEntityIfExistsAsync<TableEntity>(customerId, Row, cancellationToken: cancellationToken);
        return found.HasValue ? FromEntity(found.Value!) : null;
    }

    public async Task CreateAsync(CustomerRecord customer, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        try
        {
            await Table.AddEntityAsync(ToEntity(customer), cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Created by a concurrent delivery: the same customer, nothing to do.
        }
    }

    public async Task<CustomerRecord> UpdateAsync(string customerId, Func<CustomerRecord, CustomerRecord> update, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        for (var attempt = 0; ; attempt++)
        {
            var found = await Table.GetEntityIfExistsAsync<TableEntity>(customerId, Row, cancellationToken: cancellationToken);
            try
            {
                if (!found.HasValue)
                {
                    var created = update(new CustomerRecord { CustomerId = customerId, CreatedAt = clock.GetUtcNow() });
                    await Table.AddEntityAsync(ToEntity(created), cancellationToken);
                    return created;
                }

                var current = FromEntity(found.Value!);
                var updated = update(current);
                if (ReferenceEquals(updated, current))
                {
                    // Nothing changed: a write would cost a transaction and move the ETag for nothing.
                    return current;
                }

                await Table.UpdateEntityAsync(ToEntity(updated), found.Value!.ETag, TableUpdateMode.Replace, cancellationToken);
                return updated;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxConcurrencyRetries)
            {
                // Optimistic concurrency: someone else wrote this customer in between; read again and reapply.
            }
        }
    }

    public async Task DeleteAsync(string customerId, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        await Table.DeleteEntityAsync(customerId, Row, ETag.All, cancellationToken);
    }

    private static TableEntity ToEntity(CustomerRecord customer) => new(customer.CustomerId, Row)
    {
        ["CreatedAt"] = customer.CreatedAt,
        ["Identities"] = JsonSerializer.Serialize(customer.Identities, JourneyJson.Options),
        ["Journey"] = JsonSerializer.Serialize(customer.Journey, JourneyJson.Options),
        ["MergedInto"] = customer.MergedInto,
        ["Merges"] = JsonSerializer.Serialize(customer.Merges, JourneyJson.Options),
        ["RecentlyApplied"] = string.Join(',', customer.RecentlyApplied),
    };

    private static CustomerRecord FromEntity(TableEntity entity) => new()
    {
        CustomerId = entity.PartitionKey,
        CreatedAt = entity.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue,
        Identities = JsonSerializer.Deserialize<List<Identity>>(entity.GetString("Identities") ?? "[]", JourneyJson.Options) ?? [],
        Journey = JsonSerializer.Deserialize<JourneyState>(entity.GetString("Journey") ?? "{}", JourneyJson.Options) ?? new JourneyState(),
        MergedInto = entity.GetString("MergedInto"),
        Merges = JsonSerializer.Deserialize<List<MergeRecord>>(entity.GetString("Merges") ?? "[]", JourneyJson.Options) ?? [],
        RecentlyApplied = entity.GetString("RecentlyApplied") is { Length: > 0 } recent ? recent.Split(',') : [],
    };
}
