using System.Globalization;
using JourneyHub.Azure.HubSpot;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Pull;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Sources.HubSpot;
using JourneyHub.Core.Sources.Pull;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JourneyHub.Azure.Pull;

/// <summary>
/// HubSpot: contacts, then e-mails, calls, meetings and feedback submissions changed in [since, until), each through the
/// CRM search API sorted by modification date ascending and paged with <c>after</c>. The search API stops at 10,000
/// results per query, so before paging past it the connector restarts the query from the last modification date it saw
/// (the records at that instant are read twice, which stores nothing twice). Engagements need their contacts, which
/// search does not return: one v4 batch association read per page, archived beside the search page.
/// </summary>
public sealed partial class HubSpotPullConnector(
    IHubSpotApi api,
    IOptionsMonitor<HubSpotOptions> options,
    IOptionsMonitor<PersonaOptions> personas,
    ILogger<HubSpotPullConnector> logger) : IPullConnector
{
    public const int PageSize = 100;
    public const int SearchWindow = 10_000;

    public static IReadOnlyList<string> Phases { get; } = ["contacts", "emails", "calls", "meetings", "feedback_submissions"];

    private static readonly Dictionary<string, string[]> Properties = new(StringComparer.Ordinal)
    {
        ["contacts"] = ["email", "firstname", "lastname", "phone", "mobilephone", "lifecyclestage", "createdate", "lastmodifieddate",
            .. HubSpotPullAdapter.LifecycleStages.Select(s => $"hs_lifecyclestage_{s}_date")],
        ["emails"] = ["hs_timestamp", "hs_email_direction", "hs_email_status", "hs_email_subject", "hs_createdate", "hs_lastmodifieddate"],
        ["calls"] = ["hs_timestamp", "hs_call_title", "hs_call_direction", "hs_call_duration", "hs_call_status", "hs_createdate", "hs_lastmodifieddate"],
        ["meetings"] = ["hs_timestamp", "hs_meeting_title", "hs_meeting_start_time", "hs_meeting_outcome", "hs_meeting_location", "hs_createdate", "hs_lastmodifieddate"],
        ["feedback_submissions"] = ["hs_survey_type", "hs_value", "hs_content", "hs_submission_name", "hs_createdate", "hs_lastmodifieddate"],
    };

    public SourceId Source => SourceId.HubSpot;

    public SourceId Adapter => SourceId.HubSpotPull;

    public string? MissingConfiguration => options.CurrentValue switch
    {
        { PullEnabled: false } => "Sources__HubSpot__PullEnabled is false.",
        { AccessToken: null or "" } => "Sources__HubSpot__AccessToken is not set.",
        _ => null,
    };

    public string Start(DateTimeOffset from, DateTimeOffset? to, DateTimeOffset now) =>
        PullCalls.Cursor(new HubSpotCursor(0, from.ToUnixTimeMilliseconds(), from.ToUnixTimeMilliseconds(), to?.ToUnixTimeMilliseconds(), null), PullCursorJsonContext.Default.HubSpotCursor);

    public async Task<PulledPage> FetchAsync(string cursor, CancellationToken cancellationToken)
    {
        var c = PullCalls.ReadCursor(cursor, PullCursorJsonContext.Default.HubSpotCursor);
        var objectType = Phases[c.Phase];
        var modified = objectType == "contacts" ? "lastmodifieddate" : "hs_lastmodifieddate";
        var personaField = objectType == "contacts" ? personas.CurrentValue.FieldOf(Source.Name) : null;
        List<HubSpotFilter> filters = [new(modified, "GTE", c.Since.ToString(CultureInfo.InvariantCulture))];
        if (c.Until is { } until)
        {
            filters.Add(new(modified, "LT", until.ToString(CultureInfo.InvariantCulture)));
        }

        var request = new HubSpotSearchRequest
        {
            FilterGroups = [new HubSpotFilterGroup(filters)],
            Sorts = [new HubSpotSort(modified, "ASCENDING")],
            Properties = PropertiesOf(objectType, personaField),
            Limit = PageSize,
            After = c.After,
        };

        byte[] search;
        try
        {
            search = await PullCalls.ReadAsync("HubSpot", "Sources__HubSpot__", () => api.SearchAsync(objectType, request, cancellationToken));
        }
        catch (PullFetchException ex) when (objectType == "feedback_submissions" && ex.StatusCode is 400 or 403 or 404)
        {
            // Feedback surveys exist only with Service Hub; a portal without them says so, and that is not a failure.
            LogNoFeedback(ex.StatusCode ?? 0);
            return new PulledPage(default, 0, new Dictionary<string, string>(), NextPhase(c));
        }

        var ids = new List<string>();
        string? after;
        long? lastModified = null;
        using (var document = PullCalls.Parse(search))
        {
            foreach (var result in document.RootElement.GetProperty("results").EnumerateArray())
            {
                if (PullCalls.Str(result, "id") is { } id)
                {
                    ids.Add(id);
                }

                var props = result.TryGetProperty("properties", out var p) ? p : default;
                lastModified = PullCalls.Time(PullCalls.Str(props, modified) ?? PullCalls.Str(result, "updatedAt"))?.ToUnixTimeMilliseconds() ?? lastModified;
            }

            after = document.RootElement.TryGetProperty("paging", out var paging) && paging.TryGetProperty("next", out var next)
                ? PullCalls.Str(next, "after")
                : null;
        }

        var body = search;
        if (objectType != "contacts" && ids.Count > 0)
        {
            var associations = await PullCalls.ReadAsync("HubSpot", "Sources__HubSpot__", () => api.ContactAssociationsAsync(objectType, new HubSpotBatchIds([.. ids.Select(i => new HubSpotId(i))]), cancellationToken));
            body = PullCalls.Envelope(search, associations);
        }

        var properties = new Dictionary<string, string>(StringComparer.Ordinal) { [HubSpotPullAdapter.ObjectTypeProperty] = objectType };
        if (personaField is not null)
        {
            // Archived with the page, so a replay copies the same field whatever the rules say by then.
            properties[HubSpotPullAdapter.PersonaFieldProperty] = personaField;
        }

        return new PulledPage(body, ids.Count, properties, NextCursor(c, after, lastModified));
    }

    /// <summary>The properties read per object type; contacts also the field the persona rules name for HubSpot (<c>hs_persona</c> by default).</summary>
    private static string[] PropertiesOf(string objectType, string? personaField) =>
        personaField is null || Properties[objectType].Contains(personaField, StringComparer.Ordinal) ? Properties[objectType] : [.. Properties[objectType], personaField];

    private static string? NextCursor(HubSpotCursor c, string? after, long? lastModified)
    {
        if (after is null)
        {
            return NextPhase(c);
        }

        if (int.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var offset) && offset + PageSize > SearchWindow)
        {
            // Paging on would hit the 10,000-result wall: query again from the last modification date seen.
            return lastModified is { } since && since > c.Since
                ? PullCalls.Cursor(c with { Since = since, After = null }, PullCursorJsonContext.Default.HubSpotCursor)
                : NextPhase(c);
        }

        return PullCalls.Cursor(c with { After = after }, PullCursorJsonContext.Default.HubSpotCursor);
    }

    private static string? NextPhase(HubSpotCursor c) =>
        c.Phase + 1 < Phases.Count ? PullCalls.Cursor(c with { Phase = c.Phase + 1, Since = c.Origin, After = null }, PullCursorJsonContext.Default.HubSpotCursor) : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "HubSpot feedback submissions are not available to this token or portal ({Status}); skipped")]
    private partial void LogNoFeedback(int status);
}
