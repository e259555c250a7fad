namespace JourneyHub.Core.Sources.Shopify;

/// <summary>Bound from <c>Sources:Shopify</c>.</summary>
public sealed class ShopifyOptions
{
    public const string Section = "Sources:Shopify";

    /// <summary>
    /// The app's client secret (or, for a webhook made in the shop admin, the secret shown under Settings → Notifications →
    /// Webhooks): the key of <c>X-Shopify-Hmac-Sha256</c>. Without it, Shopify deliveries are refused as not configured.
    /// </summary>
    public string? WebhookSecret { get; set; }
}
