using System.Text.Json.Serialization;

namespace JourneyHub.Core.Sources.Trustpilot;

/// <summary>A Trustpilot service-review webhook delivery as Trustpilot sends it.</summary>
public sealed record TrustpilotWebhook
{
    public TrustpilotEvent?[]? Events { get; init; }
}

public sealed record TrustpilotEvent
{
    public string? EventName { get; init; }
    public string? Version { get; init; }
    public TrustpilotReview? EventData { get; init; }
}

public sealed record TrustpilotReview
{
    public string? Id { get; init; }
    public string? Language { get; init; }
    public string? Title { get; init; }
    public string? Text { get; init; }
    public string? ReferenceId { get; init; }
    public string? ReferralEmail { get; init; }
    public int? Stars { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
    public DateTimeOffset? DeletedAt { get; init; }
    public bool? IsVerified { get; init; }
    public string? LocationId { get; init; }
    public TrustpilotConsumer? Consumer { get; init; }
    public TrustpilotTag?[]? Tags { get; init; }
}

public sealed record TrustpilotConsumer
{
    public string? Id { get; init; }
    public string? Name { get; init; }
}

public sealed record TrustpilotTag
{
    public string? Group { get; init; }
    public string? Value { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, NumberHandling = JsonNumberHandling.AllowReadingFromString, MaxDepth = 16)]
[JsonSerializable(typeof(TrustpilotWebhook))]
internal sealed partial class TrustpilotJsonContext : JsonSerializerContext;
