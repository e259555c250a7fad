using System.Text.Json;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;

namespace JourneyHub.Azure.Storage;

/// <summary>The internal hop: a small JSON reference per archived payload on the <c>journey-ingest</c> Storage Queue.</summary>
public sealed class StorageIngestionQueue(StorageClients clients, StorageBootstrap bootstrap) : IIngestionQueue
{
    public async Task EnqueueAsync(IngestionMessage message, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        await clients.Queues.GetQueueClient(StorageNames.IngestQueue)
            .SendMessageAsync(JsonSerializer.Serialize(message, JourneyJson.Options), cancellationToken);
    }

    public static IngestionMessage Parse(string json) =>
        JsonSerializer.Deserialize<IngestionMessage>(json, JourneyJson.Options)
        ?? throw new PermanentIngestionException("Queue message is JSON null.");
}
