using System.Globalization;
using System.Text.Json;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sentiment;
using JourneyHub.Core.Sources.Surveys;
using Microsoft.Extensions.Options;

namespace JourneyHub.Core.Sources.Delighted;

/// <summary>
/// Delighted webhooks. <c>survey_response.created</c> and <c>.updated</c> become one <c>survey.answered</c> touchpoint per
/// response (<c>sourceEventId</c> = the response id, so the score counts once however many events the response causes);
/// an update that carries a comment adds a <c>survey.commented</c> touchpoint (<c>&lt;id&gt;:comment:&lt;updated_at&gt;</c>),
/// because Delighted sends the score first and the comment minutes later. <c>survey_type</c> nps, csat and ces give the
/// survey answer (Delighted's CES asks for agreement, 7 = easy, and is turned around onto the hub's 1 easy – 7 hard);
/// other survey types keep their score as attributes. <c>unsubscribe.created</c> becomes <c>survey.unsubscribed</c>.
/// </summary>
public sealed class DelightedAdapter(IOptionsMonitor<DelightedOptions> options) : ISourceAdapter
{
    public const string SourceName = "delighted";
    public const string ResponseCreated = "survey_response.created";
    public const string ResponseUpdated = "survey_response.updated";
    public const string UnsubscribeCreated = "unsubscribe.created";

    public string Source => SourceName;

    public NormalizationResult Normalize(RawPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        DelightedWebhook? webhook;
        try
        {
            webhook = JsonSerializer.Deserialize(payload.Body.Span, DelightedJsonContext.Default.DelightedWebhook);
        }
        catch (JsonException ex)
        {
            return NormalizationResult.Failed($"Delighted payload is not a webhook object: {ex.Message}");
        }

        if (webhook is null || webhook.EventData.ValueKind != JsonValueKind.Object)
        {
            return NormalizationResult.Failed("Delighted payload has no event_data object.");
        }

        try
        {
            return webhook.EventType switch
            {
                ResponseCreated or ResponseUpdated => Response(webhook, webhook.EventData.Deserialize(DelightedJsonContext.Default.DelightedSurveyResponse)!),
                UnsubscribeCreated => Unsubscribe(webhook, webhook.EventData.Deserialize(DelightedJsonContext.Default.DelightedUnsubscribe)!),
                _ => NormalizationResult.Failed($"Delighted event_type '{webhook.EventType}' is not supported ({ResponseCreated}, {ResponseUpdated}, {UnsubscribeCreated})."),
            };
        }
        catch (JsonException ex)
        {
            return NormalizationResult.Failed($"Delighted {webhook.EventType} event_data is not readable: {ex.Message}");
        }
    }

    private NormalizationResult Response(DelightedWebhook webhook, DelightedSurveyResponse response)
    {
        if (response.Id is not { Length: > 0 } responseId)
        {
            return Reject(webhook, "event_data.id (the response id) is missing");
        }

        var identities = new List<Identity>();
        AdapterText.AddIdentity(identities, IdentityTypes.Email, response.Person?.Email);
        AdapterText.AddIdentity(identities, IdentityTypes.Phone, response.Person?.PhoneNumber);
        AdapterText.AddIdentity(identities, IdentityTypes.Delighted, response.Person?.Id);
        if (identities.Count == 0)
        {
            return Reject(webhook, "the response's person has no e-mail, phone or id");
        }

        if (response.CreatedAt is not { } createdAt)
        {
            return Reject(webhook, "event_data.created_at is missing");
        }

        var comment = string.IsNullOrWhiteSpace(response.Comment) ? null : response.Comment.Trim();
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["responseId"] = responseId };
        Add(attributes, "eventId", webhook.EventId);
        Add(attributes, "surveyType", response.SurveyType);
        Add(attributes, "permalink", response.Permalink);
        Add(attributes, "name", response.Person?.Name);
        if (response.Tags is { Length: > 0 } tags)
        {
            attributes["tags"] = string.Join(',', tags.Where(t => !string.IsNullOrWhiteSpace(t)));
        }

        foreach (var (key, value) in response.PersonProperties ?? [])
        {
            if (key.Length <= 64 && value.ValueKind is JsonValueKind.String or JsonValueKind.Number)
            {
                Add(attributes, "person." + key, value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText());
            }
        }

        SurveyAnswer? survey = null;
        Schema.Sentiment? sentiment;
        if (Rule(response.SurveyType) is { Type: { } type } rule && response.Score is { } score)
        {
            var hubScore = rule.ToHubScore(score);
            sentiment = SentimentRules.FromSurvey(type, hubScore);
            if (sentiment is null)
            {
                var limits = SentimentRules.SurveyTable[type];
                return Reject(webhook, $"score {score.ToString(CultureInfo.InvariantCulture)} of survey_type '{response.SurveyType}' does not map onto a whole {JourneyJson.WireName(type)} score from {limits.Min} to {limits.Max}");
            }

            if (hubScore != score)
            {
                attributes["answer"] = score.ToString(CultureInfo.InvariantCulture);
            }

            survey = new SurveyAnswer(type, hubScore, comment);
        }
        else
        {
            // Smileys, thumbs, stars, eNPS…: not one of the hub's survey types, but worth keeping.
            if (response.Score is { } other)
            {
                attributes["score"] = other.ToString(CultureInfo.InvariantCulture);
            }

            Add(attributes, "comment", comment);
            sentiment = LexiconSentiment.Score(comment);
        }

