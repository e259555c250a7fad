namespace JourneyHub.Core.Sources.Salesforce;

/// <summary>
/// The sObject types JourneyHub maps, by API name: the one list that the adapters' cases, the rejection of any other
/// type and the Outbound Message parser (which hands out these very strings for them) all read.
/// </summary>
public static class SalesforceObjectTypes
{
    public const string Contact = "Contact";
    public const string Lead = "Lead";
    public const string Opportunity = "Opportunity";
    public const string OpportunityContactRole = "OpportunityContactRole";
    public const string Task = "Task";
    public const string Event = "Event";
    public const string Case = "Case";

    /// <summary>Every type above, in the order a rejection of another type names them.</summary>
    public static IReadOnlyList<string> Mapped { get; } = [Contact, Lead, Opportunity, OpportunityContactRole, Task, Event, Case];
}
