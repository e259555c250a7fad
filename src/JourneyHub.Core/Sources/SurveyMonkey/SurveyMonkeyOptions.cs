using JourneyHub.Core.Sources.Surveys;

namespace JourneyHub.Core.Sources.SurveyMonkey;

/// <summary>Bound from <c>Sources:SurveyMonkey</c>.</summary>
public sealed class SurveyMonkeyOptions
{
    public const string Section = "Sources:SurveyMonkey";

    /// <summary>The app's client id (SurveyMonkey sends it as <c>Sm-Apikey</c>); half of the Sm-Signature key.</summary>
    public string? ClientId { get; set; }

    /// <summary>The app's client secret; the other half of the Sm-Signature key.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Reads the answers of each completed response (scope View Response Details). Without it only the event is stored.</summary>
    public string? AccessToken { get; set; }

    public Uri BaseUrl { get; set; } = new("https://api.surveymonkey.com");

    /// <summary>
    /// Which questions are NPS, CSAT or CES (<c>Sources:SurveyMonkey:SurveyTypes:[&lt;surveyId&gt;:]&lt;question id&gt;</c>);
    /// a question whose choices are exactly 0–10 is read as NPS without a rule.
    /// </summary>
    public SurveyTypeRules SurveyTypes { get; set; } = new();
}
