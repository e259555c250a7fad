using System.Text.Json;
using Azure.Data.Tables;
using JourneyHub.Core.Privacy;
using JourneyHub.Core.Schema;

namespace JourneyHub.Azure.Customers;

/// <summary>Erasures: one row per customer id (PartitionKey = id), holding ids, counts and times only.</summary>
public sealed class TableErasureLog(CustomerStorage storage) : IErasureLog
{
    private const string Row = "erasure";

    private TableClient Table => storage.Table(CustomerStorage.ErasuresTable);

    public async Task<ErasureStatus?> GetAsync(string customerId, CancellationToken cancellationToken)
    {
        await storage.EnsureAsync(cancellationToken);
        var found = await Table.GetEntityIfExistsAsync<TableEntity>(customerId, Row, cancellationToken: cancellationToken);
        return found.HasValue ? JsonSerializer.Deserialize<ErasureStatus>(found.Value!.GetString("Json") ?? "null", JourneyJson.Options) : null;
    }

    public async Task SaveAsync(ErasureStatus status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(status);
        await storage.EnsureAsync(cancellationToken);
        await Table.UpsertEntityAsync(
            new TableEntity(status.CustomerId, Row)
            {
                ["Json"] = JsonSerializer.Serialize(status, JourneyJson.Options),
                ["Status"] = status.Status,
            },
            TableUpdateMode.Replace,
            cancellationToken);
    }
}

/// <summary>The <c>journey-erasure</c> Storage Queue: one small JSON message per request.</summary>
public sealed class StorageErasureQueue(CustomerStorage storage) : IErasureQueue
{
    public async Task EnqueueAsync(string customerId, CancellationToken cancellationToken)
    {
        await storage.EnsureAsync(cancellationToken);
        await storage.Clients.Queues.GetQueueClient(CustomerStorage.ErasureQueue)
            .SendMessageAsync(JsonSerializer.Serialize(new ErasureMessage(customerId), JourneyJson.Options), cancellationToken);
    }

    public static string? Parse(string messageText)
    {
        try
        {
            return JsonSerializer.Deserialize<ErasureMessage>(messageText, JourneyJson.Options)?.CustomerId;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

public sealed record ErasureMessage(string CustomerId);

/// <summary>Creates the customer tables and the erasure queue at start, so the queue listener finds its queue on a fresh account.</summary>
public sealed partial class CustomerStorageWarmup(CustomerStorage storage, Microsoft.Extensions.Logging.ILogger<CustomerStorageWarmup> logger) : Microsoft.Extensions.Hosting.IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await storage.EnsureAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Storage not reachable yet: every adapter ensures again on first use.
            LogWarmupFailed(ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "Could not create the customer tables and erasure queue at start; retrying on first use")]
    private partial void LogWarmupFailed(Exception exception);
}
