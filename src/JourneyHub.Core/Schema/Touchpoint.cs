using System.Text.Json.Serialization;

namespace JourneyHub.Core.Schema;

/// <summary>One customer interaction in the shared journey schema (contract §1, schemaVersion 1).</summary>
public sealed record Touchpoint
{
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    public required string TouchpointId { get; init; }
    public string CustomerId { get; init; } = "";
    public required string Source { get; init; }
    public required string SourceEventId { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>
    /// The event carried no time of its own, so <see cref="OccurredAt"/> is when the hub received it (a custom event with
    /// neither occurredAt nor timestamp, a Salesforce notification without dates). Set by the adapter; storage uses it to
    /// keep a redelivery of such an event on the same row. Not part of the contract and never serialized.
    /// </summary>
    [JsonIgnore]
    public bool OccurredAtIsReceiptTime { get; init; }

    /// <summary>
    /// On a customer's copy of an object's touchpoint (a deal or order event that reached the customer through the
    /// object): the object event's own touchpoint id. Storage keeps one copy of an object event per customer, so two
    /// customers who both received it and are later merged keep one. Not part of the contract and never serialized.
    /// </summary>
    [JsonIgnore]
    public string? CopyOf { get; init; }

    public DateTimeOffset ReceivedAt { get; init; }
    public required Channel Channel { get; init; }
    public required TouchpointKind Kind { get; init; }
    public JourneyStage? Stage { get; init; }
    public required string Action { get; init; }
    public required string Summary { get; init; }
    public Sentiment? Sentiment { get; init; }
    public Rating? Rating { get; init; }
    public SurveyAnswer? Survey { get; init; }
    public IReadOnlyList<Identity> Identities { get; init; } = [];

    /// <summary>
    /// Empty by default as one shared read-only instance: every adapter sets its own, so a dictionary made here would be
    /// an allocation per touchpoint that is thrown away at once.
    /// </summary>
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;
    public string RawRef { get; init; } = "";
}

[JsonConverter(typeof(JsonStringEnumConverter<Channel>))]
public enum Channel
{
    [JsonStringEnumMemberName("email")] Email,
    [JsonStringEnumMemberName("web")] Web,
    [JsonStringEnumMemberName("social")] Social,
    [JsonStringEnumMemberName("review")] Review,
    [JsonStringEnumMemberName("crm")] Crm,
    [JsonStringEnumMemberName("phone")] Phone,
    [JsonStringEnumMemberName("chat")] Chat,
    [JsonStringEnumMemberName("meeting")] Meeting,
    [JsonStringEnumMemberName("survey")] Survey,
    [JsonStringEnumMemberName("ads")] Ads,
    [JsonStringEnumMemberName("in_store")] InStore,
    [JsonStringEnumMemberName("other")] Other,
}

[JsonConverter(typeof(JsonStringEnumConverter<TouchpointKind>))]
public enum TouchpointKind
{
    [JsonStringEnumMemberName("direct")] Direct,
    [JsonStringEnumMemberName("indirect")] Indirect,
}

/// <summary>Journey stages in order; the numeric order is used to compare progress.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JourneyStage>))]
public enum JourneyStage
{
    [JsonStringEnumMemberName("awareness")] Awareness = 1,
    [JsonStringEnumMemberName("consideration")] Consideration = 2,
    [JsonStringEnumMemberName("decision")] Decision = 3,
    [JsonStringEnumMemberName("retention")] Retention = 4,
}

[JsonConverter(typeof(JsonStringEnumConverter<SentimentLabel>))]
public enum SentimentLabel
{
    [JsonStringEnumMemberName("negative")] Negative,
    [JsonStringEnumMemberName("neutral")] Neutral,
    [JsonStringEnumMemberName("positive")] Positive,
}

public sealed record Sentiment(double Score, SentimentLabel Label)
{
    /// <summary>Labels a score in -1..1; the neutral band is ±0.2 so that faint signals do not flip a journey.</summary>
    public static Sentiment FromScore(double score)
    {
        var clamped = Math.Round(Math.Clamp(score, -1.0, 1.0), 3);
        var label = clamped switch
        {
            > 0.2 => SentimentLabel.Positive,
            < -0.2 => SentimentLabel.Negative,
            _ => SentimentLabel.Neutral,
        };
        return new Sentiment(clamped, label);
    }
}

public sealed record Rating(int Value, int Scale);

[JsonConverter(typeof(JsonStringEnumConverter<SurveyType>))]
public enum SurveyType
{
    [JsonStringEnumMemberName("nps")] Nps,
    [JsonStringEnumMemberName("csat")] Csat,
    [JsonStringEnumMemberName("ces")] Ces,
}

public sealed record SurveyAnswer(SurveyType Type, double Score, string? Comment);

/// <summary>An identifier of a person in some system. Construct through <see cref="Identity.Create"/> to normalize.</summary>
public sealed record Identity(string Type, string Value)
{
    public override string ToString() => $"{Type}:{Value}";

    /// <summary>Normalizes the value for its type; returns null when nothing usable is left.</summary>
    public static Identity? Create(string type, string? value) =>
        Identities.IdentityNormalizer.Normalize(type, value);
}
