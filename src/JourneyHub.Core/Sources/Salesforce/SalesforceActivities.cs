using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Sources.Salesforce;

/// <summary>
/// What a Task or Event was, from its subtype: one answer for the Outbound Message and the pull, so the same activity
/// reads the same whichever way it arrives.
/// </summary>
public static class SalesforceActivities
{
    /// <summary>The subtype field of the activity's type (<c>TaskSubtype</c> or <c>EventSubtype</c>).</summary>
    public static string SubtypeField(string objectType) =>
        objectType == SalesforceObjectTypes.Task ? "TaskSubtype" : "EventSubtype";

    /// <param name="objectType"><see cref="SalesforceObjectTypes.Task"/> or <see cref="SalesforceObjectTypes.Event"/>.</param>
    /// <param name="subtype">The subtype as sent; a custom picklist value is not an error.</param>
    public static (Channel Channel, string Action) Classify(string objectType, string subtype) => subtype switch
    {
        "Call" => (Channel.Phone, "call.logged"),
        "Email" or "ListEmail" => (Channel.Email, "email.sent"),
        "Event" or "Meeting" => (Channel.Meeting, "meeting.booked"),
        _ when objectType == SalesforceObjectTypes.Event => (Channel.Meeting, "meeting.booked"),
        _ => (Channel.Crm, "task.logged"),
    };
}
