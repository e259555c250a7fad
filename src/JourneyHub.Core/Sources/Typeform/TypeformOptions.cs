using JourneyHub.Core.Sources.Surveys;

namespace JourneyHub.Core.Sources.Typeform;

/// <summary>Bound from <c>Sources:Typeform</c>.</summary>
public sealed class TypeformOptions
{
    public const string Section = "Sources:Typeform";

    /// <summary>The webhook's secret (Typeform-Signature). Without it, Typeform deliveries are refused as not configured.</summary>
    public string? Secret { get; set; }

    /// <summary>
    /// The hidden field that carries the sender's own person id (Typeform itself does not identify respondents);
    /// it becomes the <c>typeform</c> identity. Typeform's example payload uses <c>user_id</c>.
    /// </summary>
    public string RespondentIdField { get; set; } = "user_id";

    /// <summary>The hidden field that carries the respondent's e-mail when the form asks for none.</summary>
    public string EmailField { get; set; } = "email";

    /// <summary>
    /// Which questions are NPS, CSAT or CES (<c>Sources:Typeform:SurveyTypes:[&lt;formId&gt;:]&lt;field id or ref&gt;</c>);
    /// a field of Typeform's own <c>nps</c> type needs no rule.
    /// </summary>
    public SurveyTypeRules SurveyTypes { get; set; } = new();
}
