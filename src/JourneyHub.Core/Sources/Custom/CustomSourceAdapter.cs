using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Schema;
using JourneyHub.Core.SentimentScoring;
using JourneyHub.Core.Sources.Kit;

namespace JourneyHub.Core.Sources.Custom;

/// <summary>
/// Any system that sends the canonical event over Standard Webhooks to <c>/api/webhooks/custom/{name}</c>:
/// <c>{"type":"touchpoint.created","timestamp","data":{sourceSystem, externalId, channel, occurredAt, action?, stage?,
/// person{email?, phone?, externalIds?}, survey?, rating?, attributes?}}</c>. The touchpoint's source is
/// <c>custom:&lt;name&gt;</c> and its <c>sourceEventId</c> the <c>webhook-id</c> (the same on the sender's retries).
/// </summary>
public sealed partial class CustomSourceAdapter : ISourceAdapter
{
    public const string EventType = "touchpoint.created";

    /// <summary>What happened when the sender names only the channel.</summary>
    public static IReadOnlyDictionary<Channel, string> DefaultActions { get; } = new Dictionary<Channel, string>
    {
        [Channel.InStore] = "purchase.completed",
        [Channel.Survey] = "survey.answered",
        [Channel.Review] = "review.posted",
        [Channel.Web] = "page.viewed",
        [Channel.Email] = "email.received",
        [Channel.Phone] = "call.logged",
        [Channel.Chat] = "message.received",
        [Channel.Meeting] = "meeting.booked",
        [Channel.Social] = "comment.posted",
        [Channel.Ads] = "ad.clicked",
        [Channel.Crm] = "record.updated",
        [Channel.Other] = "event.recorded",
    };

    /// <summary>Each channel's wire name (<c>in_store</c>), as the contract spells it; read for summaries, not serialized per event.</summary>
    private static readonly Dictionary<Channel, string> ChannelNames = Enum.GetValues<Channel>()
        .ToDictionary(c => c, c => JsonSerializer.Serialize(c, CustomJsonContext.Default.Channel).Trim('"'));

    private static readonly Dictionary<string, Channel> Channels = ChannelNames
        .ToDictionary(c => c.Value, c => c.Key, StringComparer.OrdinalIgnoreCase);

    private static readonly Dictionary<string, JourneyStage> Stages = Enum.GetValues<JourneyStage>()
        .ToDictionary(s => JsonSerializer.Serialize(s, CustomJsonContext.Default.JourneyStage).Trim('"'), s => s, StringComparer.OrdinalIgnoreCase);

    private static readonly Dictionary<string, SurveyType> SurveyTypes = Enum.GetValues<SurveyType>()
        .ToDictionary(s => JsonSerializer.Serialize(s, CustomJsonContext.Default.SurveyType).Trim('"'), s => s, StringComparer.OrdinalIgnoreCase);

    public SourceId Source => SourceId.Custom;

    public NormalizationResult Normalize(RawPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (!SourceId.TryParse(payload.Source, out var source) || source.CustomName is not { } name)
        {
            return NormalizationResult.Failed($"Custom payload source '{payload.Source}' does not name the sending system (custom:<name>).");
        }

        // The hand reader takes a well-formed event; anything else is read by the serializer, whose errors are the dead letter's.
        if (!CustomEventReader.TryRead(payload.Body.Span, out var body, out var attributes)
            && !WirePayload.TryRead(payload, CustomJsonContext.Default.CustomEvent, "Custom payload is not a canonical event object", out body, out var failure))
        {
            return failure;
        }

        var outcome = body is null ? AdapterOutcome.Fail("the body is JSON null") : Map(source, name, body, attributes, payload);
        return EntryCollector.One(outcome, source, static sourceId => $"{sourceId} event");
    }

    /// <param name="attributes">The attribute texts when the hand reader read them; null to take them from <paramref name="body"/>.</param>
    private static AdapterOutcome Map(SourceId source, string name, CustomEvent body, AttributeDictionary? attributes, RawPayload payload)
    {
        if (body.Type != EventType)
        {
            return AdapterOutcome.Fail($"type '{body.Type}' is not supported ({EventType})");
        }

        if (body.Data is not { } data)
        {
            return AdapterOutcome.Fail("data is missing");
        }

        var identities = new List<Identity>(2);
        if (data.Person is { } person)
        {
            identities.AddIfPresent(IdentityTypes.Email, person.Email);
            identities.AddIfPresent(IdentityTypes.Phone, person.Phone);
            identities.AddIfPresent(source.Name, person.Id);
            AddExternalIds(identities, source.Name, person.ExternalIds);
        }

        // A rejected event still names its person, so that erasing them finds its dead letter and payload.
        var outcome = MapData(source, name, body, data, attributes, identities, payload);
        return outcome.Touchpoint is null ? outcome with { Identities = identities } : outcome;
    }

