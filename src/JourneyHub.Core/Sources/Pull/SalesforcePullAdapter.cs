using System.Text.Json;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Pull;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources.Kit;
using JourneyHub.Core.Sources.Salesforce;

namespace JourneyHub.Core.Sources.Pull;

/// <summary>
/// SOQL query pages (<c>{"records":[{"attributes":{"type"},…}]}</c>) of Contact, Lead, Opportunity, OpportunityContactRole,
/// Task and Event.
/// Touchpoints carry source <c>salesforce</c> and one id per fact (<c>&lt;recordId&gt;:created</c>, <c>:converted</c>,
/// <c>:stage:&lt;StageName&gt;</c>, <c>:won</c>, <c>:lost</c>, <c>:role</c>, <c>:role-removed</c> for a contact role deleted
/// (read by <c>queryAll</c>, <c>IsDeleted</c> true: it ends the association), or the activity id), so a record pulled again after an
/// unrelated edit adds nothing. The REST API does not expose the Outbound Message notification id, so a change seen by
/// both a webhook and a pull is stored twice, once per path (see docs/pull-connectors.md).
/// </summary>
public sealed class SalesforcePullAdapter : ISourceAdapter
{
    /// <summary>Page property: the Contact/Lead field the persona rules read (selected by the connector), copied into attributes.</summary>
    public const string PersonaFieldProperty = "personaField";

    private static readonly TouchpointFactory Touchpoints = new(SourceId.Salesforce);

    public SourceId Source => SourceId.SalesforcePull;

    public NormalizationResult Normalize(RawPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        using var document = JsonDocument.Parse(payload.Body, PullJson.DocumentOptions);
        var personaField = payload.Properties.GetValueOrDefault(PersonaFieldProperty);
        return EntryCollector.CollectMany(document.RootElement.Arr("records").ToList(), r => Map(r, personaField), static (i, r) => $"Salesforce record {i} ({PullJson.ItemId(r)})");
    }

