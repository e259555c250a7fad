using System.Text.Json.Serialization;

namespace JourneyHub.Core.Sources.HubSpot;

/// <summary>One event of a HubSpot Webhooks API delivery (a JSON array of up to 100), as HubSpot sends it.</summary>
public sealed record HubSpotEvent
{
    public long? EventId { get; init; }
    public long? SubscriptionId { get; init; }
    public long? PortalId { get; init; }
    public long? AppId { get; init; }
    public long? OccurredAt { get; init; }
    public string? SubscriptionType { get; init; }

    /// <summary>Generic (<c>object.*</c>) subscriptions name the object type here: <c>0-1</c> contacts, <c>0-48</c> calls, …</summary>
    public string? ObjectTypeId { get; init; }
    public int? AttemptNumber { get; init; }
    public long? ObjectId { get; init; }
    public string? ChangeFlag { get; init; }
    public string? ChangeSource { get; init; }
    public string? SourceId { get; init; }
    public string? PropertyName { get; init; }
    public string? PropertyValue { get; init; }
    public string? AssociationType { get; init; }
    public long? FromObjectId { get; init; }
    public long? ToObjectId { get; init; }
    public bool? AssociationRemoved { get; init; }
    public long? PrimaryObjectId { get; init; }
    public long[]? MergedObjectIds { get; init; }
    public long? NewObjectId { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, NumberHandling = JsonNumberHandling.AllowReadingFromString, MaxDepth = 16)]
[JsonSerializable(typeof(HubSpotEvent[]))]
internal sealed partial class HubSpotJsonContext : JsonSerializerContext;
