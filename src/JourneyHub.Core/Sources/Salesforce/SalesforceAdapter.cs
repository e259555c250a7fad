using System.Globalization;
using System.Xml;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources.Kit;

namespace JourneyHub.Core.Sources.Salesforce;

/// <summary>
/// Salesforce Outbound Messages (SOAP 1.1, up to 100 notifications of one sObject type). Each notification becomes
/// one touchpoint with <c>sourceEventId</c> = the notification <c>Id</c>, which Salesforce keeps across retries.
/// <list type="bullet">
/// <item>Contact, Lead → the record's own id (<c>salesforce</c>), Email, Phone/MobilePhone.</item>
/// <item>Opportunity → <c>deal.won</c> / <c>deal.lost</c> / <c>opportunity.updated</c> from StageName (or IsWon/IsClosed).
///   The opportunity is an object (<c>salesforce-opportunity</c>): its touchpoints reach its <c>ContactId</c> and every
///   contact an <c>OpportunityContactRole</c> associates; without either they wait by opportunity id. An account is not a
///   person (AccountId is kept as an attribute).</item>
/// <item>OpportunityContactRole → <c>association.added</c>: the contact and the opportunity, associated.</item>
/// <item>Task, Event → call / e-mail / meeting by TaskSubtype/EventSubtype; the person is <c>WhoId</c> (Contact or Lead).</item>
/// <item>Case → support, retention; the person is ContactId and/or SuppliedEmail.</item>
/// </list>
/// </summary>
public sealed class SalesforceAdapter : ISourceAdapter
{
    private static readonly TouchpointFactory Touchpoints = new(SourceId.Salesforce);

    /// <summary>What a notification of another type is told this adapter maps.</summary>
    private static readonly string MappedTypeNames = string.Join(", ", SalesforceObjectTypes.Mapped);

    public SourceId Source => SourceId.Salesforce;

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

        if (message.Notifications.Count == 0)
        {
            return NormalizationResult.Failed("Salesforce Outbound Message holds no Notification.");
        }

        return EntryCollector.Collect(
            message.Notifications,
            n => Map(n, message, payload.ReceivedAt),
            static (i, n) => $"Salesforce notification {i} ({n.ObjectType ?? "?"} {n.Id ?? "?"})");
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

        var identities = new List<Identity>(3);
        var attributes = new AttributeDictionary()
            .Set("objectType", n.ObjectType)
            .Set("recordId", recordId)
            .AddIfPresent("organizationId", message.OrganizationId)
            .AddIfPresent("actionId", message.ActionId);

        // Read once: the touchpoint's time, and (Contact, Lead) whether the notification is the record's creation.
        var lastModified = Timestamp(n.Field("LastModifiedDate"));

        string action;
        string summary;
        var channel = Channel.Crm;
        switch (n.ObjectType)
        {
            case SalesforceObjectTypes.Contact:
            case SalesforceObjectTypes.Lead:
                SalesforcePeople.AddRecord(identities, recordId, n.Field("Email"), n.Field("Phone"), n.Field("MobilePhone"));
                attributes
                    .AddIfPresent("leadSource", n.Field("LeadSource"))
                    .AddIfPresent("status", n.Field("Status"));
                AddCustomFields(attributes, n.Fields);

                // A record merged away in Salesforce names its survivor in MasterRecordId (when the Outbound Message
                // selects it): both ids on one touchpoint make the identity resolver merge the two customers.
                var mergedInto = n.Field("MasterRecordId") is { } master && master != recordId && SalesforcePeople.AddPerson(identities, master);
                var isLead = n.ObjectType == SalesforceObjectTypes.Lead;
                var verb = mergedInto ? "merged"
                    : isLead && n.Field("IsConverted") == "true" ? "converted"
                    : IsCreation(n, lastModified) ? "created" : "updated";
                action = RecordAction(isLead, verb);
                var (firstName, lastName) = (n.Field("FirstName"), n.Field("LastName"));

                // "First Last" is written straight into the summary rather than built as a string of its own first.
                summary = !string.IsNullOrEmpty(firstName) && !string.IsNullOrEmpty(lastName)
                    ? $"{n.ObjectType} {firstName} {lastName} {verb} in Salesforce"
                    : $"{n.ObjectType} {SalesforcePeople.DisplayName(firstName, lastName, n.Field("Name")) ?? recordId} {verb} in Salesforce";
                break;
            case SalesforceObjectTypes.Opportunity:
                SalesforcePeople.AddOpportunity(identities, recordId, n.Field("ContactId"));
                attributes
                    .AddIfPresent("accountId", n.Field("AccountId"))
                    .AddIfPresent("stageName", n.Field("StageName"))
                    .AddIfPresent("amount", n.Field("Amount"));
                action = OpportunityAction(n);
                summary = action switch
                {
                    "deal.won" => $"Opportunity {n.Field("Name") ?? recordId} won",
                    "deal.lost" => $"Opportunity {n.Field("Name") ?? recordId} lost",
                    _ => $"Opportunity {n.Field("Name") ?? recordId} at {n.Field("StageName") ?? "an open stage"}",
                };
                break;
            case SalesforceObjectTypes.Task:
            case SalesforceObjectTypes.Event:
                if (!SalesforcePeople.AddPerson(identities, n.Field("WhoId")))
                {
                    return AdapterOutcome.Fail($"the {n.ObjectType} has no WhoId (Contact or Lead)");
                }

                var subtype = n.Field(SalesforceActivities.SubtypeField(n.ObjectType)) ?? n.ObjectType;
                (channel, action) = SalesforceActivities.Classify(n.ObjectType, subtype);
                attributes
                    .AddIfPresent("subtype", subtype)
                    .AddIfPresent("subject", n.Field("Subject"));
                summary = $"{subtype} logged in Salesforce: {AdapterText.Clip(n.Field("Subject") ?? "(no subject)")}";
                break;
            case SalesforceObjectTypes.Case:
                var hasContact = SalesforcePeople.AddPerson(identities, n.Field("ContactId"));
                identities.AddIfPresent(IdentityTypes.Email, n.Field("SuppliedEmail"));
                identities.AddIfPresent(IdentityTypes.Phone, n.Field("SuppliedPhone"));
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
                attributes
                    .AddIfPresent("caseNumber", n.Field("CaseNumber"))
                    .AddIfPresent("status", n.Field("Status"))
                    .AddIfPresent("subject", n.Field("Subject"));
                summary = $"Support case {n.Field("CaseNumber") ?? recordId}: {AdapterText.Clip(n.Field("Subject") ?? "(no subject)")}";
                break;
            case SalesforceObjectTypes.OpportunityContactRole:
                if (!SalesforcePeople.AddContactRole(identities, n.Field("OpportunityId"), n.Field("ContactId")))
                {
                    return AdapterOutcome.Fail("the OpportunityContactRole needs OpportunityId and a Contact's ContactId (add them to the Outbound Message fields)");
                }

                action = "association.added";
                summary = SalesforcePeople.DescribeContactRole(attributes, n.Field("OpportunityId"), n.Field("Role"), n.Field("IsPrimary"));
                break;
            default:
                return AdapterOutcome.Fail($"unsupported sObject type '{n.ObjectType}' ({MappedTypeNames})");
        }

