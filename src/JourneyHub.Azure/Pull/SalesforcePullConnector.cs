using System.Globalization;
using System.Text.RegularExpressions;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Pull;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Sources.Pull;
using JourneyHub.Core.Sources.Salesforce;
using Microsoft.Extensions.Options;

namespace JourneyHub.Azure.Pull;

/// <summary>
/// Salesforce: one SOQL query per sObject (Contact, Lead, Opportunity, OpportunityContactRole, Task, Event) on <c>SystemModstamp</c> in
/// [since, until), oldest first, following <c>nextRecordsUrl</c> until <c>done</c>. Contacts and leads also select the
/// field the persona rules name for Salesforce (<c>Journeys__Personas__Fields__salesforce</c>, e.g. <c>Persona__c</c>).
/// A last query asks <c>queryAll</c> for the contact roles deleted in the window (Salesforce sends no Outbound Message for
/// a deletion): each one ends its contact's association with the opportunity.
/// </summary>
public sealed partial class SalesforcePullConnector(
    ISalesforcePullApi api,
    IOptionsMonitor<PullSourceSettings> settings,
    IOptionsMonitor<PersonaOptions> personas) : IPullConnector
{
    public const string DefaultApiVersion = "v62.0";

    public static IReadOnlyList<SalesforceQuery> Queries { get; } =
    [
        new(SalesforceObjectTypes.Contact, "Id, FirstName, LastName, Email, Phone, MobilePhone, LeadSource, CreatedDate, LastModifiedDate, SystemModstamp"),
        new(SalesforceObjectTypes.Lead, "Id, FirstName, LastName, Email, Phone, MobilePhone, LeadSource, Status, IsConverted, ConvertedContactId, ConvertedDate, CreatedDate, LastModifiedDate, SystemModstamp"),
        new(SalesforceObjectTypes.Opportunity, "Id, Name, StageName, IsWon, IsClosed, Amount, AccountId, ContactId, CreatedDate, LastModifiedDate, SystemModstamp"),
        new(SalesforceObjectTypes.OpportunityContactRole, "Id, OpportunityId, ContactId, Role, IsPrimary, CreatedDate, LastModifiedDate, SystemModstamp"),
        new(SalesforceObjectTypes.Task, "Id, Subject, TaskSubtype, Status, WhoId, ActivityDate, CreatedDate, LastModifiedDate, SystemModstamp"),
        new(SalesforceObjectTypes.Event, "Id, Subject, EventSubtype, WhoId, StartDateTime, CreatedDate, LastModifiedDate, SystemModstamp"),

        // A deletion moves SystemModstamp, so the window finds it; the recycle bin keeps deleted rows for 15 days, longer
        // than any pull window (a gap longer than that loses the removal: the role keeps receiving the opportunity's events).
        new(SalesforceObjectTypes.OpportunityContactRole, "Id, OpportunityId, ContactId, Role, IsPrimary, IsDeleted, CreatedDate, LastModifiedDate, SystemModstamp", Deleted: true),
    ];

    public SourceId Source => SourceId.Salesforce;

    public SourceId Adapter => SourceId.SalesforcePull;

    public string? MissingConfiguration => settings.Get(Source.Name) switch
    {
        { PullEnabled: false } => "Sources__Salesforce__PullEnabled is false.",
        { AccessToken: null or "" } => "Sources__Salesforce__AccessToken is not set.",
        { InstanceUrl: null or "", BaseUrl: null or "" } => "Sources__Salesforce__InstanceUrl is not set.",

        // The name goes into the SOQL text: anything but a field API name is refused here rather than sent.
        _ when PersonaField is { } persona && !FieldApiName().IsMatch(persona) =>
            $"Journeys__Personas__Fields__salesforce ('{persona}') is not a Salesforce field API name such as Persona__c.",
        _ => null,
    };

    /// <summary>The Contact or Lead field the persona rules read for Salesforce, if any.</summary>
    private string? PersonaField => personas.CurrentValue.FieldOf(Source.Name);

    public string Start(DateTimeOffset from, DateTimeOffset? to, DateTimeOffset now) =>
        PullCalls.Cursor(new SalesforceCursor(0, from, to, null), PullCursorJsonContext.Default.SalesforceCursor);

    /// <param name="personaField">Selected as well for Contact and Lead when not already in the list (validated by the caller).</param>
    public static string Soql(int index, DateTimeOffset since, DateTimeOffset? until, string? personaField = null)
    {
        var (sObject, fields, deleted) = Queries[index];
        if (personaField is not null && SelectsPersona(index) && !fields.Split(", ").Contains(personaField, StringComparer.OrdinalIgnoreCase))
        {
            fields += ", " + personaField;
        }

        var where = (deleted ? "IsDeleted = true AND " : "") + $"SystemModstamp >= {Literal(since)}" + (until is { } u ? $" AND SystemModstamp < {Literal(u)}" : "");
        return $"SELECT {fields} FROM {sObject} WHERE {where} ORDER BY SystemModstamp ASC";
    }

    public async Task<PulledPage> FetchAsync(string cursor, CancellationToken cancellationToken)
    {
        var c = PullCalls.ReadCursor(cursor, PullCursorJsonContext.Default.SalesforceCursor);
        var version = settings.Get(Source.Name).ApiVersion is { Length: > 0 } v ? v : DefaultApiVersion;
        var personaField = SelectsPersona(c.SObject) ? PersonaField : null;
        var body = await PullCalls.ReadAsync("Salesforce", "Sources__Salesforce__", () => c.Next is { } next
            ? api.NextAsync(next.TrimStart('/'), cancellationToken)
            : Queries[c.SObject].Deleted
                ? api.QueryAllAsync(version, Soql(c.SObject, c.Since, c.Until), cancellationToken)
                : api.QueryAsync(version, Soql(c.SObject, c.Since, c.Until, personaField), cancellationToken));

        int items;
        string? nextRecords;
        using (var document = PullCalls.Parse(body))
        {
            items = document.RootElement.TryGetProperty("records", out var records) ? records.GetArrayLength() : 0;
            var done = !document.RootElement.TryGetProperty("done", out var d) || d.ValueKind != System.Text.Json.JsonValueKind.False;
            nextRecords = done ? null : PullCalls.Str(document.RootElement, "nextRecordsUrl");
        }

        string? nextCursor = nextRecords is not null
            ? PullCalls.Cursor(c with { Next = nextRecords }, PullCursorJsonContext.Default.SalesforceCursor)
            : c.SObject + 1 < Queries.Count ? PullCalls.Cursor(c with { SObject = c.SObject + 1, Next = null }, PullCursorJsonContext.Default.SalesforceCursor)
            : null;
        var properties = new Dictionary<string, string>(StringComparer.Ordinal) { ["sObject"] = Queries[c.SObject].SObject };
        if (personaField is not null)
        {
            // Archived with the page, so a replay copies the same field whatever the rules say by then.
            properties[SalesforcePullAdapter.PersonaFieldProperty] = personaField;
        }

        return new PulledPage(body, items, properties, nextCursor);
    }

    private static bool SelectsPersona(int index) => Queries[index].SObject is SalesforceObjectTypes.Contact or SalesforceObjectTypes.Lead;

    /// <summary>A standard or custom field API name (<c>Title</c>, <c>Persona__c</c>, <c>ns__Persona__c</c>): letters, digits, underscores.</summary>
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,79}$", RegexOptions.CultureInvariant)]
    private static partial Regex FieldApiName();

    private static string Literal(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

/// <summary>One SOQL query of the pull: the sObject, its fields, and whether it asks <c>queryAll</c> for deleted rows only.</summary>
public sealed record SalesforceQuery(string SObject, string Fields, bool Deleted = false);
