using System.Text.Json;
using System.Text.Json.Serialization;

namespace JourneyHub.Core.Sources.Zendesk;

/// <summary>
/// The Zendesk webhook event envelope (https://developer.zendesk.com/api-reference/webhooks/event-types/webhook-event-types/):
/// <c>type</c>, <c>id</c> (the event id), <c>time</c>, <c>subject</c>, <c>detail</c> (the ticket) and <c>event</c> (what changed).
/// The hub's satisfaction trigger body (README) uses the same envelope with <c>type</c> <c>ticket.satisfaction_rated</c>.
/// </summary>
public sealed record ZendeskEvent
{
    public string? Type { get; init; }

    [JsonConverter(typeof(LenientStringConverter))]
    public string? Id { get; init; }

    [JsonConverter(typeof(LenientStringConverter))]
    public string? AccountId { get; init; }

    public string? Time { get; init; }
    public string? Subject { get; init; }
    public ZendeskTicket? Detail { get; init; }
    public JsonElement Event { get; init; }
}

/// <summary>The ticket as the <c>detail</c> object describes it; ids arrive as strings in events and may be numbers in trigger bodies.</summary>
public sealed record ZendeskTicket
{
    [JsonConverter(typeof(LenientStringConverter))]
    public string? Id { get; init; }

    [JsonConverter(typeof(LenientStringConverter))]
    public string? RequesterId { get; init; }

    /// <summary>Not part of Zendesk's event schema: filled by the hub's trigger body from <c>{{ticket.requester.email}}</c>.</summary>
    public string? RequesterEmail { get; init; }

    public string? Subject { get; init; }
    public string? Description { get; init; }
    public string? Status { get; init; }
    public string? Priority { get; init; }
    public string? Type { get; init; }
    public string[]? Tags { get; init; }
    public string? CreatedAt { get; init; }
    public string? UpdatedAt { get; init; }
    public ZendeskVia? Via { get; init; }
}

public sealed record ZendeskVia
{
    public string? Channel { get; init; }
}

/// <summary><c>event</c> of <c>ticket.comment_added</c>.</summary>
public sealed record ZendeskCommentEvent
{
    public ZendeskComment? Comment { get; init; }
}

public sealed record ZendeskComment
{
    [JsonConverter(typeof(LenientStringConverter))]
    public string? Id { get; init; }

    public string? Body { get; init; }
    public bool? IsPublic { get; init; }
    public ZendeskAuthor? Author { get; init; }
}

public sealed record ZendeskAuthor
{
    [JsonConverter(typeof(LenientStringConverter))]
    public string? Id { get; init; }

    public bool? IsStaff { get; init; }
    public string? Name { get; init; }
}

/// <summary><c>event</c> of <c>ticket.status_changed</c>.</summary>
public sealed record ZendeskChangeEvent
{
    public string? Current { get; init; }
    public string? Previous { get; init; }
}

/// <summary><c>event</c> of the hub's satisfaction trigger body.</summary>
public sealed record ZendeskSatisfactionEvent
{
    [JsonConverter(typeof(LenientStringConverter))]
    public string? Score { get; init; }

    public string? Comment { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, MaxDepth = 32)]
[JsonSerializable(typeof(ZendeskEvent))]
[JsonSerializable(typeof(ZendeskCommentEvent))]
[JsonSerializable(typeof(ZendeskChangeEvent))]
[JsonSerializable(typeof(ZendeskSatisfactionEvent))]
internal sealed partial class ZendeskJsonContext : JsonSerializerContext;
