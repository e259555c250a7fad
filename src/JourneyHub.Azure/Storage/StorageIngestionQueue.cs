using System.Text.Json;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;

namespace JourneyHub.Azure.Storage;

/// <summary>The internal hop: one JSON message per archived payload on the <c>journey-ingest</c> Storage Queue, small bodies inline.</summary>
public sealed class StorageIngestionQueue(StorageClients clients, StorageBootstrap bootstrap) : IIngestionQueue
{
    /// <summary>A Storage queue message holds at most 64 KiB of UTF-8 text (sent without base64, see <see cref="StorageClients.MessageEncoding"/>).</summary>
    public const int MaxMessageBytes = 64 * 1024;

    public bool CanCarry(IngestionMessage message) => Serialize(message).Length <= MaxMessageBytes;

    public async Task EnqueueAsync(IngestionMessage message, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        await clients.Queues.GetQueueClient(StorageNames.IngestQueue)
            .SendMessageAsync(BinaryData.FromBytes(Serialize(message)), cancellationToken: cancellationToken);
    }

    private static byte[] Serialize(IngestionMessage message) => JsonSerializer.SerializeToUtf8Bytes(message, JourneyJson.Options);
}
