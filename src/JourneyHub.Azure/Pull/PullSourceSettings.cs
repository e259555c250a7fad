namespace JourneyHub.Azure.Pull;

/// <summary>
/// The pull settings of one source, bound (as named options, name = source) from <c>Sources:&lt;Source&gt;</c>; the webhook
/// settings of the same section are read by the source's own options class. Unknown keys are ignored, so one class
/// serves every pulled source but HubSpot, whose one client (enrichment and pull) reads <c>HubSpotOptions</c>.
/// </summary>
public sealed class PullSourceSettings
{
    /// <summary>API root; every test points it at a local fake server.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>Bearer token (Salesforce, Google OAuth, Meta page token, Trustpilot business user).</summary>
    public string? AccessToken { get; set; }

    /// <summary>Trustpilot <c>apikey</c> header.</summary>
    public string? ApiKey { get; set; }

    public string? BusinessUnitId { get; set; }

    /// <summary>Google: comma-separated <c>accounts/x/locations/y</c>.</summary>
    public string? Locations { get; set; }

    /// <summary>Meta: the Facebook page whose posts' comments are pulled.</summary>
    public string? PageId { get; set; }

    /// <summary>Salesforce: the org's My Domain URL; used when <see cref="BaseUrl"/> is not set.</summary>
    public string? InstanceUrl { get; set; }

    /// <summary>Salesforce (<c>v62.0</c>) and Meta Graph (<c>v21.0</c>) API versions.</summary>
    public string? ApiVersion { get; set; }

    /// <summary>Meta: how many days of posts each incremental run re-reads for new comments.</summary>
    public int PostsLookbackDays { get; set; } = 7;

    /// <summary>Off switch that keeps the credentials (e.g. while a source is being migrated).</summary>
    public bool PullEnabled { get; set; } = true;

    public IReadOnlyList<string> LocationList =>
        (Locations ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