        // An Outbound Message without LastModifiedDate or CreatedDate (they are fields the admin selects) has no time of its own.
        var occurredAt = lastModified ?? Timestamp(n.Field("CreatedDate"));
        return AdapterOutcome.Ok(Touchpoints.Create(
            n.Id,
            occurredAt ?? receivedAt,
            channel,
            action,
            summary,
            identities,
            attributes,
            occurredAtIsReceiptTime: occurredAt is null));
    }

    /// <summary>Outbound Messages fire on create and on update alike; only equal Created/LastModified dates prove a creation.</summary>
    private static bool IsCreation(SalesforceNotification n, DateTimeOffset? lastModified) =>
        n.Field("CreatedDate") is { } created && (n.Field("LastModifiedDate") is null || Timestamp(created) == lastModified);

    /// <summary>A Contact's or Lead's action, one constant per verb rather than a string built per notification.</summary>
    private static string RecordAction(bool isLead, string verb) => (isLead, verb) switch
    {
        (false, "created") => "contact.created",
        (false, "updated") => "contact.updated",
        (false, "merged") => "contact.merged",
        (true, "created") => "lead.created",
        (true, "updated") => "lead.updated",
        (true, "merged") => "lead.merged",
        (true, "converted") => "lead.converted",
        _ => throw new ArgumentOutOfRangeException(nameof(verb), verb, "Not a Contact or Lead verb."),
    };

    /// <summary>
    /// Custom fields (API names ending in __c) are in the message only because an admin selected them, so they are kept
    /// under their API names, in ordinal order of name: the persona rules name one (Journeys__Personas__Fields__salesforce=Persona__c).
    /// </summary>
    private static void AddCustomFields(AttributeDictionary attributes, IReadOnlyDictionary<string, string> fields)
    {
        List<KeyValuePair<string, string>>? custom = null;
        foreach (var field in fields)
        {
            if (field.Key.EndsWith("__c", StringComparison.Ordinal))
            {
                (custom ??= []).Add(field);
            }
        }

        if (custom is null)
        {
            return;
        }

        // Field names are unique, so an unstable sort orders them as a stable one would.
        custom.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var (name, value) in custom)
        {
            attributes.AddIfPresent(name, value);
        }
    }

    private static string OpportunityAction(SalesforceNotification n) => n.Field("StageName") switch
    {
        "Closed Won" => "deal.won",
        "Closed Lost" => "deal.lost",
        _ when n.Field("IsWon") == "true" => "deal.won",
        _ when n.Field("IsClosed") == "true" => "deal.lost",
        _ => "opportunity.updated",
    };

    private static DateTimeOffset? Timestamp(string? value) =>
        SalesforceDateTime(value) ?? (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) ? at : null);

    /// <summary>
    /// The one shape Salesforce writes a dateTime in, <c>2025-03-14T14:22:01.000Z</c>, read field by field: the general
    /// parser costs more than mapping the rest of a notification. It reads that shape as the same instant; anything else
    /// (another shape, a date that does not exist) is null here and left to the general parser.
    /// </summary>
    private static DateTimeOffset? SalesforceDateTime(string? value)
    {
        if (value is not { Length: 24 } || value[4] != '-' || value[7] != '-' || value[10] != 'T' || value[13] != ':' || value[16] != ':' || value[19] != '.' || value[23] != 'Z'
            || !TryDigits(value, 0, 4, out var year) || !TryDigits(value, 5, 2, out var month) || !TryDigits(value, 8, 2, out var day)
            || !TryDigits(value, 11, 2, out var hour) || !TryDigits(value, 14, 2, out var minute) || !TryDigits(value, 17, 2, out var second)
            || !TryDigits(value, 20, 3, out var millisecond)
            || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return null;
        }

        return new DateTimeOffset(year, month, day, hour, minute, second, millisecond, TimeSpan.Zero);
    }

    private static bool TryDigits(string value, int start, int length, out int number) =>
        int.TryParse(value.AsSpan(start, length), NumberStyles.None, CultureInfo.InvariantCulture, out number);
}
