using System.Globalization;
using JourneyHub.Core.Pull;
using JourneyHub.Core.Sources;
using Microsoft.Extensions.Options;

namespace JourneyHub.Azure.Pull;

/// <summary>
/// Salesforce: one SOQL query per sObject (Contact, Lead, Opportunity, Task, Event) on <c>SystemModstamp</c> in
/// [since, until), oldest first, following <c>nextRecordsUrl</c> until <c>done</c>.
/// </summary>
public sealed class SalesforcePullConnector(ISalesforcePullApi api, IOptionsMonitor<PullSourceSettings> settings) : IPullConnector
{
    public const string DefaultApiVersion = "v62.0";

    public static IReadOnlyList<(string Object, string Fields)> Queries { get; } =
    [
        ("Contact", "Id, FirstName, LastName, Email, Phone, MobilePhone, LeadSource, CreatedDate, LastModifiedDate, SystemModstamp"),
        ("Lead", "Id, FirstName, LastName, Email, Phone, MobilePhone, LeadSource, Status, IsConverted, ConvertedContactId, ConvertedDate, CreatedDate, LastModifiedDate, SystemModstamp"),
        ("Opportunity", "Id, Name, StageName, IsWon, IsClosed, Amount, AccountId, ContactId, CreatedDate, LastModifiedDate, SystemModstamp"),
        ("Task", "Id, Subject, TaskSubtype, Status, WhoId, ActivityDate, CreatedDate, LastModifiedDate, SystemModstamp"),
        ("Event", "Id, Subject, EventSubtype, WhoId, StartDateTime, CreatedDate, LastModifiedDate, SystemModstamp"),
    ];

    public SourceId Source => SourceId.Salesforce;

    public SourceId Adapter => SourceId.SalesforcePull;

    public string? MissingConfiguration => settings.Get(Source.Name) switch
    {
        { PullEnabled: false } => "Sources__Salesforce__PullEnabled is false.",
        { AccessToken: null or "" } => "Sources__Salesforce__AccessToken is not set.",
        { InstanceUrl: null or "", BaseUrl: null or "" } => "Sources__Salesforce__InstanceUrl is not set.",
        _ => null,
    };

    public string Start(DateTimeOffset from, DateTimeOffset? to, DateTimeOffset now) =>
        PullCalls.Cursor(new SalesforceCursor(0, from, to, null), PullCursorJsonContext.Default.SalesforceCursor);

    public static string Soql(int index, DateTimeOffset since, DateTimeOffset? until)
    {
        var (sObject, fields) = Queries[index];
        var where = $"SystemModstamp >= {Literal(since)}" + (until is { } u ? $" AND SystemModstamp < {Literal(u)}" : "");
        return $"SELECT {fields} FROM {sObject} WHERE {where} ORDER BY SystemModstamp ASC";
    }

    public async Task<PulledPage> FetchAsync(string cursor, CancellationToken cancellationToken)
    {
        var c = PullCalls.ReadCursor(cursor, PullCursorJsonContext.Default.SalesforceCursor);
        var version = settings.Get(Source.Name).ApiVersion is { Length: > 0 } v ? v : DefaultApiVersion;
        var body = await PullCalls.ReadAsync("Salesforce", "Sources__Salesforce__", () => c.Next is { } next
            ? api.NextAsync(next.TrimStart('/'), cancellationToken)
            : api.QueryAsync(version, Soql(c.SObject, c.Since, c.Until), cancellationToken));

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
        return new PulledPage(body, items, new Dictionary<string, string>(StringComparer.Ordinal) { ["sObject"] = Queries[c.SObject].Object }, nextCursor);
    }

    private static string Literal(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
