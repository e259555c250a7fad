namespace JourneyHub.Core.Sources.Zendesk;

/// <summary>Bound from <c>Sources:Zendesk</c>.</summary>
public sealed class ZendeskOptions
{
    public const string Section = "Sources:Zendesk";

    /// <summary>
    /// The webhook's signing secret (Admin Center → Apps and integrations → Webhooks → the webhook → Reveal secret): the key of
    /// <c>X-Zendesk-Webhook-Signature</c>. Without it, Zendesk deliveries are refused as not configured.
    /// </summary>
    public string? SigningSecret { get; set; }
}
