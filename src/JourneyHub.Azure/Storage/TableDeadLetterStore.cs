using Azure;
using Azure.Data.Tables;
using JourneyHub.Core.Ports;

namespace JourneyHub.Azure.Storage;

/// <summary>What could not be processed, with its reason and the archived payload it came from; one partition, few rows.</summary>
public sealed class TableDeadLetterStore(StorageClients clients, StorageBootstrap bootstrap) : IDeadLetterStore
{
    private const string Partition = "deadletter";

    private TableClient Table => clients.Tables.GetTableClient(StorageNames.DeadLettersTable);

    public async Task AddAsync(DeadLetter deadLetter, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        await Table.UpsertEntityAsync(
            new TableEntity(Partition, deadLetter.Id)
            {
                ["Source"] = deadLetter.Source,
                ["BlobName"] = deadLetter.BlobName,
                ["Reason"] = deadLetter.Reason,
                ["FailedAt"] = deadLetter.FailedAt,
                ["ReceivedAt"] = deadLetter.ReceivedAt,
                ["EntryIndex"] = deadLetter.EntryIndex,
                ["CorrelationId"] = deadLetter.CorrelationId,
                ["Queue"] = deadLetter.Queue,
                ["Message"] = deadLetter.Message,
            },
            TableUpdateMode.Replace,
            cancellationToken);
    }

    public async Task<IReadOnlyList<DeadLetter>> ListAsync(string? source, DateTimeOffset? from, DateTimeOffset? to, int limit, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition}");
        if (!string.IsNullOrEmpty(source))
        {
            filter += " and " + TableClient.CreateQueryFilter($"Source eq {source}");
        }

        if (from is { } f)
        {
            filter += " and " + TableClient.CreateQueryFilter($"FailedAt ge {f}");
        }

        if (to is { } t)
        {
            filter += " and " + TableClient.CreateQueryFilter($"FailedAt le {t}");
        }

        var items = new List<DeadLetter>();
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            items.Add(FromEntity(entity));
        }

        return items.OrderByDescending(d => d.FailedAt).Take(limit).ToList();
    }

    public async Task<DeadLetter?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        var found = await Table.GetEntityIfExistsAsync<TableEntity>(Partition, id, cancellationToken: cancellationToken);
        return found.HasValue ? FromEntity(found.Value!) : null;
    }

    public async Task RemoveForBlobAsync(string blobName, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and BlobName eq {blobName}");
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            await Table.DeleteEntityAsync(Partition, entity.RowKey, ETag.All, cancellationToken);
        }
    }

    public async Task RemoveAsync(string id, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        await Table.DeleteEntityAsync(Partition, id, ETag.All, cancellationToken);
    }

    private static DeadLetter FromEntity(TableEntity entity) => new()
    {
        Id = entity.RowKey,
        Source = entity.GetString("Source") ?? "",
        BlobName = entity.GetString("BlobName") ?? "",
        Reason = entity.GetString("Reason") ?? "",
        FailedAt = entity.GetDateTimeOffset("FailedAt") ?? default,
        ReceivedAt = entity.GetDateTimeOffset("ReceivedAt") ?? default,
        EntryIndex = entity.GetInt32("EntryIndex"),
        CorrelationId = entity.GetString("CorrelationId") ?? "",
        Queue = entity.GetString("Queue") ?? "",
        Message = entity.GetString("Message"),
    };
}
