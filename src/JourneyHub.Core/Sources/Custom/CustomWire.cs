using System.Text.Json;
using System.Text.Json.Serialization;
using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Sources.Custom;

/// <summary>The canonical event a custom source sends over Standard Webhooks.</summary>
public sealed record CustomEvent
{
    public string? Type { get; init; }
    public DateTimeOffset? Timestamp { get; init; }
    public CustomEventData? Data { get; init; }
}

public sealed record CustomEventData
{
    public string? SourceSystem { get; init; }
    public string? ExternalId { get; init; }
    public string? Channel { get; init; }
    public DateTimeOffset? OccurredAt { get; init; }
    public string? Action { get; init; }
    public string? Stage { get; init; }
    public string? Summary { get; init; }
    public CustomPerson? Person { get; init; }
    public CustomSurvey? Survey { get; init; }
    public CustomRating? Rating { get; init; }
    public Dictionary<string, JsonElement>? Attributes { get; init; }
}

public sealed record CustomPerson
{
    public string? Id { get; init; }
    public string? Email { get; init; }
    public string? Phone { get; init; }
    public JsonElement? ExternalIds { get; init; }
}

public sealed record CustomSurvey
{
    public string? Type { get; init; }
    public double? Score { get; init; }
    public string? Comment { get; init; }
}

public sealed record CustomRating
{
    public int? Value { get; init; }
    public int? Scale { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, NumberHandling = JsonNumberHandling.AllowReadingFromString, MaxDepth = 16)]
[JsonSerializable(typeof(CustomEvent))]
[JsonSerializable(typeof(Channel))]
[JsonSerializable(typeof(JourneyStage))]
[JsonSerializable(typeof(SurveyType))]
internal sealed partial class CustomJsonContext : JsonSerializerContext;
