using JourneyHub.Core.Schema;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace JourneyHub.Core.Sources.Surveys;

/// <summary>How a question's answer is read: which survey type, and whether its scale runs the other way.</summary>
public sealed record SurveyQuestionRule(SurveyType? Type, bool AgreementScale = false)
{
    /// <summary>A question the rules say to keep out of the survey figures.</summary>
    public static SurveyQuestionRule Ignored { get; } = new((SurveyType?)null);

    /// <summary>
    /// <c>nps</c> (0–10), <c>csat</c> (1–5), <c>ces</c> (1 very easy – 7 very hard), <c>ces-agreement</c>
    /// (1 strongly disagree – 7 strongly agree that it was easy, stored as 8 − score), <c>none</c>.
    /// </summary>
    public static SurveyQuestionRule? Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "nps" => new(SurveyType.Nps),
        "csat" => new(SurveyType.Csat),
        "ces" => new(SurveyType.Ces),
        "ces-agreement" or "ces_agreement" => new(SurveyType.Ces, AgreementScale: true),
        "none" or "ignore" => Ignored,
        _ => null,
    };

    /// <summary>A conversion for scales that are neither the hub's nor the 7-point agreement scale (Delighted's 5-point CES).</summary>
    public Func<double, double>? FromAnswer { get; init; }

    /// <summary>The answer on the hub's scale for its type (CES agreement answers are turned around).</summary>
    public double ToHubScore(double answer) => FromAnswer?.Invoke(answer) ?? (AgreementScale ? 8 - answer : answer);
}

/// <summary>
/// The settings table that says which form/survey question is an NPS, CSAT or CES question:
/// <c>Sources:&lt;X&gt;:SurveyTypes:&lt;questionId&gt; = nps</c> applies to that question in any form, and
/// <c>Sources:&lt;X&gt;:SurveyTypes:&lt;formId&gt;:&lt;questionId&gt; = csat</c> to that form only (it wins).
/// As environment variables: <c>Sources__Typeform__SurveyTypes__lT4Z3j__Xq0pN2aB7cDe=nps</c>.
/// </summary>
public sealed class SurveyTypeRules
{
    private readonly Dictionary<string, SurveyQuestionRule> anyForm = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Form, string Question), SurveyQuestionRule> perForm = [];

    private readonly List<string> invalid = [];

    /// <summary>Settings that name no known type, so that start-up can say which one is wrong (a method: the binder must not touch it).</summary>
    public IReadOnlyList<string> InvalidSettings() => invalid;

    public int RuleCount() => anyForm.Count + perForm.Count;

    public static SurveyTypeRules Bind(IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var rules = new SurveyTypeRules();
        foreach (var child in section.GetChildren())
        {
            if (child.Value is { } single)
            {
                rules.Add(null, child.Key, single, child.Path);
                continue;
            }

            foreach (var question in child.GetChildren())
            {
                rules.Add(child.Key, question.Key, question.Value, question.Path);
            }
        }

        return rules;
    }

    public SurveyTypeRules Add(string? formId, string questionId, string? value, string? path = null)
    {
        if (SurveyQuestionRule.Parse(value) is not { } rule)
        {
            invalid.Add($"{path ?? questionId} = '{value}' (expected nps, csat, ces, ces-agreement or none)");
            return this;
        }

        if (formId is null)
        {
            anyForm[questionId] = rule;
        }
        else
        {
            perForm[(formId, questionId)] = rule;
        }

        return this;
    }

    /// <summary>The rule for the first of <paramref name="questionKeys"/> (id, then ref) that has one; form rules first.</summary>
    public SurveyQuestionRule? Find(string? formId, params ReadOnlySpan<string?> questionKeys)
    {
        foreach (var key in questionKeys)
        {
            if (key is { Length: > 0 } && formId is { Length: > 0 } && perForm.TryGetValue((formId, key), out var rule))
            {
                return rule;
            }
        }

        foreach (var key in questionKeys)
        {
            if (key is { Length: > 0 } && anyForm.TryGetValue(key, out var rule))
            {
                return rule;
            }
        }

        return null;
    }
}

/// <summary>Fails options validation (and so the host's start) with every survey-type setting that names no known type.</summary>
internal sealed class SurveyTypesValidator<TOptions>(Func<TOptions, SurveyTypeRules> rules) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var invalid = rules(options).InvalidSettings();
        return invalid.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(invalid);
    }
}
