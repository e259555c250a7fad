namespace JourneyHub.Core.Sources.Salesforce;

/// <summary>Bound from <c>Sources:Salesforce</c>.</summary>
public sealed class SalesforceOptions
{
    public const string Section = "Sources:Salesforce";

    /// <summary>15- or 18-character org id every Outbound Message must carry. Without it, deliveries are refused as not configured.</summary>
    public string? OrganizationId { get; set; }

    public Uri? InstanceUrl { get; set; }

    public string? AccessToken { get; set; }
}
