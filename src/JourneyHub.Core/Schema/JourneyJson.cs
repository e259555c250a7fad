using System.Text.Json;
using System.Text.Json.Serialization;

namespace JourneyHub.Core.Schema;

/// <summary>The one set of JSON options for everything the hub writes or serves: camelCase, nulls kept, UTC ISO-8601.</summary>
public static class JourneyJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            WriteIndented = false,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
