using System.ComponentModel.DataAnnotations;

namespace JourneyHub.Core.Ingestion;

public sealed class IngestionOptions
{
    public const string Section = "Ingestion";

    /// <summary>Attempts per queue message before it is dead-lettered; host.json's queues.maxDequeueCount says the same.</summary>
    [Range(1, 100)]
    public int MaxDequeueCount { get; set; } = 5;
}
