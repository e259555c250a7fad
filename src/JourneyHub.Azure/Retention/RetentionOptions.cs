using System.ComponentModel.DataAnnotations;

namespace JourneyHub.Azure.Retention;

/// <summary>How long raw payloads kept in tables, dead letters and objects' history are kept (app setting <c>Retention__RawPayloadDays</c>).</summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>
    /// Days after receipt that a <c>RawPayloads</c> entity is deleted, and after failure that a dead letter is. The Bicep
    /// sets it from <c>rawPayloadRetentionDays</c>, the same parameter as the blob lifecycle rule, so a payload ages out at
    /// the same age whether it was stored as a row or a blob. Dead letters share it: a dead letter is only worth keeping
    /// while the payload it would replay is there. So does an object's history (its rows in <c>Objects</c>), by the time each
    /// row was last written: a contact associated with a deal later receives the deal's events of that many days.
    /// </summary>
    [Range(1, 36500)]
    public int RawPayloadDays { get; set; } = 400;
}
