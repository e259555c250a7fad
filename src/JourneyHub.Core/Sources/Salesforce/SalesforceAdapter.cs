using System.Globalization;
using System.Xml;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Sources.Salesforce;

/// <summary>
/// Salesforce Outbound Messages (SOAP 1.1, up to 100 notifications of one sObject type). Each notification becomes
/// one touchpoint with <c>sourceEventId</c> = the notification <c>Id</c>, which Salesforce keeps across retries.
/// <list type="bullet">
/// <item>Contact, Lead → the record's own id (<c>salesforce</c>), Email, Phone/MobilePhone.</item>
/// <item>Opportunity → <c>deal.won</c> / <c>deal.lost</c> / <c>opportunity.updated</c> from StageName (or IsWon/IsClosed);
///   the person is the opportunity's <c>ContactId</c>. An account is not a person: an opportunity without ContactId is
///   rejected with that reason (AccountId is kept as an attribute when there is a contact).</item>
/// <item>Task, Event → call / e-mail / meeting by TaskSubtype/EventSubtype; the person is <c>WhoId</c> (Contact or Lead).</item>
/// <item>Case → support, retention; the person is ContactId and/or SuppliedEmail.</item>
/// </list>
/// </summary>
public sealed class SalesforceAdapter : ISourceAdapter
{
    public const string SourceName = "salesforce";

    public string Source => SourceName;

    public NormalizationResult Normalize(RawPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (payload.Properties.TryGetValue(SalesforceWebhookVerifier.MalformedProperty, out var malformed) && malformed == "true")
        {
            var why = payload.Properties.TryGetValue("malformedReason", out var reason) ? reason : "not well-formed XML";
            return NormalizationResult.Failed($"Salesforce payload is not a readable Outbound Message: {why}");
        }

        SalesforceOutboundMessage message;
        try
        {
            message = SalesforceOutboundMessage.Parse(payload.Body);
        }
        catch (XmlException ex)
        {
            return NormalizationResult.Failed($"Salesforce payload is not a readable Outbound Message: {ex.Message}");
        }

        var touchpoints = new List<Touchpoint>(message.Notifications.Count);
        var rejected = new List<RejectedEntry>();
        for (var i = 0; i < message.Notifications.Count; i++)
        {
            var notification = message.Notifications[i];
            var outcome = Map(notification, message, payload.ReceivedAt);
            if (outcome.Touchpoint is { } touchpoint)
            {
                touchpoints.Add(touchpoint);
            }
            else
            {
                rejected.Add(new RejectedEntry(i, $"Salesforce notification {i} ({notification.ObjectType ?? "?"} {notification.Id ?? "?"}): {outcome.Error}"));
            }
        }

        if (message.Notifications.Count == 0)
        {
            rejected.Add(new RejectedEntry(null, "Salesforce Outbound Message holds no Notification."));
        }

        return new NormalizationResult(touchpoints, rejected);
    }

    private static AdapterOutcome Map(SalesforceNotification n, SalesforceOutboundMessage message, DateTimeOffset receivedAt)
    {
        if (string.IsNullOrEmpty(n.Id))
        {
            return AdapterOutcome.Fail("the notification has no Id");
        }

        var recordId = n.Field("Id");
        if (string.IsNullOrEmpty(n.ObjectType) || string.IsNullOrEmpty(recordId))
        {
            return AdapterOutcome.Fail("the sObject has no xsi:type or no Id");
        }

        var identities = new List<Identity>();
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["objectType"] = n.ObjectType,
            ["recordId"] = recordId,
        };
        AddAttribute(attributes, "organizationId", message.OrganizationId);
        AddAttribute(attributes, "actionId", message.ActionId);