    private static AdapterOutcome MapData(SourceId source, string name, CustomEvent body, CustomEventData data, AttributeDictionary? attributes, List<Identity> identities, RawPayload payload)
    {
        var sourceEventId = payload.Properties.TryGetValue(CustomWebhookVerifier.WebhookIdProperty, out var webhookId) && webhookId.Length > 0
            ? webhookId
            : data.ExternalId;
        if (string.IsNullOrEmpty(sourceEventId))
        {
            return AdapterOutcome.Fail("neither a webhook-id nor data.externalId identifies the event");
        }

        // Survey and rating first: they decide the default channel and action.
        SurveyAnswer? survey = null;
        Sentiment? sentiment = null;
        if (data.Survey is { } s)
        {
            if (s.Type is null || !SurveyTypes.TryGetValue(s.Type, out var surveyType))
            {
                return AdapterOutcome.Fail($"survey.type '{s.Type}' is not nps, csat or ces");
            }

            if (s.Score is not { } score || SentimentRules.FromSurvey(surveyType, score) is not { } surveySentiment)
            {
                var rule = SentimentRules.SurveyTable[surveyType];
                return AdapterOutcome.Fail($"survey.score '{s.Score}' is not a whole number from {rule.Min} to {rule.Max}");
            }

            survey = new SurveyAnswer(surveyType, score, string.IsNullOrWhiteSpace(s.Comment) ? null : s.Comment);
            sentiment = surveySentiment;
        }

        Rating? rating = null;
        if (data.Rating is { } r)
        {
            var scale = r.Scale ?? 5;
            if (r.Value is not { } value || SentimentRules.FromRating(value, scale) is not { } ratingSentiment)
            {
                return AdapterOutcome.Fail($"rating {r.Value}/{scale} is not a whole number from 1 to the scale (2–100)");
            }

            rating = new Rating(value, scale);
            sentiment ??= ratingSentiment;
        }

        Channel channel;
        if (string.IsNullOrWhiteSpace(data.Channel))
        {
            channel = survey is not null ? Channel.Survey : rating is not null ? Channel.Review : Channel.Other;
        }
        else if (!Channels.TryGetValue(data.Channel.Trim(), out channel))
        {
            return AdapterOutcome.Fail($"channel '{data.Channel}' is not one of {string.Join(", ", Channels.Keys)}");
        }

        string action;
        if (!string.IsNullOrWhiteSpace(data.Action))
        {
            action = data.Action.Trim().ToLowerInvariant();
            if (!ActionPattern().IsMatch(action))
            {
                return AdapterOutcome.Fail($"action '{data.Action}' is not a dotted verb such as purchase.completed");
            }
        }
        else
        {
            action = survey is not null ? "survey.answered" : rating is not null ? "review.posted" : DefaultActions[channel];
        }

        // A stage the sender states overrides the rules table.
        JourneyStage? stage = null;
        if (!string.IsNullOrWhiteSpace(data.Stage))
        {
            if (!Stages.TryGetValue(data.Stage.Trim(), out var given))
            {
                return AdapterOutcome.Fail($"stage '{data.Stage}' is not one of awareness, consideration, decision, retention");
            }

            stage = given;
        }

        if (identities.Count == 0)
        {
            return AdapterOutcome.Fail("person names no e-mail, phone or external id");
        }

        attributes ??= AttributesOf(data.Attributes);
        attributes
            .AddIfPresent("sourceSystem", data.SourceSystem)
            .AddIfPresent("externalId", data.ExternalId);

        var summary = data.Summary is { Length: > 0 } stated ? AdapterText.Clip(stated, 200)
            : survey is not null ? $"{survey.Type.ToString().ToUpperInvariant()} {survey.Score.ToString(CultureInfo.InvariantCulture)} from {name}{(survey.Comment is null ? "" : $": \"{AdapterText.Clip(survey.Comment)}\"")}"
            : rating is not null ? $"{rating.Value}/{rating.Scale} rating from {name}"
            : $"{action} ({ChannelNames[channel]}) from {name}";

        var occurredAt = data.OccurredAt ?? body.Timestamp;
        return AdapterOutcome.Ok(new TouchpointFactory(source).Create(
            sourceEventId,
            occurredAt ?? payload.ReceivedAt,
            channel,
            action,
            summary,
            identities,
            attributes,
            stage,
            sentiment: sentiment,
            rating: rating,
            survey: survey,
            occurredAtIsReceiptTime: occurredAt is null));
    }

    /// <summary>
    /// <c>externalIds</c> may be a string or an array of strings (the system's own person ids → <c>custom:&lt;name&gt;</c>),
    /// or an object of system → id, where a built-in identity type (<c>hubspot</c>, <c>salesforce</c>, …) keeps its type and
    /// any other key becomes <c>custom:&lt;key&gt;</c>.
    /// </summary>
    private static void AddExternalIds(List<Identity> identities, string source, JsonElement? externalIds)
    {
        switch (externalIds)
        {
            case { ValueKind: JsonValueKind.String } single:
                identities.AddIfPresent(source, single.GetString());
                break;
            case { ValueKind: JsonValueKind.Array } array:
                foreach (var item in array.EnumerateArray())
                {
                    identities.AddIfPresent(source, AttributeText(item));
                }

                break;
            case { ValueKind: JsonValueKind.Object } map:
                foreach (var property in map.EnumerateObject())
                {
                    var key = property.Name.Trim().ToLowerInvariant();
                    var type = IdentityTypes.IsKnown(key) ? key : IdentityTypes.CustomPrefix + key;
                    if (IdentityTypes.IsKnown(type))
                    {
                        identities.AddIfPresent(type, AttributeText(property.Value));
                    }
                }

                break;
            default:
                break;
        }
    }

    /// <summary>The serializer's attributes as the touchpoint keeps them, with room for the two the adapter adds.</summary>
    private static AttributeDictionary AttributesOf(Dictionary<string, JsonElement>? sent)
    {
        var attributes = new AttributeDictionary((sent?.Count ?? 0) + 2);
        foreach (var (key, value) in sent ?? [])
        {
            if (AttributeText(value) is { } text && key.Length is > 0 and <= CustomEventReader.MaxKeyLength)
            {
                attributes[key] = text;
            }
        }

        return attributes;
    }

    /// <summary>Strings as they are, numbers as their invariant JSON text (129.5), booleans as true/false.</summary>
    private static string? AttributeText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Object or JsonValueKind.Array => value.GetRawText(),
        _ => null,
    };

    [GeneratedRegex(@"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$", RegexOptions.CultureInvariant)]
    private static partial Regex ActionPattern();
}

