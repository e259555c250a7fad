using System.Globalization;
using System.Text.Json;
using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Sources.Pull;

/// <summary>Small readers over API pages. The pages are read as documents: each API has many more fields than the hub uses.</summary>
internal static class PullJson
{
    public static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 32 };

    public static string? Str(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => null,
            }
            : null;

    public static JsonElement Obj(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : default;

    public static IEnumerable<JsonElement> Arr(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray()
            : [];

    /// <summary>ISO-8601 (any offset, Salesforce's "+0000" included) or Unix milliseconds, as HubSpot writes both.</summary>
    public static DateTimeOffset? Time(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var unixMs))
        {
            return DateTimeOffset.FromUnixTimeMilliseconds(unixMs);
        }

        // "2025-03-14T14:22:01.000+0000": .NET wants the offset with a colon.
        if (text.Length > 5 && (text[^5] == '+' || text[^5] == '-') && char.IsAsciiDigit(text[^1]) && text[^3] != ':')
        {
            text = string.Concat(text.AsSpan(0, text.Length - 2), ":", text.AsSpan(text.Length - 2));
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) ? at : null;
    }

    public static void Add(Dictionary<string, string> attributes, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            attributes[key] = value;
        }
    }

    public static string Ms(DateTimeOffset at) => at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>Runs one mapper per item; an item that fails becomes a rejected entry with its index, never the whole page.</summary>
    public static Ingestion.NormalizationResult Collect(IReadOnlyList<JsonElement> items, Func<JsonElement, IEnumerable<AdapterOutcome>> map, string what)
    {
        var touchpoints = new List<Touchpoint>();
        var rejected = new List<Ingestion.RejectedEntry>();
        for (var i = 0; i < items.Count; i++)
        {
            foreach (var outcome in map(items[i]))
            {
                if (outcome.Touchpoint is { } touchpoint)
                {
                    touchpoints.Add(touchpoint);
                }
                else
                {
                    rejected.Add(new Ingestion.RejectedEntry(i, $"{what} {i} ({items[i].Str("id") ?? items[i].Str("Id") ?? items[i].Str("reviewId") ?? "?"}): {outcome.Error}"));
                }
            }
        }

        return new Ingestion.NormalizationResult(touchpoints, rejected);
    }
}