        string action;
        string summary;
        var channel = Channel.Crm;
        switch (n.ObjectType)
        {
            case "Contact":
            case "Lead":
                AdapterText.AddIdentity(identities, IdentityTypes.Salesforce, recordId);
                AdapterText.AddIdentity(identities, IdentityTypes.Email, n.Field("Email"));
                AdapterText.AddIdentity(identities, IdentityTypes.Phone, n.Field("Phone"));
                AdapterText.AddIdentity(identities, IdentityTypes.Phone, n.Field("MobilePhone"));
                AddAttribute(attributes, "leadSource", n.Field("LeadSource"));
                AddAttribute(attributes, "status", n.Field("Status"));
                var kind = n.ObjectType.ToLowerInvariant();

                // A record merged away in Salesforce names its survivor in MasterRecordId (when the Outbound Message
                // selects it): both ids on one touchpoint make the identity resolver merge the two customers.
                var mergedInto = n.Field("MasterRecordId") is { } master && master != recordId && AddPerson(identities, master);
                action = mergedInto ? $"{kind}.merged"
                    : n.ObjectType == "Lead" && n.Field("IsConverted") == "true" ? "lead.converted"
                    : IsCreation(n) ? $"{kind}.created" : $"{kind}.updated";
                summary = $"{n.ObjectType} {Name(n) ?? recordId} {action[(action.IndexOf('.', StringComparison.Ordinal) + 1)..]} in Salesforce";
                break;
            case "Opportunity":
                if (!AddPerson(identities, n.Field("ContactId")))
                {
                    return AdapterOutcome.Fail("the Opportunity has no ContactId (add it to the Outbound Message fields); an account is not a person");
                }

                AddAttribute(attributes, "accountId", n.Field("AccountId"));
                AddAttribute(attributes, "stageName", n.Field("StageName"));
                AddAttribute(attributes, "amount", n.Field("Amount"));
                action = OpportunityAction(n);
                summary = action switch
                {
                    "deal.won" => $"Opportunity {n.Field("Name") ?? recordId} won",
                    "deal.lost" => $"Opportunity {n.Field("Name") ?? recordId} lost",
                    _ => $"Opportunity {n.Field("Name") ?? recordId} at {n.Field("StageName") ?? "an open stage"}",
                };
                break;
            case "Task":
            case "Event":
                if (!AddPerson(identities, n.Field("WhoId")))
                {
                    return AdapterOutcome.Fail($"the {n.ObjectType} has no WhoId (Contact or Lead)");
                }

                var subtype = n.Field(n.ObjectType == "Task" ? "TaskSubtype" : "EventSubtype") ?? n.ObjectType;
                (channel, action) = subtype switch
                {
                    "Call" => (Channel.Phone, "call.logged"),
                    "Email" or "ListEmail" => (Channel.Email, "email.sent"),
                    "Event" or "Meeting" => (Channel.Meeting, "meeting.booked"),
                    _ when n.ObjectType == "Event" => (Channel.Meeting, "meeting.booked"),
                    _ => (Channel.Crm, "task.logged"),
                };
                AddAttribute(attributes, "subtype", subtype);
                AddAttribute(attributes, "subject", n.Field("Subject"));
                summary = $"{subtype} logged in Salesforce: {AdapterText.Clip(n.Field("Subject") ?? "(no subject)")}";
                break;
            case "Case":
                var hasContact = AddPerson(identities, n.Field("ContactId"));
                AdapterText.AddIdentity(identities, IdentityTypes.Email, n.Field("SuppliedEmail"));
                AdapterText.AddIdentity(identities, IdentityTypes.Phone, n.Field("SuppliedPhone"));
                if (!hasContact && identities.Count == 0)
                {
                    return AdapterOutcome.Fail("the Case has neither ContactId nor SuppliedEmail/SuppliedPhone");
                }

                channel = n.Field("Origin") switch
                {
                    "Phone" => Channel.Phone,
                    "Email" => Channel.Email,
                    "Web" => Channel.Web,
                    "Chat" => Channel.Chat,
                    _ => Channel.Crm,
                };
                action = "case.opened";
                AddAttribute(attributes, "caseNumber", n.Field("CaseNumber"));
                AddAttribute(attributes, "status", n.Field("Status"));
                AddAttribute(attributes, "subject", n.Field("Subject"));
                summary = $"Support case {n.Field("CaseNumber") ?? recordId}: {AdapterText.Clip(n.Field("Subject") ?? "(no subject)")}";
                break;
            default:
                return AdapterOutcome.Fail($"unsupported sObject type '{n.ObjectType}' (Contact, Lead, Opportunity, Task, Event, Case)");
        }

        return AdapterOutcome.Ok(new Touchpoint
        {
            TouchpointId = TouchpointIds.For(SourceName, n.Id),
            Source = SourceName,
            SourceEventId = n.Id,
            OccurredAt = Timestamp(n.Field("LastModifiedDate")) ?? Timestamp(n.Field("CreatedDate")) ?? receivedAt,
            Channel = channel,
            Kind = JourneyRules.KindFor(channel),
            Stage = JourneyRules.StageForAction(SourceName, action),
            Action = action,
            Summary = summary,
            Identities = identities,
            Attributes = attributes,
        });
    }

    /// <summary>Outbound Messages fire on create and on update alike; only equal Created/LastModified dates prove a creation.</summary>
    private static bool IsCreation(SalesforceNotification n) =>
        n.Field("CreatedDate") is { } created && (n.Field("LastModifiedDate") is not { } modified || Timestamp(created) == Timestamp(modified));

    private static string OpportunityAction(SalesforceNotification n) => n.Field("StageName") switch
    {
        "Closed Won" => "deal.won",
        "Closed Lost" => "deal.lost",
        _ when n.Field("IsWon") == "true" => "deal.won",
        _ when n.Field("IsClosed") == "true" => "deal.lost",
        _ => "opportunity.updated",
    };

    /// <summary>Contact (003…) and Lead (00Q…) ids are people; anything else (an account, a user) is not.</summary>
    private static bool AddPerson(List<Identity> identities, string? id)
    {
        if (id is { Length: 15 or 18 } && (id.StartsWith("003", StringComparison.Ordinal) || id.StartsWith("00Q", StringComparison.Ordinal)))
        {
            AdapterText.AddIdentity(identities, IdentityTypes.Salesforce, id);
            return true;
        }

        return false;
    }

    private static string? Name(SalesforceNotification n) =>
        string.Join(' ', new[] { n.Field("FirstName"), n.Field("LastName") }.Where(s => !string.IsNullOrEmpty(s))) is { Length: > 0 } name ? name : n.Field("Name");

    private static DateTimeOffset? Timestamp(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) ? at : null;

    private static void AddAttribute(Dictionary<string, string> attributes, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            attributes[key] = value;
        }
    }
}
