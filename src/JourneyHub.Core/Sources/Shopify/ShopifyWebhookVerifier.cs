using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Signatures;
using Microsoft.Extensions.Options;

namespace JourneyHub.Core.Sources.Shopify;

/// <summary>
/// <c>X-Shopify-Hmac-Sha256</c> over the raw body. The topic and the delivery ids live in headers, not in the body, so a valid
/// delivery hands them on to the adapter as properties.
/// </summary>
public sealed class ShopifyWebhookVerifier(IOptionsMonitor<ShopifyOptions> options) : IWebhookVerifier
{
    public const string TopicHeader = "X-Shopify-Topic";
    public const string WebhookIdHeader = "X-Shopify-Webhook-Id";
    public const string EventIdHeader = "X-Shopify-Event-Id";
    public const string ShopDomainHeader = "X-Shopify-Shop-Domain";
    public const string TriggeredAtHeader = "X-Shopify-Triggered-At";
    public const string ApiVersionHeader = "X-Shopify-API-Version";

    public const string TopicProperty = "shopifyTopic";
    public const string WebhookIdProperty = "shopifyWebhookId";
    public const string EventIdProperty = "shopifyEventId";
    public const string ShopDomainProperty = "shopifyShopDomain";
    public const string TriggeredAtProperty = "shopifyTriggeredAt";
    public const string ApiVersionProperty = "shopifyApiVersion";

    private static readonly (string Header, string Property)[] Forwarded =
    [
        (TopicHeader, TopicProperty),
        (WebhookIdHeader, WebhookIdProperty),
        (EventIdHeader, EventIdProperty),
        (ShopDomainHeader, ShopDomainProperty),
        (TriggeredAtHeader, TriggeredAtProperty),
        (ApiVersionHeader, ApiVersionProperty),
    ];

    public SourceId Source => SourceId.Shopify;

    public WebhookVerification Verify(InboundWebhook webhook, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        var check = ShopifySignature.Verify(options.CurrentValue.WebhookSecret, webhook.Body.Span, WebhookHeaders.Get(webhook, ShopifySignature.HeaderName));
        if (check != SignatureCheck.Valid)
        {
            return new WebhookVerification(check, check switch
            {
                SignatureCheck.NotConfigured => "Sources__Shopify__WebhookSecret is not set, so Shopify deliveries cannot be verified.",
                SignatureCheck.Missing => "The X-Shopify-Hmac-Sha256 header is missing.",
                SignatureCheck.Malformed => "X-Shopify-Hmac-Sha256 is not the base64 of a 32-byte HMAC-SHA256 digest.",
                _ => "X-Shopify-Hmac-Sha256 does not match the body.",
            });
        }

        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (header, property) in Forwarded)
        {
            // Header values are the sender's: keep them short and printable, they travel into blob metadata and the queue.
            if (WebhookHeaders.Get(webhook, header)?.Trim() is { Length: > 0 and <= 200 } value && value.All(c => c is >= ' ' and <= '~'))
            {
                properties[property] = value;
            }
        }

        return WebhookVerification.Valid(properties);
    }
}
