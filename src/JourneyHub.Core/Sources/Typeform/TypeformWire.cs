using System.Text.Json;
using System.Text.Json.Serialization;

namespace JourneyHub.Core.Sources.Typeform;

/// <summary>A Typeform webhook delivery (typeform.com/developers/webhooks/example-payload); only the fields the hub reads.</summary>
public sealed record TypeformWebhook
{
    public string? EventId { get; init; }
    public string? EventType { get; init; }
    public TypeformResponse? FormResponse { get; init; }
}

public sealed record TypeformResponse
{
    public string? FormId { get; init; }

    /// <summary>The response's id: one submission, one token, whatever the number of deliveries.</summary>
    public string? Token { get; init; }

    public DateTimeOffset? LandedAt { get; init; }
    public DateTimeOffset? SubmittedAt { get; init; }

    /// <summary>Hidden fields the sender put in the form's URL (ids, e-mail, campaign).</summary>
    public Dictionary<string, JsonElement>? Hidden { get; init; }

    public TypeformDefinition? Definition { get; init; }
    public TypeformAnswer?[]? Answers { get; init; }
}

public sealed record TypeformDefinition
{
    public string? Id { get; init; }
    public string? Title { get; init; }
    public TypeformField?[]? Fields { get; init; }
}

public sealed record TypeformField
{
    public string? Id { get; init; }
    public string? Ref { get; init; }
    public string? Type { get; init; }
    public string? Title { get; init; }
}

/// <summary>One answer: <c>type</c> names the key that holds the value (<c>number</c>, <c>text</c>, <c>email</c>, …).</summary>
public sealed record TypeformAnswer
{
    public string? Type { get; init; }
    public TypeformField? Field { get; init; }
    public double? Number { get; init; }
    public string? Text { get; init; }
    public string? Email { get; init; }
    public string? PhoneNumber { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowReadingFromString, MaxDepth = 32)]
[JsonSerializable(typeof(TypeformWebhook))]
internal sealed partial class TypeformJsonContext : JsonSerializerContext;
