using System.ComponentModel.DataAnnotations;

namespace JourneyHub.Core.Sources.HubSpot;

public sealed class HubSpotOptions
{
    public const string Section = "Sources:HubSpot";

    /// <summary>The app's client secret: the key of X-HubSpot-Signature-v3.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Private app or OAuth token; without it enrichment is skipped.</summary>
    public string? AccessToken { get; set; }

    [Url]
    public string BaseUrl { get; set; } = "https://api.hubapi.com";
}