        var touchpoints = new List<Touchpoint>
        {
            Create(
                responseId,
                DateTimeOffset.FromUnixTimeSeconds(createdAt),
                SurveySummaries.AnsweredAction,
                survey is null ? SurveySummaries.Responded("Delighted", response.SurveyType?.ToUpperInvariant(), comment) : SurveySummaries.Answered(survey, "Delighted", null),
                identities,
                attributes,
                sentiment,
                survey),
        };

        if (webhook.EventType == ResponseUpdated && comment is not null && response.UpdatedAt is { } updatedAt)
        {
            var commentAttributes = new Dictionary<string, string>(attributes, StringComparer.Ordinal) { ["comment"] = comment };
            touchpoints.Add(Create(
                $"{responseId}:comment:{updatedAt.ToString(CultureInfo.InvariantCulture)}",
                DateTimeOffset.FromUnixTimeSeconds(updatedAt),
                SurveySummaries.CommentedAction,
                $"Comment on Delighted{(survey is null ? "" : $" {JourneyJson.WireName(survey.Type).ToUpperInvariant()} {survey.Score.ToString(CultureInfo.InvariantCulture)}")}: \"{AdapterText.Clip(comment)}\"",
                identities,
                commentAttributes,
                LexiconSentiment.Score(comment) ?? sentiment,
                null));
        }

        return new NormalizationResult(touchpoints, []);
    }

    private static NormalizationResult Unsubscribe(DelightedWebhook webhook, DelightedUnsubscribe unsubscribe)
    {
        var identities = new List<Identity>();
        AdapterText.AddIdentity(identities, IdentityTypes.Email, unsubscribe.Email);
        AdapterText.AddIdentity(identities, IdentityTypes.Delighted, unsubscribe.PersonId);
        if (identities.Count == 0)
        {
            return Reject(webhook, "the unsubscribe names no person_id or email");
        }

        if (unsubscribe.UnsubscribedAt is not { } seconds)
        {
            return Reject(webhook, "event_data.unsubscribed_at is missing");
        }

        var sourceEventId = webhook.EventId is { Length: > 0 } eventId
            ? eventId
            : $"unsubscribe:{identities[^1].Value}:{seconds.ToString(CultureInfo.InvariantCulture)}";

        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        Add(attributes, "eventId", webhook.EventId);
        return new NormalizationResult(
            [Create(sourceEventId, DateTimeOffset.FromUnixTimeSeconds(seconds), SurveySummaries.UnsubscribedAction, "Unsubscribed from Delighted surveys", identities, attributes, null, null)],
            []);
    }

    /// <summary>survey_type → the hub's survey type; Delighted's CES is an agreement scale of 7 (or 5) points.</summary>
    private SurveyQuestionRule? Rule(string? surveyType) => surveyType?.Trim().ToLowerInvariant() switch
    {
        "nps" => new SurveyQuestionRule(SurveyType.Nps),
        "csat" => new SurveyQuestionRule(SurveyType.Csat),
        "ces" => options.CurrentValue.CesScale == 5 ? FivePointCes : new SurveyQuestionRule(SurveyType.Ces, AgreementScale: true),
        _ => null,
    };

    /// <summary>
    /// 5 strongly agree … 1 strongly disagree spread onto the hub's 1–7: agreement (5, 4) stays on the easy side, 3 is
    /// neutral, disagreement (2, 1) on the hard side: 5→1, 4→3, 3→4, 2→5, 1→7.
    /// </summary>
    private static readonly SurveyQuestionRule FivePointCes = new(SurveyType.Ces, AgreementScale: true) { FromAnswer = a => a switch { 5 => 1, 4 => 3, 3 => 4, 2 => 5, 1 => 7, _ => a + 10 } };

    private static NormalizationResult Reject(DelightedWebhook webhook, string reason) =>
        new([], [new RejectedEntry(0, $"Delighted {webhook.EventType} {webhook.EventId}: {reason}")]);

    private static Touchpoint Create(
        string sourceEventId,
        DateTimeOffset occurredAt,
        string action,
        string summary,
        IReadOnlyList<Identity> identities,
        IReadOnlyDictionary<string, string> attributes,
        Schema.Sentiment? sentiment,
        SurveyAnswer? survey) => new()
        {
            TouchpointId = TouchpointIds.For(SourceName, sourceEventId),
            Source = SourceName,
            SourceEventId = sourceEventId,
            OccurredAt = occurredAt,
            Channel = Channel.Survey,
            Kind = JourneyRules.KindFor(Channel.Survey),
            Stage = JourneyRules.StageForAction(SourceName, action),
            Action = action,
            Summary = summary,
            Sentiment = sentiment,
            Survey = survey,
            Identities = identities,
            Attributes = attributes,
        };

    private static void Add(Dictionary<string, string> attributes, string key, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            attributes[key] = value;
        }
    }
}
