using System.Text.Json.Serialization;

namespace JourneyHub.Core.Sources.Shopify;

// Shopify REST webhook bodies (https://shopify.dev/docs/api/webhooks?reference=toml: orders/create, orders/paid,
// orders/fulfilled, refunds/create, customers/create, checkouts/create): only the fields the hub reads. Ids are JSON
// numbers up to 2^53; prices are decimal strings ("199.00") in the shop's currency.

public sealed record ShopifyOrder
{
    public long? Id { get; init; }
    public string? Name { get; init; }
    public string? Email { get; init; }
    public string? ContactEmail { get; init; }
    public string? Phone { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? ProcessedAt { get; init; }
    public string? Currency { get; init; }
    public decimal? TotalPrice { get; init; }
    public string? FinancialStatus { get; init; }
    public string? FulfillmentStatus { get; init; }
    public string? SourceName { get; init; }
    public bool? Test { get; init; }
    public string? LandingSite { get; init; }
    public string? ReferringSite { get; init; }
    public ShopifyCustomer? Customer { get; init; }
    public ShopifyLineItem?[]? LineItems { get; init; }
    public ShopifyFulfillment?[]? Fulfillments { get; init; }
}

public sealed record ShopifyCustomer
{
    public long? Id { get; init; }
    public string? Email { get; init; }
    public string? Phone { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public string? State { get; init; }
    public string? Tags { get; init; }
    public bool? VerifiedEmail { get; init; }
}

public sealed record ShopifyLineItem
{
    public int? Quantity { get; init; }
}

public sealed record ShopifyFulfillment
{
    public DateTimeOffset? CreatedAt { get; init; }
    public string? Status { get; init; }
}

public sealed record ShopifyRefund
{
    public long? Id { get; init; }
    public long? OrderId { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? ProcessedAt { get; init; }
    public string? Note { get; init; }
    public ShopifyTransaction?[]? Transactions { get; init; }
}

public sealed record ShopifyTransaction
{
    public long? Id { get; init; }
    public string? Kind { get; init; }
    public string? Status { get; init; }
    public decimal? Amount { get; init; }
    public string? Currency { get; init; }
}

public sealed record ShopifyCheckout
{
    public long? Id { get; init; }
    public string? Token { get; init; }
    public string? Email { get; init; }
    public string? Phone { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public string? Currency { get; init; }
    public decimal? TotalPrice { get; init; }
    public string? SourceName { get; init; }
    public ShopifyCustomer? Customer { get; init; }
    public ShopifyLineItem?[]? LineItems { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowReadingFromString, MaxDepth = 32)]
[JsonSerializable(typeof(ShopifyOrder))]
[JsonSerializable(typeof(ShopifyCustomer))]
[JsonSerializable(typeof(ShopifyRefund))]
[JsonSerializable(typeof(ShopifyCheckout))]
internal sealed partial class ShopifyJsonContext : JsonSerializerContext;
