using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Admin;

public static class DeadLetterIds
{
    /// <summary>Stable per payload and entry, so a retried failure overwrites its dead letter instead of adding another.</summary>
    public static string For(string blobName, int? entryIndex) =>
        TouchpointIds.For("deadletter", blobName + "#" + (entryIndex?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "all")).Replace("tp_", "dl_", StringComparison.Ordinal);
}
