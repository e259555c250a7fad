using System.Text.Json;
using System.Text.Json.Serialization;

namespace JourneyHub.Core.Sources.Delighted;

/// <summary>A Delighted webhook (app.delighted.com/docs/api/webhooks); only the fields the hub reads.</summary>
public sealed record DelightedWebhook
{
    public string? EventType { get; init; }
    public string? EventId { get; init; }

    /// <summary>A survey response for <c>survey_response.*</c>, an unsubscribe for <c>unsubscribe.created</c>.</summary>
    public JsonElement EventData { get; init; }
}

public sealed record DelightedSurveyResponse
{
    public string? Id { get; init; }
    public DelightedPerson? Person { get; init; }
    public string? SurveyType { get; init; }
    public double? Score { get; init; }
    public string? Comment { get; init; }
    public string? Permalink { get; init; }
    public long? CreatedAt { get; init; }
    public long? UpdatedAt { get; init; }
    public Dictionary<string, JsonElement>? PersonProperties { get; init; }
    public string?[]? Tags { get; init; }
}

public sealed record DelightedPerson
{
    public string? Id { get; init; }
    public string? Email { get; init; }
    public string? Name { get; init; }
    public string? PhoneNumber { get; init; }
}

public sealed record DelightedUnsubscribe
{
    public string? PersonId { get; init; }
    public string? Email { get; init; }
    public long? UnsubscribedAt { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowReadingFromString, MaxDepth = 32)]
[JsonSerializable(typeof(DelightedWebhook))]
[JsonSerializable(typeof(DelightedSurveyResponse))]
[JsonSerializable(typeof(DelightedUnsubscribe))]
internal sealed partial class DelightedJsonContext : JsonSerializerContext;
