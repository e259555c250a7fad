using System.Text.Json;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources.Kit;
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
    public const string ResponseCompleted = "response_completed";
    public const string SurveyIdAttribute = "surveyId";
    public const string ResponseIdAttribute = "responseId";

    private static readonly TouchpointFactory Touchpoints = new(SourceId.SurveyMonkey);

    public SourceId Source => SourceId.SurveyMonkey;

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

        var identities = new List<Identity>(1);
        identities.AddIfPresent(IdentityTypes.SurveyMonkey, callback.Resources?.RespondentId is { Length: > 0 } respondentId ? respondentId : responseId);
        var attributes = new AttributeDictionary()
            .Set(SurveyIdAttribute, surveyId)
            .Set(ResponseIdAttribute, responseId)
            .AddIfPresent("collectorId", callback.Resources?.CollectorId)
            .AddIfPresent("recipientId", callback.Resources?.RecipientId is "0" ? null : callback.Resources?.RecipientId)
            .AddIfPresent("eventId", callback.EventId)
            .AddIfPresent("webhook", callback.Name);

        return EntryCollector.One(
            AdapterOutcome.Ok(Touchpoints.Create(
                responseId,
                callback.EventDatetime ?? payload.ReceivedAt,
                Channel.Survey,
                SurveySummaries.AnsweredAction,
                "SurveyMonkey response completed",
                identities,
                attributes,
                occurredAtIsReceiptTime: callback.EventDatetime is null)),
            $"SurveyMonkey response {responseId}");
    }
}
