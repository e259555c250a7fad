using System.Text.Json;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;

namespace JourneyHub.Azure.Storage;

/// <summary>
/// The internal hop: one JSON message per delivery on the <c>journey-ingest</c> Storage Queue, small bodies inline. Messages
/// never expire: one that carries its bytes is their only stored copy until the processor archives them, and one that
/// only points at the archive must not silently drop its delivery after the default seven days either.
/// </summary>
public sealed class StorageIngestionQueue(StorageClients clients, StorageBootstrap bootstrap) : IIngestionQueue
{
    /// <summary>A Storage queue message holds at most 64 KiB of UTF-8 text (sent without base64, see <see cref="StorageClients.MessageEncoding"/>).</summary>
    public const int MaxMessageBytes = 64 * 1024;

    /// <summary>The time-to-live that means "never expires" (<c>messagettl=-1</c>).</summary>
    public static readonly TimeSpan NeverExpires = TimeSpan.FromSeconds(-1);

    public bool CanCarry(IngestionMessage message) => Serialize(message).Length <= MaxMessageBytes;

    public async Task EnqueueAsync(IngestionMessage message, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        await clients.Queues.GetQueueClient(StorageNames.IngestQueue)
            .SendMessageAsync(BinaryData.FromBytes(Serialize(message)), visibilityTimeout: null, timeToLive: NeverExpires, cancellationToken: cancellationToken);
    }

    private static byte[] Serialize(IngestionMessage message) => JsonSerializer.SerializeToUtf8Bytes(message, JourneyJson.Options);
}
