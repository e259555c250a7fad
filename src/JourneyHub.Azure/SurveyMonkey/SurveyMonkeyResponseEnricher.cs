using System.Collections.Concurrent;
using System.Net;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources.Surveys;
using JourneyHub.Core.Sources.SurveyMonkey;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Refit;

namespace JourneyHub.Azure.SurveyMonkey;

/// <summary>
/// The follow-up fetch a SurveyMonkey callback needs: the response's answers and the survey's questions, read into NPS/CSAT/CES
/// answers, the respondent's e-mail and the comment (<see cref="SurveyMonkeyAnswers"/>). Skipped without an access token: the
/// touchpoint then carries what the callback holds. A survey's questions are kept for a few minutes, since one survey's
/// responses arrive together and SurveyMonkey allows a private app 500 requests a day.
/// A failure propagates, so the queue retries the message; on the last attempt the processor stores the callback's touchpoint.
/// </summary>
public sealed partial class SurveyMonkeyResponseEnricher(
    ISurveyMonkeyApi api,
    IOptionsMonitor<SurveyMonkeyOptions> options,
    TimeProvider clock,
    ILogger<SurveyMonkeyResponseEnricher> logger) : ITouchpointEnricher
{
    internal static readonly TimeSpan SurveyCacheLifetime = TimeSpan.FromMinutes(10);
    private const int SurveyCacheLimit = 256;

    private readonly ConcurrentDictionary<string, (SurveyMonkeySurveyDetails Survey, DateTimeOffset FetchedAt)> surveys = new(StringComparer.Ordinal);

    public SourceId Source => SourceId.SurveyMonkey;

    public async Task<IReadOnlyList<Touchpoint>> EnrichAsync(IReadOnlyList<Touchpoint> touchpoints, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(touchpoints);
        var settings = options.CurrentValue;
        if (string.IsNullOrEmpty(settings.AccessToken))
        {
            return touchpoints;
        }

        var result = new List<Touchpoint>(touchpoints.Count);
        foreach (var touchpoint in touchpoints)
        {
            if (touchpoint.Survey is not null
                || touchpoint.Attributes.GetValueOrDefault(SurveyMonkeyAdapter.SurveyIdAttribute) is not { Length: > 0 } surveyId
                || touchpoint.Attributes.GetValueOrDefault(SurveyMonkeyAdapter.ResponseIdAttribute) is not { Length: > 0 } responseId)
            {
                result.Add(touchpoint);
                continue;
            }

            SurveyMonkeyResponseDetails response;
            try
            {
                response = await api.GetResponseDetailsAsync(surveyId, responseId, cancellationToken);
            }
            catch (ApiException ex) when (ex.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
            {
                // Deleted since it was completed: keep the fact that it was answered.
                LogResponseGone(responseId, surveyId, (int)ex.StatusCode);
                result.Add(touchpoint);
                continue;
            }

            var survey = await SurveyAsync(surveyId, cancellationToken);
            var read = SurveyMonkeyAnswers.Apply(touchpoint, survey, response, settings.SurveyTypes);
            foreach (var problem in read.Problems)
            {
                LogUnreadAnswer(responseId, surveyId, problem);
            }

            result.AddRange(read.Touchpoints);
        }

        return result;
    }

    private async Task<SurveyMonkeySurveyDetails> SurveyAsync(string surveyId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (surveys.TryGetValue(surveyId, out var cached) && now - cached.FetchedAt < SurveyCacheLifetime)
        {
            return cached.Survey;
        }

        var survey = await api.GetSurveyDetailsAsync(surveyId, cancellationToken);
        if (surveys.Count >= SurveyCacheLimit)
        {
            surveys.Clear();
        }

        surveys[surveyId] = (survey, now);
        return survey;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SurveyMonkey response {ResponseId} of survey {SurveyId} answered {Status}; storing the callback without answers")]
    private partial void LogResponseGone(string responseId, string surveyId, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SurveyMonkey response {ResponseId} of survey {SurveyId}: {Problem}")]
    private partial void LogUnreadAnswer(string responseId, string surveyId, string problem);
}
