using System.Globalization;
using System.Text.Json;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Pull;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sentiment;
using JourneyHub.Core.Sources.HubSpot;

namespace JourneyHub.Core.Sources.Pull;

/// <summary>
/// Pages pulled from HubSpot CRM v3 (property <c>objectType</c> says which): contacts from the search API, and
/// e-mails, calls, meetings and feedback submissions as <c>{"search":&lt;search page&gt;,"associations":&lt;v4 batch read&gt;}</c>.
/// Touchpoints carry source <c>hubspot</c>. Ids are facts, not fetches: <c>contact:&lt;id&gt;:created</c>,
/// <c>contact:&lt;id&gt;:lifecycle:&lt;stage&gt;</c>, <c>&lt;objectType&gt;:&lt;id&gt;:&lt;contactId&gt;</c>, so pulling the same record
/// again stores nothing new. An engagement becomes one touchpoint per associated contact, because the identities of one
/// touchpoint are taken to be one person.
/// </summary>
public sealed class HubSpotPullAdapter : ISourceAdapter
{
    public const string ObjectTypeProperty = "objectType";

    /// <summary>Lifecycle stages whose <c>hs_lifecyclestage_&lt;stage&gt;_date</c> says when the contact reached them.</summary>
    public static IReadOnlyList<string> LifecycleStages { get; } =
        ["subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "evangelist"];

    public string Source => PullSources.HubSpotAdapter;

    public NormalizationResult Normalize(RawPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var objectType = payload.Properties.GetValueOrDefault(ObjectTypeProperty) ?? "contacts";
        using var document = JsonDocument.Parse(payload.Body, PullJson.DocumentOptions);
        var root = document.RootElement;
        if (objectType == "contacts")
        {
            return PullJson.Collect(root.Arr("results").ToList(), c => [MapContactCreated(c), .. MapLifecycle(c)], "HubSpot contact");
        }

        var search = root.TryGetProperty("search", out var s) ? s : root;
        var associations = ReadAssociations(root.Obj("associations"));
        return PullJson.Collect(search.Arr("results").ToList(), e => MapEngagement(objectType, e, associations), $"HubSpot {objectType}");
    }

    private static AdapterOutcome MapContactCreated(JsonElement contact)
    {
        if (contact.Str("id") is not { Length: > 0 } id)
        {
            return AdapterOutcome.Fail("the contact has no id");
        }

        var properties = contact.Obj("properties");
        var createdAt = PullJson.Time(properties.Str("createdate")) ?? PullJson.Time(contact.Str("createdAt"));
        if (createdAt is null)
        {
            return AdapterOutcome.Fail("the contact has no createdate");
        }

        const string action = "contact.created";
        return AdapterOutcome.Ok(Build($"contact:{id}:created", createdAt.Value, Channel.Crm, action, JourneyRules.StageForAction(HubSpotAdapter.SourceName, action), "Contact created in HubSpot", ContactIdentities(id, properties), ContactAttributes(id, properties)));
    }

    private static IEnumerable<AdapterOutcome> MapLifecycle(JsonElement contact)
    {
        var properties = contact.Obj("properties");
        if (contact.Str("id") is not { Length: > 0 } id || properties.Str("lifecyclestage") is not { Length: > 0 } stage)
        {
            yield break;
        }

        var at = PullJson.Time(properties.Str($"hs_lifecyclestage_{stage}_date")) ?? PullJson.Time(properties.Str("lastmodifieddate")) ?? PullJson.Time(contact.Str("updatedAt"));
        if (at is null)
        {
            yield return AdapterOutcome.Fail($"lifecycle stage '{stage}' has no date");
            yield break;
        }

        var attributes = ContactAttributes(id, properties);
        attributes["lifecyclestage"] = stage;
        yield return AdapterOutcome.Ok(Build($"contact:{id}:lifecycle:{stage}", at.Value, Channel.Crm, "lifecycle.changed", JourneyRules.StageFor(HubSpotAdapter.SourceName, "lifecycle:" + stage), $"Lifecycle stage changed to {stage}", ContactIdentities(id, properties), attributes));
    }

    private static IEnumerable<AdapterOutcome> MapEngagement(string objectType, JsonElement engagement, Dictionary<string, List<string>> associations)
    {
        if (engagement.Str("id") is not { Length: > 0 } id)
        {
            yield return AdapterOutcome.Fail("the object has no id");
            yield break;
        }

        List<string> contacts = associations.TryGetValue(id, out var list) ? [.. list] : [];
        foreach (var embedded in engagement.Obj("associations").Obj("contacts").Arr("results"))
        {
            if (embedded.Str("id") is { Length: > 0 } contactId && !contacts.Contains(contactId))
            {
                contacts.Add(contactId);
            }
        }

        if (contacts.Count == 0)
        {
            yield return AdapterOutcome.Fail("no associated contact: the person cannot be identified");
            yield break;
        }

        var p = engagement.Obj("properties");
        var at = PullJson.Time(p.Str("hs_timestamp")) ?? PullJson.Time(p.Str("hs_createdate")) ?? PullJson.Time(engagement.Str("createdAt"));
        if (at is null)
        {
            yield return AdapterOutcome.Fail("no hs_timestamp or creation date");
            yield break;
        }

        var attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["objectType"] = objectType, ["objectId"] = id };
        Channel channel;
        string action;
        string summary;
        SurveyAnswer? survey = null;
        Schema.Sentiment? sentiment = null;
        switch (objectType)
        {
            case "emails":
                channel = Channel.Email;
                action = p.Str("hs_email_direction") == "INCOMING_EMAIL" ? "email.received" : "email.sent";
                summary = $"E-mail {(action == "email.received" ? "from" : "to")} contact: {AdapterText.Clip(p.Str("hs_email_subject") ?? "(no subject)")}";
                PullJson.Add(attributes, "subject", p.Str("hs_email_subject"));
                PullJson.Add(attributes, "direction", p.Str("hs_email_direction"));
                PullJson.Add(attributes, "status", p.Str("hs_email_status"));
                break;
            case "calls":
                channel = Channel.Phone;
                action = "call.logged";
                summary = $"Call logged in HubSpot: {AdapterText.Clip(p.Str("hs_call_title") ?? "(no title)")}";
                PullJson.Add(attributes, "title", p.Str("hs_call_title"));
                PullJson.Add(attributes, "direction", p.Str("hs_call_direction"));
                PullJson.Add(attributes, "durationMs", p.Str("hs_call_duration"));
                PullJson.Add(attributes, "status", p.Str("hs_call_status"));
                break;
            case "meetings":
                channel = Channel.Meeting;
                action = "meeting.booked";
                at = PullJson.Time(p.Str("hs_meeting_start_time")) ?? at;
                summary = $"Meeting: {AdapterText.Clip(p.Str("hs_meeting_title") ?? "(no title)")}";
                PullJson.Add(attributes, "title", p.Str("hs_meeting_title"));
                PullJson.Add(attributes, "outcome", p.Str("hs_meeting_outcome"));
                PullJson.Add(attributes, "location", p.Str("hs_meeting_location"));
                break;
            case "feedback_submissions":
                var typeText = p.Str("hs_survey_type")?.ToUpperInvariant();
                SurveyType? type = typeText switch { "NPS" => SurveyType.Nps, "CSAT" => SurveyType.Csat, "CES" => SurveyType.Ces, _ => null };
                if (type is null || !double.TryParse(p.Str("hs_value"), NumberStyles.Float, CultureInfo.InvariantCulture, out var score)
                    || SentimentRules.FromSurvey(type.Value, score) is not { } surveySentiment)
                {
                    yield return AdapterOutcome.Fail($"survey type '{typeText}' with value '{p.Str("hs_value")}' is not a valid NPS, CSAT or CES answer");
                    yield break;
                }

                channel = Channel.Survey;
                action = "survey.answered";
                var comment = p.Str("hs_content");
                survey = new SurveyAnswer(type.Value, score, string.IsNullOrWhiteSpace(comment) ? null : comment);
                sentiment = surveySentiment;
                summary = $"{typeText} {score.ToString(CultureInfo.InvariantCulture)} in HubSpot feedback{(survey.Comment is null ? "" : $": \"{AdapterText.Clip(survey.Comment)}\"")}";
                PullJson.Add(attributes, "surveyName", p.Str("hs_submission_name"));
                break;
            default:
                yield return AdapterOutcome.Fail($"object type '{objectType}' is not pulled");
                yield break;
        }

        foreach (var contactId in contacts)
        {
            var identities = new List<Identity>();
            AdapterText.AddIdentity(identities, IdentityTypes.HubSpot, contactId);
            var perContact = new Dictionary<string, string>(attributes, StringComparer.Ordinal) { ["contactId"] = contactId };
            yield return AdapterOutcome.Ok(Build($"{objectType}:{id}:{contactId}", at.Value, channel, action, JourneyRules.StageForAction(HubSpotAdapter.SourceName, action), summary, identities, perContact) with
            {
                Survey = survey,
                Sentiment = sentiment,
            });
        }
    }

    /// <summary>v4 batch read: <c>{"results":[{"from":{"id"},"to":[{"toObjectId"}]}]}</c> → object id → contact ids.</summary>
    private static Dictionary<string, List<string>> ReadAssociations(JsonElement associations)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var row in associations.Arr("results"))
        {
            if (row.Obj("from").Str("id") is not { Length: > 0 } from)
            {
                continue;
            }

            var contacts = result.TryGetValue(from, out var list) ? list : result[from] = [];
            foreach (var to in row.Arr("to"))
            {
                if ((to.Str("toObjectId") ?? to.Str("id")) is { Length: > 0 } contactId && !contacts.Contains(contactId))
                {
                    contacts.Add(contactId);
                }
            }
        }

        return result;
    }

    private static List<Identity> ContactIdentities(string id, JsonElement properties)
    {
        var identities = new List<Identity>();
        AdapterText.AddIdentity(identities, IdentityTypes.HubSpot, id);
        AdapterText.AddIdentity(identities, IdentityTypes.Email, properties.Str("email"));
        AdapterText.AddIdentity(identities, IdentityTypes.Phone, properties.Str("phone"));
        AdapterText.AddIdentity(identities, IdentityTypes.Phone, properties.Str("mobilephone"));
        return identities;
    }

    private static Dictionary<string, string> ContactAttributes(string id, JsonElement properties)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["objectId"] = id };
        PullJson.Add(attributes, "firstname", properties.Str("firstname"));
        PullJson.Add(attributes, "lastname", properties.Str("lastname"));
        return attributes;
    }

    private static Touchpoint Build(string sourceEventId, DateTimeOffset occurredAt, Channel channel, string action, JourneyStage? stage, string summary, List<Identity> identities, Dictionary<string, string> attributes) => new()
    {
        TouchpointId = TouchpointIds.For(HubSpotAdapter.SourceName, sourceEventId),
        Source = HubSpotAdapter.SourceName,
        SourceEventId = sourceEventId,
        OccurredAt = occurredAt,
        Channel = channel,
        Kind = JourneyRules.KindFor(channel),
        Stage = stage,
        Action = action,
        Summary = summary,
        Identities = identities,
        Attributes = attributes,
    };
}
