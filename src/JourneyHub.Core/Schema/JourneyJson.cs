using System.Text.Json;
using System.Text.Json.Serialization;

namespace JourneyHub.Core.Schema;

/// <summary>The one set of JSON options for everything the hub writes or serves: camelCase, nulls kept, UTC ISO-8601.</summary>
public static class JourneyJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>An enum value as the API writes it ("in_store", "consideration"), for table columns and message properties.</summary>
    public static string WireName<T>(T value) where T : struct, Enum =>
        JsonSerializer.Serialize(value, Options).Trim('"');

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            WriteIndented = false,
            // API output is JSON for machines, not HTML: keep apostrophes and non-ASCII readable.
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new UtcDateTimeOffsetConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}

/// <summary>Writes every timestamp as UTC ISO-8601 with a 'Z' ("2025-03-14T14:21:58.305Z"); reads any ISO-8601 offset.</summary>
public sealed class UtcDateTimeOffsetConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset().ToUniversalTime();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture));
}
