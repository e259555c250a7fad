using System.Text.Json;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources.Surveys;

namespace JourneyHub.Core.Sources.SurveyMonkey;

/// <summary>
/// SurveyMonkey <c>response_completed</c> callbacks. The callback holds ids only, so the adapter makes one
/// <c>survey.answered</c> touchpoint per response (<c>sourceEventId</c> = the response id) with the survey, collector and
/// response ids as attributes and the respondent id as the <c>surveymonkey</c> identity; the SurveyMonkey enricher then
/// fetches the answers (<see cref="SurveyMonkeyAnswers"/>) when an access token is configured.
/// </summary>
public sealed class SurveyMonkeyAdapter : ISourceAdapter
{
    public const string SourceName = "surveymonkey";
    public const string ResponseCompleted = "response_completed";
    public const string SurveyIdAttribute = "surveyId";
    public const string ResponseIdAttribute = "responseId";

    public string Source => SourceName;

    public NormalizationResult Normalize(RawPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        SurveyMonkeyCallback? callback;
        try
        {
            callback = JsonSerializer.Deserialize(payload.Body.Span, SurveyMonkeyJsonContext.Default.SurveyMonkeyCallback);
        }
        catch (JsonException ex)
        {
            return NormalizationResult.Failed($"SurveyMonkey payload is not a webhook callback object: {ex.Message}");
        }

        if (callback?.EventType != ResponseCompleted)
        {
            return NormalizationResult.Failed($"SurveyMonkey event_type '{callback?.EventType}' is not supported ({ResponseCompleted}).");
        }

        if (callback.ObjectId is not { Length: > 0 } responseId)
        {
            return NormalizationResult.Failed("SurveyMonkey object_id (the response id) is missing.");
        }

        var surveyId = callback.Resources?.SurveyId is { Length: > 0 } fromResources ? fromResources
            : callback.FilterType == "survey" ? callback.FilterId : null;
        if (string.IsNullOrEmpty(surveyId))
        {
            return NormalizationResult.Failed($"SurveyMonkey response {responseId} names no survey_id, so its answers cannot be fetched.");
        }

        var identities = new List<Identity>();
        AdapterText.AddIdentity(identities, IdentityTypes.SurveyMonkey, callback.Resources?.RespondentId is { Length: > 0 } respondentId ? respondentId : responseId);
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SurveyIdAttribute] = surveyId,
            [ResponseIdAttribute] = responseId,
        };
        Add(attributes, "collectorId", callback.Resources?.CollectorId);
        Add(attributes, "recipientId", callback.Resources?.RecipientId is "0" ? null : callback.Resources?.RecipientId);
        Add(attributes, "eventId", callback.EventId);
        Add(attributes, "webhook", callback.Name);

        return new NormalizationResult(
            [
                new Touchpoint
                {
                    TouchpointId = TouchpointIds.For(SourceName, responseId),
                    Source = SourceName,
                    SourceEventId = responseId,
                    OccurredAt = callback.EventDatetime ?? payload.ReceivedAt,
                    Channel = Channel.Survey,
                    Kind = JourneyRules.KindFor(Channel.Survey),
                    Stage = JourneyRules.StageForAction(SourceName, SurveySummaries.AnsweredAction),
                    Action = SurveySummaries.AnsweredAction,
                    Summary = "SurveyMonkey response completed",
                    Identities = identities,
                    Attributes = attributes,
                },
            ],
            []);
    }

    private static void Add(Dictionary<string, string> attributes, string key, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            attributes[key] = value;
        }
    }
}
