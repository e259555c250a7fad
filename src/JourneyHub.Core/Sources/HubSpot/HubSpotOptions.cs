using System.ComponentModel.DataAnnotations;

namespace JourneyHub.Core.Sources.HubSpot;

public sealed class HubSpotOptions
{
    public const string Section = "Sources:HubSpot";

    /// <summary>The app's client secret: the key of X-HubSpot-Signature-v3.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Private app or OAuth token of the HubSpot client (enrichment and pull); without it neither calls HubSpot.</summary>
    public string? AccessToken { get; set; }

    [Url]
    public string BaseUrl { get; set; } = "https://api.hubapi.com";

    /// <summary>
    /// The Target URL exactly as entered in HubSpot (query string included). When set, X-HubSpot-Signature-v3 is
    /// checked against it instead of the URL this host received: behind Front Door, API Management or a custom
    /// domain the two differ, and HubSpot signs the one it called.
    /// </summary>
    [Url]
    public string? WebhookUrl { get; set; }

    /// <summary>Off switch of the HubSpot pull that keeps the token, and with it enrichment (e.g. while a portal is migrated).</summary>
    public bool PullEnabled { get; set; } = true;
}
