namespace JourneyHub.Core.Sources.Trustpilot;

/// <summary>Bound from <c>Sources:Trustpilot</c>.</summary>
public sealed class TrustpilotOptions
{
    public const string Section = "Sources:Trustpilot";

    public string? ApiKey { get; set; }

    public string? BusinessUnitId { get; set; }

    public Uri BaseUrl { get; set; } = new("https://api.trustpilot.com");

    /// <summary>
    /// What the shop puts in a review invitation's <c>referenceId</c>. Unset: it is kept as an attribute only (it is
    /// usually an order number). Set to an identity type (e.g. <c>custom:shop</c>) when it is the shop's customer id.
    /// A referenceId that is an e-mail address always becomes an <c>email</c> identity.
    /// </summary>
    public string? ReferenceIdIdentityType { get; set; }
}
