using System.Text.Json;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Pull;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources.Salesforce;

namespace JourneyHub.Core.Sources.Pull;

/// <summary>
/// SOQL query pages (<c>{"records":[{"attributes":{"type"},…}]}</c>) of Contact, Lead, Opportunity, Task and Event.
/// Touchpoints carry source <c>salesforce</c> and one id per fact (<c>&lt;recordId&gt;:created</c>, <c>:converted</c>,
/// <c>:stage:&lt;StageName&gt;</c>, <c>:won</c>, <c>:lost</c>, or the activity id), so a record pulled again after an
/// unrelated edit adds nothing. The REST API does not expose the Outbound Message notification id, so a change seen by
/// both a webhook and a pull is stored twice, once per path (see docs/pull-connectors.md).
/// </summary>
public sealed class SalesforcePullAdapter : ISourceAdapter
{
    public string Source => PullSources.SalesforceAdapter;

    public NormalizationResult Normalize(RawPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        using var document = JsonDocument.Parse(payload.Body, PullJson.DocumentOptions);
        return PullJson.Collect(document.RootElement.Arr("records").ToList(), Map, "Salesforce record");
    }

    private static IEnumerable<AdapterOutcome> Map(JsonElement r)
    {
        var type = r.Obj("attributes").Str("type");
        if (r.Str("Id") is not { Length: > 0 } id || type is null)
        {
            yield return AdapterOutcome.Fail("the record has no Id or attributes.type");
            yield break;
        }

        var created = PullJson.Time(r.Str("CreatedDate"));
        var modified = PullJson.Time(r.Str("SystemModstamp")) ?? PullJson.Time(r.Str("LastModifiedDate")) ?? created;
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["objectType"] = type, ["recordId"] = id };
        var identities = new List<Identity>();
        switch (type)
        {
            case "Contact":
            case "Lead":
                AdapterText.AddIdentity(identities, IdentityTypes.Salesforce, id);
                AdapterText.AddIdentity(identities, IdentityTypes.Email, r.Str("Email"));
                AdapterText.AddIdentity(identities, IdentityTypes.Phone, r.Str("Phone"));
                AdapterText.AddIdentity(identities, IdentityTypes.Phone, r.Str("MobilePhone"));
                PullJson.Add(attributes, "leadSource", r.Str("LeadSource"));
                PullJson.Add(attributes, "status", r.Str("Status"));
                var name = string.Join(' ', new[] { r.Str("FirstName"), r.Str("LastName") }.Where(s => !string.IsNullOrEmpty(s)));
                var noun = type.ToLowerInvariant();
                if ((created ?? modified) is { } createdAt)
                {
                    yield return Ok(id + ":created", createdAt, Channel.Crm, $"{noun}.created", $"{type} {(name.Length > 0 ? name : id)} created in Salesforce", identities, attributes);
                }
                else
                {
                    yield return AdapterOutcome.Fail("the record has no CreatedDate");
                }

                if (type == "Lead" && r.Str("IsConverted") == "true" && (PullJson.Time(r.Str("ConvertedDate")) ?? modified) is { } convertedAt)
                {
                    PullJson.Add(attributes, "convertedContactId", r.Str("ConvertedContactId"));
                    yield return Ok(id + ":converted", convertedAt, Channel.Crm, "lead.converted", $"Lead {(name.Length > 0 ? name : id)} converted in Salesforce", identities, attributes);
                }

                break;
            case "Opportunity":
                if (!AddPerson(identities, r.Str("ContactId")))
                {
                    yield return AdapterOutcome.Fail("the Opportunity has no ContactId; an account is not a person");
                    yield break;
                }

                PullJson.Add(attributes, "accountId", r.Str("AccountId"));
                PullJson.Add(attributes, "stageName", r.Str("StageName"));
                PullJson.Add(attributes, "amount", r.Str("Amount"));
                var stageName = r.Str("StageName") ?? "";
                var (action, suffix) = stageName == "Closed Won" || r.Str("IsWon") == "true" ? ("deal.won", "won")
                    : stageName == "Closed Lost" || r.Str("IsClosed") == "true" ? ("deal.lost", "lost")
                    : ("opportunity.updated", "stage:" + stageName);
                var title = r.Str("Name") ?? id;
                var summary = action switch
                {
                    "deal.won" => $"Opportunity {title} won",
                    "deal.lost" => $"Opportunity {title} lost",
                    _ => $"Opportunity {title} at {(stageName.Length > 0 ? stageName : "an open stage")}",
                };
                if (modified is { } at)
                {
                    yield return Ok($"{id}:{suffix}", at, Channel.Crm, action, summary, identities, attributes);
                }

                break;
            case "Task":
            case "Event":
                if (!AddPerson(identities, r.Str("WhoId")))
                {
                    yield return AdapterOutcome.Fail($"the {type} has no WhoId (Contact or Lead)");
                    yield break;
                }

                var subtype = r.Str(type == "Task" ? "TaskSubtype" : "EventSubtype") ?? type;
                var (channel, activity) = subtype switch
                {
                    "Call" => (Channel.Phone, "call.logged"),
                    "Email" or "ListEmail" => (Channel.Email, "email.sent"),
                    _ when type == "Event" => (Channel.Meeting, "meeting.booked"),
                    _ => (Channel.Crm, "task.logged"),
                };
                PullJson.Add(attributes, "subtype", subtype);
                PullJson.Add(attributes, "subject", r.Str("Subject"));
                var when = PullJson.Time(r.Str("StartDateTime")) ?? PullJson.Time(r.Str("ActivityDate")) ?? created ?? modified;
                if (when is { } occurredAt)
                {
                    yield return Ok(id, occurredAt, channel, activity, $"{subtype} logged in Salesforce: {AdapterText.Clip(r.Str("Subject") ?? "(no subject)")}", identities, attributes);
                }
                else
                {
                    yield return AdapterOutcome.Fail("the activity has no date");
                }

                break;
            default:
                yield return AdapterOutcome.Fail($"sObject type '{type}' is not pulled (Contact, Lead, Opportunity, Task, Event)");
                break;
        }
    }

    private static AdapterOutcome Ok(string sourceEventId, DateTimeOffset occurredAt, Channel channel, string action, string summary, List<Identity> identities, Dictionary<string, string> attributes) =>
        AdapterOutcome.Ok(new Touchpoint
        {
            TouchpointId = TouchpointIds.For(SalesforceAdapter.SourceName, sourceEventId),
            Source = SalesforceAdapter.SourceName,
            SourceEventId = sourceEventId,
            OccurredAt = occurredAt,
            Channel = channel,
            Kind = JourneyRules.KindFor(channel),
            Stage = JourneyRules.StageForAction(SalesforceAdapter.SourceName, action),
            Action = action,
            Summary = summary,
            Identities = [.. identities],
            Attributes = new Dictionary<string, string>(attributes, StringComparer.Ordinal),
        });

    /// <summary>Contact (003…) and Lead (00Q…) ids are people; an account or a user is not.</summary>
    private static bool AddPerson(List<Identity> identities, string? id)
    {
        if (id is { Length: 15 or 18 } && (id.StartsWith("003", StringComparison.Ordinal) || id.StartsWith("00Q", StringComparison.Ordinal)))
        {
            AdapterText.AddIdentity(identities, IdentityTypes.Salesforce, id);
            return true;
        }

        return false;
    }
}
