using System.Globalization;
using System.Text.Json;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Schema;
using JourneyHub.Core.SentimentScoring;
using JourneyHub.Core.Sources.Kit;
using JourneyHub.Core.Sources.Pull;

namespace JourneyHub.Core.Sources.HubSpot;

/// <summary>
/// HubSpot CRM objects that generic webhook subscriptions (<c>object.creation</c>, <c>object.propertyChange</c>) announce by
/// type and id only (https://developers.hubspot.com/docs/guides/webhooks/create-generic-webhook-subscriptions): calls
/// (<c>0-48</c>), meetings (<c>0-47</c>), e-mails (<c>0-49</c>), notes (<c>0-46</c>), tickets (<c>0-5</c>) and feedback
/// submissions (<c>0-19</c>). The adapter turns such an event into a <see cref="Pending"/> touchpoint without a person; the
/// HubSpot enricher reads the object with its contact associations (<c>GET /crm/v3/objects/{type}/{id}?associations=contacts</c>)
/// and <see cref="Resolve"/> makes the real touchpoints: one per associated contact, with the call outcome, the meeting
/// outcome or the survey answer. The pull connector reads the same objects and maps them with <see cref="FromObject"/>, so
/// a call seen by both (<c>calls:&lt;id&gt;:&lt;contactId&gt;</c>) is stored once.
/// </summary>
public static class HubSpotObjects
{
    /// <summary>Attribute that marks a touchpoint whose object has not been read yet; it holds the object type path.</summary>
    public const string PendingAttribute = "pendingObjectType";

    public static IReadOnlyDictionary<string, ObjectKind> Kinds { get; } = new Dictionary<string, ObjectKind>(StringComparer.Ordinal)
    {
        ["0-48"] = new("0-48", "calls", "call", Channel.Phone, ["hs_timestamp", "hs_createdate", "hs_call_title", "hs_call_direction", "hs_call_duration", "hs_call_status", "hs_call_disposition"]),
        ["0-47"] = new("0-47", "meetings", "meeting", Channel.Meeting, ["hs_timestamp", "hs_createdate", "hs_meeting_title", "hs_meeting_start_time", "hs_meeting_outcome", "hs_meeting_location"]),
        ["0-49"] = new("0-49", "emails", "email", Channel.Email, ["hs_timestamp", "hs_createdate", "hs_email_subject", "hs_email_direction", "hs_email_status"]),
        ["0-46"] = new("0-46", "notes", "note", Channel.Crm, ["hs_timestamp", "hs_createdate"]),
        ["0-5"] = new("0-5", "tickets", "ticket", Channel.Crm, ["createdate", "hs_createdate", "subject", "hs_pipeline_stage", "hs_ticket_priority", "source_type"]),
        ["0-19"] = new("0-19", "feedback_submissions", "survey", Channel.Survey, ["hs_timestamp", "hs_createdate", "hs_survey_type", "hs_value", "hs_content", "hs_submission_name"]),
    };

    /// <summary>HubSpot's default call outcomes (<c>hs_call_disposition</c>); portals may add their own, which stay as GUIDs.</summary>
    public static IReadOnlyDictionary<string, string> CallOutcomes { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["9d9162e7-6cf3-4944-bf63-4dff82258764"] = "busy",
        ["f240bbac-87c9-4f6e-bf70-924b57d47db7"] = "connected",
        ["a4c4c377-d246-4b32-a13b-75a56a4cd0ff"] = "left live message",
        ["b2cf5968-551e-4856-9783-52b3da59a7d0"] = "left voicemail",
        ["73a0d17f-1163-4015-bdd5-ec830791da20"] = "no answer",
        ["17b47fee-58de-441e-a44c-c6300d46f273"] = "wrong number",
    };

    private static readonly TouchpointFactory Touchpoints = new(SourceId.HubSpot);

    public static ObjectKind? ByPath(string? path) => Kinds.Values.FirstOrDefault(k => k.Path == path);

