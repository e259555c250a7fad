using System.Globalization;
using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Admin;

/// <summary>
/// Dead-letter ids: SHA-256 based (the same in every process, unlike <c>string.GetHashCode</c>) and stable
/// per failure, so a retried failure overwrites its dead letter instead of adding another. Each kind of
/// failure hashes its own prefix: "raw entry 3 rejected" and "touchpoint 3 without identity" of one payload
/// are two dead letters, not one.
/// </summary>
public static class DeadLetterIds
{
    /// <summary>The whole payload failed (unparseable, or every attempt failed).</summary>
    public static string ForPayload(string blobName) => Hash(blobName + "#all");

    /// <summary>The adapter rejected raw entry <paramref name="entryIndex"/> of the payload (null: the payload as a whole).</summary>
    public static string ForRejectedEntry(string blobName, int? entryIndex) =>
        entryIndex is { } index ? Hash(blobName + "#entry:" + Number(index)) : ForPayload(blobName);

    /// <summary>Normalized touchpoint <paramref name="touchpointIndex"/> of the payload names no customer.</summary>
    public static string ForTouchpointWithoutIdentity(string blobName, int touchpointIndex) => Hash(blobName + "#touchpoint:" + Number(touchpointIndex));

    /// <summary>An ingestion queue message that is not a reference to an archived payload, keyed by its exact text.</summary>
    public static string ForUnreadableMessage(string messageText) => Hash("unreadable\n" + messageText);

    /// <summary>A message the Functions host moved to a poison queue, keyed by that queue and the message's exact text.</summary>
    public static string ForPoisonMessage(string poisonQueue, string messageText) => Hash("poison:" + poisonQueue + "\n" + messageText);

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Hash(string key) => "dl_" + TouchpointIds.For("deadletter", key)["tp_".Length..];
}
