using System.Text.Json.Serialization;

namespace JourneyHub.Core.Sources.Intercom;

// Intercom webhook notifications (https://developers.intercom.com/docs/references/webhooks/webhook-models): an envelope
// {"type":"notification_event","id":"notif_…","topic","created_at","data":{"item":…}} around the API object of the topic,
// here a Conversation (https://developers.intercom.com/docs/references/rest-api/api.intercom.io/conversations/conversation).
// Only the fields the hub reads.

public sealed record IntercomNotification
{
    public string? Type { get; init; }
    public string? Id { get; init; }
    public string? Topic { get; init; }
    public string? AppId { get; init; }
    public long? CreatedAt { get; init; }
    public int? DeliveryAttempts { get; init; }
    public IntercomData? Data { get; init; }
}

public sealed record IntercomData
{
    public IntercomConversation? Item { get; init; }
}

public sealed record IntercomConversation
{
    public string? Type { get; init; }

    [JsonConverter(typeof(LenientStringConverter))]
    public string? Id { get; init; }

    public long? CreatedAt { get; init; }
    public long? UpdatedAt { get; init; }
    public string? State { get; init; }
    public IntercomSource? Source { get; init; }
    public IntercomContactList? Contacts { get; init; }

    /// <summary>API 1.x payloads name the customer here instead of in <c>contacts</c>.</summary>
    public IntercomPerson? User { get; init; }

    public IntercomPartList? ConversationParts { get; init; }
    public IntercomRating? ConversationRating { get; init; }
}

public sealed record IntercomSource
{
    public string? Type { get; init; }

    [JsonConverter(typeof(LenientStringConverter))]
    public string? Id { get; init; }

    public string? DeliveredAs { get; init; }
    public string? Subject { get; init; }
    public string? Body { get; init; }
    public IntercomPerson? Author { get; init; }
}

public sealed record IntercomPerson
{
    /// <summary><c>user</c>, <c>lead</c> or <c>contact</c> for a customer; <c>admin</c> or <c>bot</c> for the brand's side.</summary>
    public string? Type { get; init; }

    [JsonConverter(typeof(LenientStringConverter))]
    public string? Id { get; init; }

    public string? Name { get; init; }
    public string? Email { get; init; }
    public string? ExternalId { get; init; }
}

public sealed record IntercomContactList
{
    public IntercomPerson?[]? Contacts { get; init; }
}

public sealed record IntercomPartList
{
    public IntercomPart?[]? ConversationParts { get; init; }
}

public sealed record IntercomPart
{
    [JsonConverter(typeof(LenientStringConverter))]
    public string? Id { get; init; }

    public string? PartType { get; init; }
    public string? Body { get; init; }
    public long? CreatedAt { get; init; }
    public IntercomPerson? Author { get; init; }
}

public sealed record IntercomRating
{
    public int? Rating { get; init; }
    public string? Remark { get; init; }
    public long? CreatedAt { get; init; }
    public IntercomPerson? Contact { get; init; }

    /// <summary>API 1.x name of <see cref="Contact"/>.</summary>
    public IntercomPerson? Customer { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowReadingFromString, MaxDepth = 32)]
[JsonSerializable(typeof(IntercomNotification))]
internal sealed partial class IntercomJsonContext : JsonSerializerContext;