    /// <summary>Generic contact and deal events mean what the legacy <c>contact.*</c> and <c>deal.*</c> events mean.</summary>
    public static string? LegacySubscriptionType(HubSpotEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var noun = e.ObjectTypeId switch { "0-1" => "contact", "0-3" => "deal", _ => null };
        return noun is not null && e.SubscriptionType is { } type && type.StartsWith("object.", StringComparison.Ordinal)
            ? noun + type["object".Length..]
            : null;
    }

    /// <summary>
    /// The touchpoint an <c>object.creation</c> or <c>object.propertyChange</c> event makes before its object is read: the
    /// facts the event holds, no person. Left unresolved (no access token, object gone) it ends as a dead letter that a
    /// replay can resolve later.
    /// </summary>
    public static AdapterOutcome Pending(HubSpotEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.ObjectTypeId is not { } typeId || !Kinds.TryGetValue(typeId, out var kind))
        {
            return AdapterOutcome.Fail($"objectTypeId '{e.ObjectTypeId}' is not read ({string.Join(", ", Kinds.Values.Select(k => $"{k.TypeId} {k.Path}"))}, 0-1 contacts, 0-3 deals)");
        }

        if (e.SubscriptionType is not ("object.creation" or "object.propertyChange"))
        {
            return AdapterOutcome.Fail($"subscriptionType '{e.SubscriptionType}' of {kind.Path} is not read: only object.creation and object.propertyChange name an interaction");
        }

        if (e.ObjectId is not { } objectId || e.EventId is not { } eventId || e.OccurredAt is not { } occurredAt)
        {
            return AdapterOutcome.Fail("eventId, objectId and occurredAt are required");
        }

