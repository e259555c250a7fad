using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using JourneyHub.Core.Ingestion;

namespace JourneyHub.Core.Sources.Kit;

/// <summary>Reads a payload's body into the source's wire type; a body that is not that JSON fails the whole payload.</summary>
public static class WirePayload
{
    /// <param name="notWhat">The start of the dead letter's reason, e.g. "Zendesk payload is not a webhook event object".</param>
    /// <param name="value">The wire object; null when the body is the JSON literal <c>null</c> (the adapter says why that fails).</param>
    public static bool TryRead<T>(RawPayload payload, JsonTypeInfo<T> type, string notWhat, out T? value, [NotNullWhen(false)] out NormalizationResult? failure)
    {
        ArgumentNullException.ThrowIfNull(payload);
        try
        {
            value = JsonSerializer.Deserialize(payload.Body.Span, type);
            failure = null;
            return true;
        }
        catch (JsonException ex)
        {
            value = default;
            failure = NormalizationResult.Failed($"{notWhat}: {ex.Message}");
            return false;
        }
    }
}