    private static IEnumerable<AdapterOutcome> Map(JsonElement r, string? personaField)
    {
        var type = r.Obj("attributes").Str("type");
        if (r.Str("Id") is not { Length: > 0 } id || type is null)
        {
            yield return AdapterOutcome.Fail("the record has no Id or attributes.type");
            yield break;
        }

        var created = PullJson.Time(r.Str("CreatedDate"));
        var modified = PullJson.Time(r.Str("SystemModstamp")) ?? PullJson.Time(r.Str("LastModifiedDate")) ?? created;
        var attributes = new AttributeDictionary().Set("objectType", type).Set("recordId", id);
        var identities = new List<Identity>(3);
        switch (type)
        {
            case SalesforceObjectTypes.Contact:
            case SalesforceObjectTypes.Lead:
                SalesforcePeople.AddRecord(identities, id, r.Str("Email"), r.Str("Phone"), r.Str("MobilePhone"));
                attributes.AddIfPresent("leadSource", r.Str("LeadSource"));
                attributes.AddIfPresent("status", r.Str("Status"));

                // Under its API name, as an Outbound Message keeps custom fields, so one persona rule serves both paths.
                if (personaField is not null)
                {
                    attributes.AddIfPresent(personaField, r.Str(personaField));
                }

                var name = SalesforcePeople.DisplayName(r.Str("FirstName"), r.Str("LastName"), name: null) ?? id;
                var noun = type.ToLowerInvariant();
                if ((created ?? modified) is { } createdAt)
                {
                    yield return Ok(id + ":created", createdAt, Channel.Crm, $"{noun}.created", $"{type} {name} created in Salesforce", identities, attributes);
                }
                else
                {
                    yield return AdapterOutcome.Fail("the record has no CreatedDate", identities);
                }

                if (type == SalesforceObjectTypes.Lead && r.Str("IsConverted") == "true" && (PullJson.Time(r.Str("ConvertedDate")) ?? modified) is { } convertedAt)
                {
                    attributes.AddIfPresent("convertedContactId", r.Str("ConvertedContactId"));
                    yield return Ok(id + ":converted", convertedAt, Channel.Crm, "lead.converted", $"Lead {name} converted in Salesforce", identities, attributes);
                }

                break;
            case SalesforceObjectTypes.Opportunity:
                SalesforcePeople.AddOpportunity(identities, id, r.Str("ContactId"));
                attributes.AddIfPresent("accountId", r.Str("AccountId"));
                attributes.AddIfPresent("stageName", r.Str("StageName"));
                attributes.AddIfPresent("amount", r.Str("Amount"));
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
                else
                {
                    yield return AdapterOutcome.Fail("the Opportunity has no SystemModstamp, LastModifiedDate or CreatedDate", identities);
                }

                break;
            case SalesforceObjectTypes.Task:
            case SalesforceObjectTypes.Event:
                if (!SalesforcePeople.AddPerson(identities, r.Str("WhoId")))
                {
                    yield return AdapterOutcome.Fail($"the {type} has no WhoId (Contact or Lead)");
                    yield break;
                }

                var subtype = r.Str(SalesforceActivities.SubtypeField(type)) ?? type;
                var (channel, activity) = SalesforceActivities.Classify(type, subtype);
                attributes.AddIfPresent("subtype", subtype);
                attributes.AddIfPresent("subject", r.Str("Subject"));
                var when = PullJson.Time(r.Str("StartDateTime")) ?? PullJson.Time(r.Str("ActivityDate")) ?? created ?? modified;
                if (when is { } occurredAt)
                {
                    yield return Ok(id, occurredAt, channel, activity, $"{subtype} logged in Salesforce: {AdapterText.Clip(r.Str("Subject") ?? "(no subject)")}", identities, attributes);
                }
                else
                {
                    yield return AdapterOutcome.Fail("the activity has no date", identities);
                }

                break;
            case SalesforceObjectTypes.OpportunityContactRole:
                if (!SalesforcePeople.AddContactRole(identities, r.Str("OpportunityId"), r.Str("ContactId")))
                {
                    yield return AdapterOutcome.Fail("the OpportunityContactRole has no OpportunityId or no Contact's ContactId");
                    yield break;
                }

                var roleSummary = SalesforcePeople.DescribeContactRole(attributes, r.Str("OpportunityId"), r.Str("Role"), r.Str("IsPrimary"));
                if (r.Str("IsDeleted") == "true")
                {
                    // From the queryAll of deleted roles: the deletion is the record's last modification.
                    attributes.Set(ObjectAttribution.AssociationRemovedAttribute, "true");
                    if (modified is { } removedAt)
                    {
                        yield return Ok(id + ":role-removed", removedAt, Channel.Crm, "association.removed", roleSummary + " removed", identities, attributes);
                    }
                    else
                    {
                        yield return AdapterOutcome.Fail("the deleted record has no SystemModstamp", identities);
                    }
                }
                else if ((created ?? modified) is { } associatedAt)
                {
                    yield return Ok(id + ":role", associatedAt, Channel.Crm, "association.added", roleSummary, identities, attributes);
                }
                else
                {
                    yield return AdapterOutcome.Fail("the record has no CreatedDate", identities);
                }

                break;
            default:
                yield return AdapterOutcome.Fail($"sObject type '{type}' is not pulled (Contact, Lead, Opportunity, OpportunityContactRole, Task, Event)");
                break;
        }
    }

    /// <summary>
    /// Facts of one record are yielded while its attributes are still being filled in (a converted lead adds
    /// <c>convertedContactId</c> after its creation was yielded), so each touchpoint takes its own copy.
    /// </summary>
    private static AdapterOutcome Ok(string sourceEventId, DateTimeOffset occurredAt, Channel channel, string action, string summary, List<Identity> identities, AttributeDictionary attributes) =>
        AdapterOutcome.Ok(Touchpoints.Create(sourceEventId, occurredAt, channel, action, summary, [.. identities], attributes.Copy()));
}
