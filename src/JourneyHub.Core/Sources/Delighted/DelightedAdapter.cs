using System.Globalization;
using System.Text.Json;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Schema;
using JourneyHub.Core.SentimentScoring;
using JourneyHub.Core.Sources.Kit;
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
    public const string ResponseCreated = "survey_response.created";
    public const string ResponseUpdated = "survey_response.updated";
    public const string UnsubscribeCreated = "unsubscribe.created";

    private static readonly TouchpointFactory Touchpoints = new(SourceId.Delighted);

    public SourceId Source => SourceId.Delighted;

    public NormalizationResult Normalize(RawPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (!WirePayload.TryRead(payload, DelightedJsonContext.Default.DelightedWebhook, "Delighted payload is not a webhook object", out var webhook, out var failure))
        {
            return failure;
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
        identities.AddIfPresent(IdentityTypes.Email, response.Person?.Email);
        identities.AddIfPresent(IdentityTypes.Phone, response.Person?.PhoneNumber);
        identities.AddIfPresent(IdentityTypes.Delighted, response.Person?.Id);
        if (identities.Count == 0)
        {
            return Reject(webhook, "the response's person has no e-mail, phone or id");
        }

        if (response.CreatedAt is not { } createdAt)
        {
            return Reject(webhook, "event_data.created_at is missing", identities);
        }

        var comment = string.IsNullOrWhiteSpace(response.Comment) ? null : response.Comment.Trim();
        var attributes = new AttributeDictionary()
            .Set("responseId", responseId)
            .AddIfPresent("eventId", webhook.EventId)
            .AddIfPresent("surveyType", response.SurveyType)
            .AddIfPresent("permalink", response.Permalink)
            .AddIfPresent("name", response.Person?.Name);
        if (response.Tags is { Length: > 0 } tags)
        {
            attributes.AddIfPresent("tags", string.Join(',', tags.Where(t => !string.IsNullOrWhiteSpace(t))));
        }

        foreach (var (key, value) in response.PersonProperties ?? [])
        {
            if (key.Length <= 64 && value.ValueKind is JsonValueKind.String or JsonValueKind.Number)
            {
                attributes.AddIfPresent("person." + key, value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText());
            }
        }

        SurveyAnswer? survey = null;
        Sentiment? sentiment;
        if (Rule(response.SurveyType) is { Type: { } type } rule && response.Score is { } score)
        {
            var hubScore = rule.ToHubScore(score);
            sentiment = SentimentRules.FromSurvey(type, hubScore);
            if (sentiment is null)
            {
                var limits = SentimentRules.SurveyTable[type];
                return Reject(webhook, $"score {score.ToString(CultureInfo.InvariantCulture)} of survey_type '{response.SurveyType}' does not map onto a whole {JourneyJson.WireName(type)} score from {limits.Min} to {limits.Max}", identities);
            }

            if (hubScore != score)
            {
                attributes.Set("answer", score.ToString(CultureInfo.InvariantCulture));
            }

            survey = new SurveyAnswer(type, hubScore, comment);
        }
        else
        {
            // Smileys, thumbs, stars, eNPS…: not one of the hub's survey types, but worth keeping.
            if (response.Score is { } other)
            {
                attributes.Set("score", other.ToString(CultureInfo.InvariantCulture));
            }

            attributes.AddIfPresent("comment", comment);
            sentiment = LexiconSentiment.Score(comment);
        }

        var touchpoints = new List<Touchpoint>
        {
            Touchpoints.Create(
                responseId,
                DateTimeOffset.FromUnixTimeSeconds(createdAt),
                Channel.Survey,
                SurveySummaries.AnsweredAction,
                survey is null ? SurveySummaries.Responded("Delighted", response.SurveyType?.ToUpperInvariant(), comment) : SurveySummaries.Answered(survey, "Delighted", null),
                identities,
                attributes,
                sentiment: sentiment,
                survey: survey),
        };

        if (webhook.EventType == ResponseUpdated && comment is not null && response.UpdatedAt is { } updatedAt)
        {
            var commentAttributes = attributes.Copy().Set("comment", comment);
            touchpoints.Add(Touchpoints.Create(
                $"{responseId}:comment:{updatedAt.ToString(CultureInfo.InvariantCulture)}",
                DateTimeOffset.FromUnixTimeSeconds(updatedAt),
                Channel.Survey,
                SurveySummaries.CommentedAction,
                $"Comment on Delighted{(survey is null ? "" : $" {JourneyJson.WireName(survey.Type).ToUpperInvariant()} {survey.Score.ToString(CultureInfo.InvariantCulture)}")}: \"{AdapterText.Clip(comment)}\"",
                identities,
                commentAttributes,
                sentiment: LexiconSentiment.Score(comment) ?? sentiment));
        }

        return new NormalizationResult(touchpoints, []);
    }

    private static NormalizationResult Unsubscribe(DelightedWebhook webhook, DelightedUnsubscribe unsubscribe)
    {
        var identities = new List<Identity>();
        identities.AddIfPresent(IdentityTypes.Email, unsubscribe.Email);
        identities.AddIfPresent(IdentityTypes.Delighted, unsubscribe.PersonId);
        if (identities.Count == 0)
        {
            return Reject(webhook, "the unsubscribe names no person_id or email");
        }

        if (unsubscribe.UnsubscribedAt is not { } seconds)
        {
            return Reject(webhook, "event_data.unsubscribed_at is missing", identities);
        }

        var sourceEventId = webhook.EventId is { Length: > 0 } eventId
            ? eventId
            : $"unsubscribe:{identities[^1].Value}:{seconds.ToString(CultureInfo.InvariantCulture)}";

        var attributes = new AttributeDictionary(1).AddIfPresent("eventId", webhook.EventId);
        return new NormalizationResult(
            [Touchpoints.Create(sourceEventId, DateTimeOffset.FromUnixTimeSeconds(seconds), Channel.Survey, SurveySummaries.UnsubscribedAction, "Unsubscribed from Delighted surveys", identities, attributes)],
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

    /// <param name="identities">The person, when known: the dead letter then records whose it is, so erasing them finds it.</param>
    private static NormalizationResult Reject(DelightedWebhook webhook, string reason, IReadOnlyList<Identity>? identities = null) =>
        EntryCollector.One(AdapterOutcome.Fail(reason, identities ?? []), $"Delighted {webhook.EventType} {webhook.EventId}");
}
