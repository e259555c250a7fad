using JourneyHub.Core.Identities;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources.Kit;

namespace JourneyHub.Core.Sources.Salesforce;

/// <summary>
/// Who a Salesforce record is about, the same for an Outbound Message (webhook) and a SOQL page (pull): a Contact or Lead
/// is a person under its own id, with its e-mail and phones; an Opportunity, Task, Event or Case points at one through
/// <c>ContactId</c> or <c>WhoId</c>.
/// </summary>
public static class SalesforcePeople
{
    /// <summary>A Contact or Lead record: its id, Email, Phone and MobilePhone.</summary>
    public static void AddRecord(List<Identity> identities, string recordId, string? email, string? phone, string? mobilePhone)
    {
        identities.AddIfPresent(IdentityTypes.Salesforce, recordId);
        identities.AddIfPresent(IdentityTypes.Email, email);
        identities.AddIfPresent(IdentityTypes.Phone, phone);
        identities.AddIfPresent(IdentityTypes.Phone, mobilePhone);
    }

    /// <summary>Contact (003…) and Lead (00Q…) ids are people; anything else (an account, a user) is not.</summary>
    /// <returns>Whether <paramref name="id"/> named a person and was added.</returns>
    public static bool AddPerson(List<Identity> identities, string? id)
    {
        if (IsPerson(id))
        {
            identities.AddIfPresent(IdentityTypes.Salesforce, id);
            return true;
        }

        return false;
    }

    /// <summary>
    /// An Opportunity is an object the people on it share (issue 12): its id attributes the touchpoint, and its
    /// <c>ContactId</c>, when it names a person, is one association. Without one the touchpoint waits by opportunity id
    /// until a contact role (<c>OpportunityContactRole</c>) associates someone.
    /// </summary>
    public static void AddOpportunity(List<Identity> identities, string opportunityId, string? contactId)
    {
        AddPerson(identities, contactId);
        identities.AddIfPresent(IdentityTypes.SalesforceOpportunity, opportunityId);
    }

    /// <summary>
    /// An <c>OpportunityContactRole</c>: the contact and the opportunity on one touchpoint record their association, so
    /// the opportunity's touchpoints, earlier ones included, reach that contact.
    /// </summary>
    /// <returns>Whether the role names a person (Contact) and an opportunity.</returns>
    public static bool AddContactRole(List<Identity> identities, string? opportunityId, string? contactId)
    {
        if (string.IsNullOrEmpty(opportunityId) || !IsPerson(contactId))
        {
            return false;
        }

        AddOpportunity(identities, opportunityId, contactId);
        return true;
    }

    /// <summary>What a contact role says besides who: its attributes, and the touchpoint summary (webhook and pull alike).</summary>
    public static string DescribeContactRole(AttributeDictionary attributes, string? opportunityId, string? role, string? isPrimary)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        attributes
            .AddIfPresent("opportunityId", opportunityId)
            .AddIfPresent("role", role)
            .AddIfPresent("isPrimary", isPrimary);
        return $"Contact {(role is { Length: > 0 } ? "role " + role : "role")} on opportunity {opportunityId}";
    }

    public static bool IsPerson(string? id) =>
        id is { Length: 15 or 18 } && (id.StartsWith("003", StringComparison.Ordinal) || id.StartsWith("00Q", StringComparison.Ordinal));

    /// <summary>"First Last" from the name parts present, else the record's Name.</summary>
    public static string? DisplayName(string? firstName, string? lastName, string? name) =>
        (string.IsNullOrEmpty(firstName), string.IsNullOrEmpty(lastName)) switch
        {
            (false, false) => $"{firstName} {lastName}",
            (false, true) => firstName,
            (true, false) => lastName,
            _ => name,
        };
}
