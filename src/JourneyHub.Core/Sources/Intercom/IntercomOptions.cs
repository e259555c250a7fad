namespace JourneyHub.Core.Sources.Intercom;

/// <summary>Bound from <c>Sources:Intercom</c>.</summary>
public sealed class IntercomOptions
{
    public const string Section = "Sources:Intercom";

    /// <summary>
    /// The app's client secret (Developer Hub → the app → Basic information): the key of <c>X-Hub-Signature</c>. Without it,
    /// Intercom deliveries are refused as not configured.
    /// </summary>
    public string? ClientSecret { get; set; }
}
