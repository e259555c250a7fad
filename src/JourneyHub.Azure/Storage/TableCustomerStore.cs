using Azure;
using Azure.Data.Tables;
using JourneyHub.Core.Ports;

namespace JourneyHub.Azure.Storage;

/// <summary>Reads and writes the summary row on its own (merges, identities, tombstones), under its ETag.</summary>
public sealed class TableCustomerStore(StorageClients clients, StorageBootstrap bootstrap, SummaryCache cache, TimeProvider clock) : ICustomerStore
{
    private const int MaxConcurrencyRetries = 20;

    private TableClient Table => clients.Tables.GetTableClient(StorageNames.TimelineTable);

    public async Task<CustomerRecord?> GetAsync(string customerId, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        var found = await Table.GetEntityIfExistsAsync<TableEntity>(customerId, PartitionRows.Summary, cancellationToken: cancellationToken);
        if (!found.HasValue)
        {
            cache.Forget(customerId);
            return null;
        }

        var record = SummaryEntity.To(found.Value!);
        cache.Set(record);
        return record;
    }

    public async Task<CustomerRecord> UpdateAsync(string customerId, Func<CustomerRecord, CustomerRecord> update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        await bootstrap.EnsureAsync(cancellationToken);
        for (var attempt = 0; ; attempt++)
        {
            var current = await GetAsync(customerId, cancellationToken);
            try
            {
                if (current is null)
                {
                    var created = update(new CustomerRecord { CustomerId = customerId, CreatedAt = clock.GetUtcNow() });
                    var added = await Table.AddEntityAsync(SummaryEntity.From(created), cancellationToken);
                    return Remember(created, added.Headers.ETag);
                }

                var updated = update(current);
                if (ReferenceEquals(updated, current))
                {
                    // Nothing changed: a write would cost a transaction and move the ETag for nothing.
                    return current;
                }

                var response = await Table.UpdateEntityAsync(SummaryEntity.From(updated), new ETag(current.ETag!), TableUpdateMode.Replace, cancellationToken);
                return Remember(updated, response.Headers.ETag);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxConcurrencyRetries)
            {
                // Optimistic concurrency: someone else wrote this customer in between; read again and reapply.
                cache.Forget(customerId);
            }
        }
    }

    private CustomerRecord Remember(CustomerRecord record, ETag? etag)
    {
        var stored = record with { ETag = etag?.ToString() };
        cache.Set(stored);
        return stored;
    }
}
