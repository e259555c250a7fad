using System.Globalization;
using System.Text.Json;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Schema;
using JourneyHub.Core.SentimentScoring;
using JourneyHub.Core.Sources.Kit;
using JourneyHub.Core.Sources.Surveys;

namespace JourneyHub.Core.Sources.SurveyMonkey;

/// <summary>
/// Reads a completed SurveyMonkey response (its details and the survey's question definitions) into the touchpoint the
/// callback made. Each scored question becomes one <c>survey.answered</c> touchpoint: the first keeps the callback's
/// <c>sourceEventId</c> (the response id), further ones get <c>&lt;response id&gt;:&lt;question id&gt;</c>.
/// <list type="bullet">
/// <item>Scored: a question the <c>Sources:SurveyMonkey:SurveyTypes</c> table names, or one whose choices are exactly 0–10
///   (NPS; SurveyMonkey documents no NPS marker). The score is the chosen choice's <c>weight</c>, else its text.</item>
/// <item>E-mail: <c>email_address</c>, <c>metadata.contact.email.value</c>, the answer to a question validated as e-mail, or a
///   custom variable <c>email</c>, first found.</item>
/// <item>Comment: the first answer to another open-ended question.</item>
/// </list>
/// </summary>
public static class SurveyMonkeyAnswers
{
    public sealed record Result(IReadOnlyList<Touchpoint> Touchpoints, IReadOnlyList<string> Problems);

    public static Result Apply(Touchpoint callback, SurveyMonkeySurveyDetails survey, SurveyMonkeyResponseDetails response, SurveyTypeRules rules)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ArgumentNullException.ThrowIfNull(survey);
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(rules);

        var questions = (survey.Pages ?? []).SelectMany(p => p.Questions ?? []).Where(q => q.Id is not null)
            .GroupBy(q => q.Id!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var answered = (response.Pages ?? []).SelectMany(p => p.Questions ?? []).Where(q => q.Id is not null && questions.ContainsKey(q.Id)).ToList();
        var surveyId = survey.Id ?? response.SurveyId ?? callback.Attributes.GetValueOrDefault(SurveyMonkeyAdapter.SurveyIdAttribute);

        var identities = callback.Identities.ToList();
        identities.AddIfPresent(IdentityTypes.Email, Email(response, answered, questions));

        var comment = answered
            .Where(q => questions[q.Id!] is { Family: "open_ended" } question && question.Validation?.Type != "email")
            .SelectMany(q => q.Answers ?? [])
            .Select(a => a.Text?.Trim())
            .FirstOrDefault(t => !string.IsNullOrEmpty(t));

        var attributes = new AttributeDictionary(callback.Attributes.Count + 6);
        foreach (var (key, value) in callback.Attributes)
        {
            attributes.Set(key, value);
        }

        attributes
            .AddIfPresent("surveyTitle", survey.Title)
            .AddIfPresent("responseStatus", response.ResponseStatus)
            .AddIfPresent("firstName", response.FirstName)
            .AddIfPresent("lastName", response.LastName);

        var problems = new List<string>();
        var touchpoints = new List<Touchpoint>();
        var responseId = callback.SourceEventId;
        foreach (var given in answered)
        {
            var question = questions[given.Id!];
            if ((rules.Find(surveyId, question.Id) ?? DefaultRule(question)) is not { Type: { } type } rule)
            {
                continue;
            }

            var choiceId = (given.Answers ?? []).Select(a => a.ChoiceId).FirstOrDefault(c => !string.IsNullOrEmpty(c));
            var choice = question.Answers?.Choices?.FirstOrDefault(c => c.Id == choiceId);
            if (choice is null || Value(choice) is not { } value)
            {
                problems.Add($"question {question.Id}: the chosen choice '{choiceId}' has no numeric weight or text");
                continue;
            }

            var score = rule.ToHubScore(value);
            if (SentimentRules.FromSurvey(type, score) is not { } sentiment)
            {
                var limits = SentimentRules.SurveyTable[type];
                problems.Add($"question {question.Id}: answer {value.ToString(CultureInfo.InvariantCulture)} is not a whole {JourneyJson.WireName(type)} score from {limits.Min} to {limits.Max}");
                continue;
            }

            var answer = new SurveyAnswer(type, score, comment);
            var own = attributes.Copy().Set("questionId", question.Id!).AddIfPresent("question", question.Headings?.FirstOrDefault()?.Heading);
            if (rule.AgreementScale)
            {
                own.Set("answer", value.ToString(CultureInfo.InvariantCulture));
            }

            var sourceEventId = touchpoints.Count == 0 ? responseId : $"{responseId}:{question.Id}";
            touchpoints.Add(callback with
            {
                TouchpointId = TouchpointIds.For(callback.Source, sourceEventId),
                SourceEventId = sourceEventId,
                Summary = SurveySummaries.Answered(answer, "SurveyMonkey", survey.Title),
                Survey = answer,
                Sentiment = sentiment,
                Identities = identities,
                Attributes = own,
            });
        }

        if (touchpoints.Count == 0)
        {
            attributes.AddIfPresent("comment", comment);
            touchpoints.Add(callback with
            {
                Summary = SurveySummaries.Responded("SurveyMonkey", survey.Title, comment),
                Sentiment = LexiconSentiment.Score(comment),
                Identities = identities,
                Attributes = attributes,
            });
        }

        return new Result(touchpoints, problems);
    }

    /// <summary>A question whose choices are exactly the numbers 0 to 10 is an NPS question.</summary>
    internal static SurveyQuestionRule? DefaultRule(SurveyMonkeyQuestion question)
    {
        var values = (question.Answers?.Choices ?? []).Select(Value).ToList();
        return values.Count == 11 && values.All(v => v is not null) && values.Select(v => v!.Value).Order().SequenceEqual(Enumerable.Range(0, 11).Select(i => (double)i))
            ? new SurveyQuestionRule(SurveyType.Nps)
            : null;
    }

    private static double? Value(SurveyMonkeyChoice choice) =>
        choice.Weight ?? (double.TryParse(choice.Text?.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : null);

    private static string? Email(SurveyMonkeyResponseDetails response, List<SurveyMonkeyResponseQuestion> answered, Dictionary<string, SurveyMonkeyQuestion> questions)
    {
        if (!string.IsNullOrWhiteSpace(response.EmailAddress))
        {
            return response.EmailAddress;
        }

        if (response.Metadata.ValueKind == JsonValueKind.Object
            && response.Metadata.TryGetProperty("contact", out var contact) && contact.ValueKind == JsonValueKind.Object
            && contact.TryGetProperty("email", out var email) && email.ValueKind == JsonValueKind.Object
            && email.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String
            && !string.IsNullOrWhiteSpace(value.GetString()))
        {
            return value.GetString();
        }

        var answeredEmail = answered
            .Where(q => questions[q.Id!].Validation?.Type == "email")
            .SelectMany(q => q.Answers ?? [])
            .Select(a => a.Text)
            .FirstOrDefault(t => !string.IsNullOrWhiteSpace(t));
        if (answeredEmail is not null)
        {
            return answeredEmail;
        }

        return response.CustomVariables?.TryGetValue("email", out var variable) == true && variable.ValueKind == JsonValueKind.String ? variable.GetString() : null;
    }
}