        var created = e.SubscriptionType == "object.creation";
        var attributes = new AttributeDictionary()
            .Set(PendingAttribute, kind.Path)
            .Set("subscriptionType", e.SubscriptionType)
            .Set("objectTypeId", kind.TypeId)
            .Set("objectId", Text(objectId))
            .Set("eventId", Text(eventId))
            .AddIfPresent("portalId", e.PortalId is { } portal ? Text(portal) : null)
            .AddIfPresent("changeSource", e.ChangeSource)
            .AddIfPresent("propertyName", created ? null : e.PropertyName)
            .AddIfPresent("propertyValue", created ? null : e.PropertyValue);
        return AdapterOutcome.Ok(Touchpoints.Create(
            $"{Text(eventId)}-{Text(objectId)}",
            DateTimeOffset.FromUnixTimeMilliseconds(occurredAt),
            kind.Channel,
            created ? $"{kind.Noun}.created" : $"{kind.Noun}.updated",
            created ? $"HubSpot {kind.Noun} {Text(objectId)} created" : $"HubSpot {kind.Noun} {Text(objectId)}: {e.PropertyName} changed",
            [],
            attributes));
    }

    public static bool IsPending(Touchpoint touchpoint)
    {
        ArgumentNullException.ThrowIfNull(touchpoint);
        return touchpoint.Source == SourceId.HubSpot.Name && touchpoint.Attributes.ContainsKey(PendingAttribute) && touchpoint.Identities.Count == 0;
    }

    /// <summary>
    /// The touchpoints of a pending event once its object is read (the v3 object with <c>associations.contacts</c>). A
    /// creation is the same fact the pull connector records; a property change is its own fact per event.
    /// </summary>
    public static IReadOnlyList<AdapterOutcome> Resolve(Touchpoint pending, JsonElement crmObject)
    {
        ArgumentNullException.ThrowIfNull(pending);
        if (ByPath(pending.Attributes.GetValueOrDefault(PendingAttribute)) is not { } kind)
        {
            return [AdapterOutcome.Fail("not a pending HubSpot object")];
        }

        var contacts = Contacts(crmObject, null);
        if (pending.Attributes.GetValueOrDefault("subscriptionType") == "object.creation")
        {
            return [.. FromObject(kind.Path, crmObject, contacts)];
        }

        return [.. FromPropertyChange(kind, pending, crmObject, contacts)];
    }

    /// <summary>
    /// A CRM object (search result or single read) → one touchpoint per associated contact, keyed
    /// <c>&lt;type&gt;:&lt;id&gt;:&lt;contactId&gt;</c>: the object itself is the fact, whoever reports it.
    /// </summary>
    public static IEnumerable<AdapterOutcome> FromObject(string path, JsonElement crmObject, IReadOnlyList<string> contacts)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        if (crmObject.Str("id") is not { Length: > 0 } id)
        {
            yield return AdapterOutcome.Fail("the object has no id");
            yield break;
        }

        if (contacts.Count == 0)
        {
            yield return AdapterOutcome.Fail("no associated contact: the person cannot be identified");
            yield break;
        }

        var p = crmObject.Obj("properties");
        var at = PullJson.Time(p.Str("hs_timestamp")) ?? PullJson.Time(p.Str("hs_createdate")) ?? PullJson.Time(p.Str("createdate")) ?? PullJson.Time(crmObject.Str("createdAt"));
        if (at is null)
        {
            yield return AdapterOutcome.Fail("no hs_timestamp or creation date");
            yield break;
        }

        var attributes = new AttributeDictionary().Set("objectType", path).Set("objectId", id);
        Channel channel;
        string action;
        string summary;
        SurveyAnswer? survey = null;
        Sentiment? sentiment = null;
        switch (path)
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
                var outcome = CallOutcome(p.Str("hs_call_disposition"));
                summary = $"Call logged in HubSpot: {AdapterText.Clip(p.Str("hs_call_title") ?? "(no title)")}{(outcome is null ? "" : $" ({outcome})")}";
                attributes.AddIfPresent("title", p.Str("hs_call_title"));
                attributes.AddIfPresent("direction", p.Str("hs_call_direction"));
                attributes.AddIfPresent("durationMs", p.Str("hs_call_duration"));
                attributes.AddIfPresent("status", p.Str("hs_call_status"));
                attributes.AddIfPresent("outcome", outcome);
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
            case "notes":
                // A note is the team's own writing about the customer: the fact is kept, the words stay in HubSpot.
                channel = Channel.Crm;
                action = "note.added";
                summary = "Note added in HubSpot";
                break;
            case "tickets":
                channel = TicketChannel(p.Str("source_type"));
                action = "ticket.created";
                summary = $"Support ticket opened in HubSpot: {AdapterText.Clip(p.Str("subject") ?? "(no subject)")}";
                attributes.AddIfPresent("subject", p.Str("subject"));
                attributes.AddIfPresent("pipelineStage", p.Str("hs_pipeline_stage"));
                attributes.AddIfPresent("priority", p.Str("hs_ticket_priority"));
                attributes.AddIfPresent("sourceType", p.Str("source_type"));
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
                yield return AdapterOutcome.Fail($"object type '{path}' is not read");
                yield break;
        }

        foreach (var contactId in contacts)
        {
            var identities = new List<Identity>(1);
            identities.AddIfPresent(IdentityTypes.HubSpot, contactId);
            var perContact = attributes.Copy().Set("contactId", contactId);
            yield return AdapterOutcome.Ok(Touchpoints.Create($"{path}:{id}:{contactId}", at.Value, channel, action, summary, identities, perContact, sentiment: sentiment, survey: survey));
        }
    }

    /// <summary>The contacts associated with an object: the single read's <c>associations.contacts.results</c> plus any given.</summary>
    public static List<string> Contacts(JsonElement crmObject, IEnumerable<string>? more)
    {
        List<string> contacts = more is null ? [] : [.. more];
        foreach (var embedded in crmObject.Obj("associations").Obj("contacts").Arr("results"))
        {
            if (embedded.Str("id") is { Length: > 0 } contactId && !contacts.Contains(contactId))
            {
                contacts.Add(contactId);
            }
        }

        return contacts;
    }

    /// <summary>A default call outcome's name, a portal's own outcome as its GUID, or null.</summary>
    public static string? CallOutcome(string? disposition) =>
        string.IsNullOrWhiteSpace(disposition) ? null : CallOutcomes.GetValueOrDefault(disposition.Trim()) ?? disposition.Trim();

    private static IEnumerable<AdapterOutcome> FromPropertyChange(ObjectKind kind, Touchpoint pending, JsonElement crmObject, List<string> contacts)
    {
        var id = crmObject.Str("id") ?? pending.Attributes.GetValueOrDefault("objectId");
        if (contacts.Count == 0)
        {
            yield return AdapterOutcome.Fail("no associated contact: the person cannot be identified");
            yield break;
        }

        var property = pending.Attributes.GetValueOrDefault("propertyName") ?? "";
        var value = pending.Attributes.GetValueOrDefault("propertyValue") ?? crmObject.Obj("properties").Str(property);
        var p = crmObject.Obj("properties");
        var attributes = new AttributeDictionary()
            .Set("objectType", kind.Path)
            .AddIfPresent("objectId", id)
            .AddIfPresent("eventId", pending.Attributes.GetValueOrDefault("eventId"))
            .AddIfPresent("propertyName", property)
            .AddIfPresent("propertyValue", value);
        string action;
        string summary;
        var title = p.Str("hs_meeting_title") ?? p.Str("hs_call_title") ?? p.Str("subject");
        var about = title is null ? "" : $": {AdapterText.Clip(title)}";
        switch ((kind.Path, property))
        {
            case ("meetings", "hs_meeting_outcome"):
                var meetingOutcome = value?.ToUpperInvariant();
                action = meetingOutcome switch
                {
                    "COMPLETED" => "meeting.completed",
                    "NO_SHOW" => "meeting.no_show",
                    "CANCELED" or "CANCELLED" => "meeting.canceled",
                    "RESCHEDULED" => "meeting.rescheduled",
                    "SCHEDULED" => "meeting.booked",
                    _ => "meeting.updated",
                };
                attributes.AddIfPresent("outcome", value);
                summary = $"Meeting {(meetingOutcome ?? "updated").ToLowerInvariant().Replace('_', ' ')}{about}";
                break;
            case ("calls", "hs_call_disposition"):
                var callOutcome = CallOutcome(value);
                action = callOutcome == "connected" ? "call.connected" : "call.not_connected";
                attributes.AddIfPresent("outcome", callOutcome);
                summary = $"Call outcome: {callOutcome ?? "unknown"}{about}";
                break;
            case ("tickets", "hs_pipeline_stage"):
                action = "ticket.status_changed";
                summary = $"Support ticket moved to stage {value}{about}";
                break;
            default:
                action = $"{kind.Noun}.updated";
                summary = $"HubSpot {kind.Noun} {property} changed{about}";
                break;
        }

        foreach (var contactId in contacts)
        {
            var identities = new List<Identity>(1);
            identities.AddIfPresent(IdentityTypes.HubSpot, contactId);
            yield return AdapterOutcome.Ok(Touchpoints.Create(
                $"{kind.Path}:{id}:{contactId}:{pending.Attributes.GetValueOrDefault("eventId") ?? pending.SourceEventId}",
                pending.OccurredAt,
                kind.Channel,
                action,
                summary,
                identities,
                attributes.Copy().Set("contactId", contactId)));
        }
    }

    /// <summary>Where a HubSpot ticket came in (<c>source_type</c>).</summary>
    private static Channel TicketChannel(string? sourceType) => sourceType?.ToUpperInvariant() switch
    {
        "EMAIL" => Channel.Email,
        "CHAT" => Channel.Chat,
        "PHONE" => Channel.Phone,
        "FORM" => Channel.Web,
        _ => Channel.Crm,
    };

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>One object type of the generic subscriptions: its id, its API path, the noun of its actions, its channel, what to read.</summary>
    public sealed record ObjectKind(string TypeId, string Path, string Noun, Channel Channel, IReadOnlyList<string> Properties);
}
