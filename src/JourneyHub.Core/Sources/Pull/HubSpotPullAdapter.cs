using System.Globalization;
using System.Text.Json;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Pull;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sentiment;
using JourneyHub.Core.Sources.HubSpot;
using JourneyHub.Core.Sources.Kit;

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

    private static readonly TouchpointFactory Touchpoints = new(SourceId.HubSpot);

    public SourceId Source => SourceId.HubSpotPull;

    public NormalizationResult Normalize(RawPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var objectType = payload.Properties.GetValueOrDefault(ObjectTypeProperty) ?? "contacts";
        using var document = JsonDocument.Parse(payload.Body, PullJson.DocumentOptions);
        var root = document.RootElement;
        if (objectType == "contacts")
        {
            return EntryCollector.CollectMany(root.Arr("results").ToList(), c => [MapContactCreated(c), .. MapLifecycle(c)], static (i, c) => $"HubSpot contact {i} ({PullJson.ItemId(c)})");
        }

        var search = root.TryGetProperty("search", out var s) ? s : root;
        var associations = ReadAssociations(root.Obj("associations"));
        return EntryCollector.CollectMany(search.Arr("results").ToList(), e => MapEngagement(objectType, e, associations), (i, e) => $"HubSpot {objectType} {i} ({PullJson.ItemId(e)})");
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

        return AdapterOutcome.Ok(Touchpoints.Create($"contact:{id}:created", createdAt.Value, Channel.Crm, "contact.created", "Contact created in HubSpot", ContactIdentities(id, properties), ContactAttributes(id, properties)));
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

        var attributes = ContactAttributes(id, properties).Set("lifecyclestage", stage);
        yield return AdapterOutcome.Ok(Touchpoints.Create(
            $"contact:{id}:lifecycle:{stage}",
            at.Value,
            Channel.Crm,
            "lifecycle.changed",
            $"Lifecycle stage changed to {stage}",
            ContactIdentities(id, properties),
            attributes,
            stage: JourneyRules.StageFor(SourceId.HubSpot.Name, "lifecycle:" + stage)));
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

        var attributes = new AttributeDictionary().Set("objectType", objectType).Set("objectId", id);
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
                attributes.AddIfPresent("subject", p.Str("hs_email_subject"));
                attributes.AddIfPresent("direction", p.Str("hs_email_direction"));
                attributes.AddIfPresent("status", p.Str("hs_email_status"));
                break;
            case "calls":
                channel = Channel.Phone;
                action = "call.logged";
                summary = $"Call logged in HubSpot: {AdapterText.Clip(p.Str("hs_call_title") ?? "(no title)")}";
                attributes.AddIfPresent("title", p.Str("hs_call_title"));
                attributes.AddIfPresent("direction", p.Str("hs_call_direction"));
                attributes.AddIfPresent("durationMs", p.Str("hs_call_duration"));
                attributes.AddIfPresent("status", p.Str("hs_call_status"));
                break;
            case "meetings":
                channel = Channel.Meeting;
                action = "meeting.booked";
                at = PullJson.Time(p.Str("hs_meeting_start_time")) ?? at;
                summary = $"Meeting: {AdapterText.Clip(p.Str("hs_meeting_title") ?? "(no title)")}";
                attributes.AddIfPresent("title", p.Str("hs_meeting_title"));
                attributes.AddIfPresent("outcome", p.Str("hs_meeting_outcome"));
                attributes.AddIfPresent("location", p.Str("hs_meeting_location"));
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
                attributes.AddIfPresent("surveyName", p.Str("hs_submission_name"));
                break;
            default:
                yield return AdapterOutcome.Fail($"object type '{objectType}' is not pulled");
                yield break;
        }

        foreach (var contactId in contacts)
        {
            var identities = new List<Identity>(1);
            identities.AddIfPresent(IdentityTypes.HubSpot, contactId);
            var perContact = attributes.Copy().Set("contactId", contactId);
            yield return AdapterOutcome.Ok(Touchpoints.Create($"{objectType}:{id}:{contactId}", at.Value, channel, action, summary, identities, perContact, sentiment: sentiment, survey: survey));
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
        var identities = new List<Identity>(3);
        identities.AddIfPresent(IdentityTypes.HubSpot, id);
        identities.AddIfPresent(IdentityTypes.Email, properties.Str("email"));
        identities.AddIfPresent(IdentityTypes.Phone, properties.Str("phone"));
        identities.AddIfPresent(IdentityTypes.Phone, properties.Str("mobilephone"));
        return identities;
    }

    private static AttributeDictionary ContactAttributes(string id, JsonElement properties) => new AttributeDictionary()
        .Set("objectId", id)
        .AddIfPresent("firstname", properties.Str("firstname"))
        .AddIfPresent("lastname", properties.Str("lastname"));
}
