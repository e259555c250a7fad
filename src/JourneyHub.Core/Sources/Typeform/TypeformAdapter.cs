using System.Globalization;
using System.Text.Json;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Schema;
using JourneyHub.Core.SentimentScoring;
using JourneyHub.Core.Sources.Kit;
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
    public const string FormResponse = "form_response";

    private static readonly TouchpointFactory Touchpoints = new(SourceId.Typeform);

    public SourceId Source => SourceId.Typeform;

    public NormalizationResult Normalize(RawPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (!WirePayload.TryRead(payload, TypeformJsonContext.Default.TypeformWebhook, "Typeform payload is not a webhook object", out var webhook, out var failure))
        {
            return failure;
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

        var occurredAtIsReceiptTime = response.SubmittedAt is null;
        var scored = 0;
        var result = EntryCollector.CollectMany(
            answers,
            answer => ScoredAnswer(answer) is { } outcome ? [outcome] : [],
            (i, a) => $"Typeform response {token} answer {i} ({a.Field?.Id ?? a.Field?.Ref ?? "?"})");
        if (result.Touchpoints.Count > 0 || result.Rejected.Count > 0)
        {
            return result;
        }

        var attributes = baseAttributes.Copy().AddIfPresent("comment", comment);
        return EntryCollector.One(
            AdapterOutcome.Ok(Touchpoints.Create(token, occurredAt, Channel.Survey, SurveySummaries.AnsweredAction, SurveySummaries.Responded("Typeform", formTitle, comment), identities, attributes, sentiment: LexiconSentiment.Score(comment), occurredAtIsReceiptTime: occurredAtIsReceiptTime)),
            $"Typeform response {token}");

        AdapterOutcome? ScoredAnswer(TypeformAnswer answer)
        {
            if (answer.Number is not { } number || answer.Field is not { } field || Rule(settings.SurveyTypes, response.FormId, field) is not { Type: { } type } rule)
            {
                return null;
            }

            var score = rule.ToHubScore(number);
            if (SentimentRules.FromSurvey(type, score) is not { } sentiment)
            {
                var limits = SentimentRules.SurveyTable[type];
                return AdapterOutcome.Fail($"answer {number.ToString(CultureInfo.InvariantCulture)} is not a whole {JourneyJson.WireName(type)} score from {limits.Min} to {limits.Max}", identities);
            }

            var attributes = baseAttributes.Copy()
                .AddIfPresent("questionId", field.Id)
                .AddIfPresent("questionRef", field.Ref)
                .AddIfPresent("question", field.Id is { } id ? titles.GetValueOrDefault(id) : null);
            if (rule.AgreementScale)
            {
                attributes.Set("answer", number.ToString(CultureInfo.InvariantCulture));
            }

            var sourceEventId = scored++ == 0 ? token : $"{token}:{field.Id ?? field.Ref}";
            var survey = new SurveyAnswer(type, score, comment);
            return AdapterOutcome.Ok(Touchpoints.Create(sourceEventId, occurredAt, Channel.Survey, SurveySummaries.AnsweredAction, SurveySummaries.Answered(survey, "Typeform", formTitle), identities, attributes, sentiment: sentiment, survey: survey, occurredAtIsReceiptTime: occurredAtIsReceiptTime));
        }
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
                identities.AddIfPresent(IdentityTypes.Email, answer.Email);
            }
            else if (answer?.Type == "phone_number")
            {
                identities.AddIfPresent(IdentityTypes.Phone, answer.PhoneNumber);
            }
        }

        identities.AddIfPresent(IdentityTypes.Email, Hidden(response, settings.EmailField));
        identities.AddIfPresent(IdentityTypes.Typeform, Hidden(response, settings.RespondentIdField));
        return identities;
    }

    private static string? Hidden(TypeformResponse response, string? name) =>
        name is { Length: > 0 } && response.Hidden?.TryGetValue(name, out var value) == true && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static AttributeDictionary BaseAttributes(TypeformWebhook webhook, TypeformResponse response, TypeformOptions settings)
    {
        var attributes = new AttributeDictionary()
            .AddIfPresent("formId", response.FormId)
            .AddIfPresent("formTitle", response.Definition?.Title)
            .AddIfPresent("responseToken", response.Token)
            .AddIfPresent("eventId", webhook.EventId);
        if (response.LandedAt is { } landedAt)
        {
            attributes.Set("landedAt", landedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        }

        foreach (var (key, value) in response.Hidden ?? [])
        {
            // E-mail and respondent id are identities already; campaign fields (utm_*, plan, …) are worth keeping.
            if (key != settings.EmailField && key != settings.RespondentIdField && key.Length <= 64 && value.ValueKind is JsonValueKind.String or JsonValueKind.Number)
            {
                attributes.AddIfPresent("hidden." + key, value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText());
            }
        }

        return attributes;
    }
}
