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

/// <summary>
/// The <c>journey-erasure</c> Storage Queue: one small JSON message per request, <c>{"customerId":…}</c> for a customer's
/// erasure or <c>{"redaction":{"rawRef":…,"erasedKeys":[…]}}</c> for a payload of a later delivery (keyed hashes, no
/// identity in plain text: a poisoned message is quoted in its dead letter).
/// </summary>
public sealed class StorageErasureQueue(CustomerStorage storage) : IErasureQueue
{
    public Task EnqueueAsync(string customerId, CancellationToken cancellationToken) =>
        SendAsync(new ErasureMessage(customerId), cancellationToken);

    public Task EnqueueAsync(PayloadRedactionRequest request, CancellationToken cancellationToken) =>
        SendAsync(new ErasureMessage(null, request), cancellationToken);

    /// <summary>The message, or null when the text is not one (cannot be retried into meaning).</summary>
    public static ErasureMessage? Parse(string messageText)
    {
        try
        {
            return JsonSerializer.Deserialize<ErasureMessage>(messageText, JourneyJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task SendAsync(ErasureMessage message, CancellationToken cancellationToken)
    {
        await storage.EnsureAsync(cancellationToken);
        await storage.Clients.Queues.GetQueueClient(CustomerStorage.ErasureQueue)
            .SendMessageAsync(JsonSerializer.Serialize(message, JourneyJson.Options), cancellationToken);
    }
}

/// <param name="CustomerId">Erase this customer (<see cref="ErasureService.EraseAsync"/>).</param>
/// <param name="Redaction">Take erased people's entries out of one payload (<see cref="RawPayloadEraser.RedactAsync"/>).</param>
public sealed record ErasureMessage(string? CustomerId, PayloadRedactionRequest? Redaction = null);

/// <summary>What the erasure queue trigger runs for one message; a failure is retried by the queue, then poisoned (and listed as a dead letter).</summary>
public sealed class ErasureQueueHandler(ErasureService erasure, RawPayloadEraser payloads)
{
    public async Task HandleAsync(string messageText, CancellationToken cancellationToken)
    {
        switch (StorageErasureQueue.Parse(messageText))
        {
            case { CustomerId: { Length: > 0 } customerId }:
                await erasure.EraseAsync(customerId, cancellationToken);
                break;
            case { Redaction: { RawRef: { Length: > 0 }, ErasedKeys: { Count: > 0 } } redaction }:
                await payloads.RedactAsync(redaction, cancellationToken);
                break;

            // A message that names no customer and no payload cannot be retried into meaning: acknowledged.
        }
    }
}

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
