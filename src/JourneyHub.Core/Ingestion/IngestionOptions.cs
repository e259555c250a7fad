using System.ComponentModel.DataAnnotations;

namespace JourneyHub.Core.Ingestion;

public sealed class IngestionOptions
{
    public const string Section = "Ingestion";

    /// <summary>Attempts per queue message before it is dead-lettered; host.json's queues.maxDequeueCount says the same.</summary>
    [Range(1, 100)]
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>
    /// How long a poisoned message whose bytes could not be archived waits in its work queue, never expiring, before its
    /// attempts start again (<see cref="Admin.PoisonMessageRecorder"/>).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ArchiveRetryPause { get; set; } = TimeSpan.FromMinutes(1);
}
