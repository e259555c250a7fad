using System.Collections.Concurrent;
using System.Text.Json;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Ports;

namespace JourneyHub.Testing.Fakes;

/// <summary>
/// <see cref="IIngestionQueue"/> in memory: messages in the order they were sent, the JSON they travel as kept, and the
/// 64 KiB limit of a Storage queue message applied to that JSON. <see cref="FailWith"/> makes sends fail.
/// </summary>
public sealed class InMemoryIngestionQueue(int maxMessageBytes = InMemoryIngestionQueue.StorageQueueMessageBytes) : IIngestionQueue
{
    public const int StorageQueueMessageBytes = 64 * 1024;

    private readonly ConcurrentQueue<IngestionMessage> messages = new();

    /// <summary>Sent and not yet taken, oldest first.</summary>
    public IReadOnlyList<IngestionMessage> Messages => [.. messages];

    /// <summary>When set, <see cref="EnqueueAsync"/> fails with it instead of sending.</summary>
    public Exception? FailWith { get; set; }

    public bool CanCarry(IngestionMessage message) => JsonSerializer.SerializeToUtf8Bytes(message).Length <= maxMessageBytes;

    public Task EnqueueAsync(IngestionMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        cancellationToken.ThrowIfCancellationRequested();
        if (FailWith is { } failure)
        {
            return Task.FromException(failure);
        }

        if (!CanCarry(message))
        {
            throw new InvalidOperationException($"A queue message holds at most {maxMessageBytes} bytes.");
        }

        // Through JSON, as a real queue carries it: what the processor reads is what survived serialization.
        messages.Enqueue(JsonSerializer.Deserialize<IngestionMessage>(JsonSerializer.SerializeToUtf8Bytes(message))!);
        return Task.CompletedTask;
    }

    /// <summary>Takes the oldest message, as the queue trigger would.</summary>
    public bool TryDequeue(out IngestionMessage message)
    {
        var taken = messages.TryDequeue(out var next);
        message = next!;
        return taken;
    }
}
