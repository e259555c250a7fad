using System.Globalization;
using System.Text.Json;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sentiment;
using JourneyHub.Core.Sources.Surveys;
using Microsoft.Extensions.Options;

namespace JourneyHub.Core.Sources.Typeform;

/// <summary>
/// Typeform <c>form_response</c> webhooks. Each scored question of a response (a field of Typeform's <c>nps</c> type, or one
/// the <c>Sources:Typeform:SurveyTypes</c> table names) becomes a <c>survey.answered</c> touchpoint with its NPS/CSAT/CES
/// answer; the first one's <c>sourceEventId</c> is the response token, further ones <c>&lt;token&gt;:&lt;field id&gt;</c>.
/// A response without a scored question is one <c>survey.answered</c> touchpoint without a survey answer. The comment is
/// the first <c>long_text</c> answer. The person: the e-mail answer (or the hidden e-mail field), the phone answer, and the
/// hidden respondent-id field as the <c>typeform</c> identity.
/// </summary>
public sealed class TypeformAdapter(IOptionsMonitor<TypeformOptions> options) : ISourceAdapter
{
    public const string SourceName = "typeform";
    public const string FormResponse = "form_response";

    public string Source => SourceName;

    public NormalizationResult Normalize(RawPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        TypeformWebhook? webhook;
        try
        {
            webhook = JsonSerializer.Deserialize(payload.Body.Span, TypeformJsonContext.Default.TypeformWebhook);
        }
        catch (JsonException ex)
        {
            return NormalizationResult.Failed($"Typeform payload is not a webhook object: {ex.Message}");
        }

        if (webhook?.EventType != FormResponse)
        {
            return NormalizationResult.Failed($"Typeform event_type '{webhook?.EventType}' is not supported ({FormResponse}).");
        }

        if (webhook.FormResponse is not { Token: { Length: > 0 } token } response)
        {
            return NormalizationResult.Failed("Typeform form_response.token (the response id) is missing.");
        }

        var settings = options.CurrentValue;
        var identities = Identities(response, settings);
        if (identities.Count == 0)
        {
            return NormalizationResult.Failed(
                $"Typeform response {token} names no e-mail, phone or hidden '{settings.RespondentIdField}' field, so it cannot name a person.");
        }

        var answers = response.Answers?.OfType<TypeformAnswer>().ToList() ?? [];
        var comment = answers.FirstOrDefault(a => a.Field?.Type == "long_text" && !string.IsNullOrWhiteSpace(a.Text))?.Text?.Trim();
        var formTitle = response.Definition?.Title;
        var titles = (response.Definition?.Fields ?? []).OfType<TypeformField>().Where(f => f.Id is not null)
            .GroupBy(f => f.Id!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Title, StringComparer.Ordinal);
        var occurredAt = response.SubmittedAt ?? payload.ReceivedAt;
        var baseAttributes = BaseAttributes(webhook, response, settings);

        var touchpoints = new List<Touchpoint>();
        var rejected = new List<RejectedEntry>();
        var scored = 0;
        for (var index = 0; index < answers.Count; index++)
        {
            var answer = answers[index];
            if (answer.Number is not { } number || answer.Field is not { } field || Rule(settings.SurveyTypes, response.FormId, field) is not { Type: { } type } rule)
            {
                continue;
            }

            var score = rule.ToHubScore(number);
            if (SentimentRules.FromSurvey(type, score) is not { } sentiment)
            {
                var limits = SentimentRules.SurveyTable[type];
                rejected.Add(new RejectedEntry(index, $"Typeform response {token} question {field.Id} ({field.Ref}): answer {number.ToString(CultureInfo.InvariantCulture)} is not a whole {JourneyJson.WireName(type)} score from {limits.Min} to {limits.Max}"));
                continue;
            }

            var attributes = new Dictionary<string, string>(baseAttributes, StringComparer.Ordinal);
            Add(attributes, "questionId", field.Id);
            Add(attributes, "questionRef", field.Ref);
            Add(attributes, "question", field.Id is { } id ? titles.GetValueOrDefault(id) : null);
            if (rule.AgreementScale)
            {
                attributes["answer"] = number.ToString(CultureInfo.InvariantCulture);
            }

            var sourceEventId = scored == 0 ? token : $"{token}:{field.Id ?? field.Ref ?? index.ToString(CultureInfo.InvariantCulture)}";
            scored++;
            var survey = new SurveyAnswer(type, score, comment);
            touchpoints.Add(Create(sourceEventId, occurredAt, SurveySummaries.Answered(survey, "Typeform", formTitle), identities, attributes, sentiment, survey));
        }

        if (scored == 0 && rejected.Count == 0)
        {
            var attributes = new Dictionary<string, string>(baseAttributes, StringComparer.Ordinal);
            Add(attributes, "comment", comment);
            touchpoints.Add(Create(token, occurredAt, SurveySummaries.Responded("Typeform", formTitle, comment), identities, attributes, LexiconSentiment.Score(comment), null));
        }

        return new NormalizationResult(touchpoints, rejected);
    }

    /// <summary>A rule from the settings table wins; a field of Typeform's own <c>nps</c> type is NPS without one.</summary>
    internal static SurveyQuestionRule? Rule(SurveyTypeRules rules, string? formId, TypeformField field) =>
        rules.Find(formId, field.Id, field.Ref) ?? (field.Type == "nps" ? new SurveyQuestionRule(SurveyType.Nps) : null);

    private static List<Identity> Identities(TypeformResponse response, TypeformOptions settings)
    {
        var identities = new List<Identity>();
        foreach (var answer in response.Answers ?? [])
        {
            if (answer?.Type == "email")
            {
                AdapterText.AddIdentity(identities, IdentityTypes.Email, answer.Email);
            }
            else if (answer?.Type == "phone_number")
            {
                AdapterText.AddIdentity(identities, IdentityTypes.Phone, answer.PhoneNumber);
            }
        }

        AdapterText.AddIdentity(identities, IdentityTypes.Email, Hidden(response, settings.EmailField));
        AdapterText.AddIdentity(identities, IdentityTypes.Typeform, Hidden(response, settings.RespondentIdField));
        return identities;
    }

    private static string? Hidden(TypeformResponse response, string? name) =>
        name is { Length: > 0 } && response.Hidden?.TryGetValue(name, out var value) == true && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static Dictionary<string, string> BaseAttributes(TypeformWebhook webhook, TypeformResponse response, TypeformOptions settings)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        Add(attributes, "formId", response.FormId);
        Add(attributes, "formTitle", response.Definition?.Title);
        Add(attributes, "responseToken", response.Token);
        Add(attributes, "eventId", webhook.EventId);
        if (response.LandedAt is { } landedAt)
        {
            attributes["landedAt"] = landedAt.ToString("O", CultureInfo.InvariantCulture);
        }

        foreach (var (key, value) in response.Hidden ?? [])
        {
            // E-mail and respondent id are identities already; campaign fields (utm_*, plan, …) are worth keeping.
            if (key != settings.EmailField && key != settings.RespondentIdField && key.Length <= 64 && value.ValueKind is JsonValueKind.String or JsonValueKind.Number)
            {
                Add(attributes, "hidden." + key, value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText());
            }
        }

        return attributes;
    }

    private static Touchpoint Create(
        string sourceEventId,
        DateTimeOffset occurredAt,
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
            Stage = JourneyRules.StageForAction(SourceName, SurveySummaries.AnsweredAction),
            Action = SurveySummaries.AnsweredAction,
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
