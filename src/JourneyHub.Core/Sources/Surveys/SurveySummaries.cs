using System.Globalization;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources.Kit;

namespace JourneyHub.Core.Sources.Surveys;

/// <summary>The actions and one-line summaries every survey tool's touchpoints share, so the timeline reads the same for all of them.</summary>
public static class SurveySummaries
{
    public const string AnsweredAction = "survey.answered";

    /// <summary>A comment added to an answer already recorded (Delighted sends comments in a later update).</summary>
    public const string CommentedAction = "survey.commented";

    public const string UnsubscribedAction = "survey.unsubscribed";

    /// <summary><c>NPS 9 on Typeform "After your delivery": "Fast delivery…"</c></summary>
    public static string Answered(SurveyAnswer survey, string tool, string? surveyTitle)
    {
        ArgumentNullException.ThrowIfNull(survey);
        var title = string.IsNullOrWhiteSpace(surveyTitle) ? "" : $" \"{AdapterText.Clip(surveyTitle, 60)}\"";
        var comment = survey.Comment is { Length: > 0 } text ? $": \"{AdapterText.Clip(text)}\"" : "";
        return $"{JourneyJson.WireName(survey.Type).ToUpperInvariant()} {survey.Score.ToString(CultureInfo.InvariantCulture)} on {tool}{title}{comment}";
    }

    /// <summary><c>Typeform response to "Sign-up feedback": "…"</c>, for a response that holds no NPS/CSAT/CES answer.</summary>
    public static string Responded(string tool, string? surveyTitle, string? comment)
    {
        var title = string.IsNullOrWhiteSpace(surveyTitle) ? "" : $" to \"{AdapterText.Clip(surveyTitle, 60)}\"";
        var text = comment is { Length: > 0 } ? $": \"{AdapterText.Clip(comment)}\"" : "";
        return $"{tool} response{title}{text}";
    }
}
