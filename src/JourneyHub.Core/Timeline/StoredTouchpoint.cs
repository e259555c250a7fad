using System.Text.Json;
using System.Text.Json.Serialization;
using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Timeline;

/// <summary>
/// A timeline row as the read API serves it: the Touchpoint v1 JSON exactly as the store wrote it (serialized from a
/// <see cref="Touchpoint"/> with <see cref="JourneyJson.Options"/>), and the time and id its row key carries. Serving the
/// stored text saves parsing every row into a <see cref="Touchpoint"/> only to write it out again unchanged.
/// </summary>
[JsonConverter(typeof(StoredTouchpointJsonConverter))]
public sealed record StoredTouchpoint(string TouchpointId, DateTimeOffset OccurredAt, string Json)
{
    /// <summary>
    /// The touchpoint the JSON holds, for callers that need its fields. The contract's view: whether the time is a
    /// receipt time is storage's own fact, not in the JSON, so <see cref="Touchpoint.OccurredAtIsReceiptTime"/> is false.
    /// </summary>
    public Touchpoint ToTouchpoint() =>
        JsonSerializer.Deserialize<Touchpoint>(Json, JourneyJson.Options)
            ?? throw new InvalidDataException($"Stored touchpoint {TouchpointId} holds no touchpoint.");
}

/// <summary>
/// Writes a <see cref="StoredTouchpoint"/> as its stored JSON value, so a serialized page holds each item verbatim; reads
/// a Touchpoint v1 object back into one (its raw text, id and time).
/// </summary>
public sealed class StoredTouchpointJsonConverter : JsonConverter<StoredTouchpoint>
{
    public override StoredTouchpoint Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("touchpointId", out var id) || id.GetString() is not { } touchpointId
            || !root.TryGetProperty("occurredAt", out var at))
        {
            throw new JsonException("A stored touchpoint is a Touchpoint v1 object with touchpointId and occurredAt.");
        }

        return new StoredTouchpoint(touchpointId, at.GetDateTimeOffset().ToUniversalTime(), root.GetRawText());
    }

    public override void Write(Utf8JsonWriter writer, StoredTouchpoint value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);

        // Validated while copied: a damaged row fails this response instead of sending malformed JSON to a client.
        writer.WriteRawValue(value.Json, skipInputValidation: false);
    }
}
