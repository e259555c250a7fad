using System.Globalization;
using System.Text.Json;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources.Kit;

namespace JourneyHub.Core.Sources.Shopify;

/// <summary>
/// Shopify webhooks: one resource per delivery, its topic in <c>X-Shopify-Topic</c> (forwarded by
/// <see cref="ShopifyWebhookVerifier"/>). Orders carry <c>amount</c> and <c>currency</c> so purchase counts, AOV and lifetime
/// value come out of the journey summary; a refund carries the refunded amount and lowers the value.
/// <para>
/// Dedup. Shopify documents <c>X-Shopify-Webhook-Id</c> as the key of one delivery, kept by its retries, and
/// <c>X-Shopify-Event-Id</c> as shared by all deliveries of one merchant action (a second subscription to the topic, but
/// also the other topics that action fired: https://shopify.dev/docs/apps/build/webhooks/delivery-structure,
/// https://shopify.dev/docs/apps/build/webhooks/ignore-duplicates). Neither names one fact: a webhook id splits the
/// duplicate of a second subscription, an event id would join an order's placement with its fulfilment. So every fact is
/// keyed on the Shopify resource it is about, which every retry of a delivery, every subscription's copy and every topic
/// that restates the fact carry alike. <c>orders/create</c> and <c>orders/paid</c> describe the same purchase, so both
/// record <c>order:&lt;id&gt;</c> and the first to arrive is kept: each order counts once whichever of the two topics a
/// shop subscribes to. The delivery ids are kept as attributes.
/// </para>
/// <para>
/// A redelivered fact lands on the stored row only if its time is the same too (rows are keyed by time and touchpoint
/// id), so times come from fields of the resource that never change (<c>processed_at</c>, <c>created_at</c>, a fulfilment's
/// <c>created_at</c>). A delivery header or <c>updated_at</c> may differ between two deliveries of one fact; a fact that has
/// nothing better is stored as having no time of its own, which storage deduplicates on the touchpoint id alone.
/// </para>
/// </summary>
public sealed class ShopifyAdapter : ISourceAdapter
{
    public const string OrdersCreate = "orders/create";
    public const string OrdersPaid = "orders/paid";
    public const string OrdersFulfilled = "orders/fulfilled";
    public const string RefundsCreate = "refunds/create";
    public const string CustomersCreate = "customers/create";
    public const string CheckoutsCreate = "checkouts/create";

    public static IReadOnlyList<string> Topics { get; } = [OrdersCreate, OrdersPaid, OrdersFulfilled, RefundsCreate, CustomersCreate, CheckoutsCreate];

    private static readonly TouchpointFactory Factory = new(SourceId.Shopify);

    public SourceId Source => SourceId.Shopify;

    public NormalizationResult Normalize(RawPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var topic = Property(payload, ShopifyWebhookVerifier.TopicProperty);
        if (topic is null)
        {
            return NormalizationResult.Failed("The X-Shopify-Topic header was not sent, so the body cannot be read as any resource.");
        }

        if (!Topics.Contains(topic, StringComparer.Ordinal))
        {
            return NormalizationResult.Failed($"Shopify topic '{topic}' is not supported ({string.Join(", ", Topics)}).");
        }

        var delivery = new Delivery(
            topic,
            Property(payload, ShopifyWebhookVerifier.WebhookIdProperty),
            Property(payload, ShopifyWebhookVerifier.EventIdProperty),
            Property(payload, ShopifyWebhookVerifier.ShopDomainProperty),
            DateTimeOffset.TryParse(Property(payload, ShopifyWebhookVerifier.TriggeredAtProperty), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var triggeredAt) ? triggeredAt : null);
        try
        {
            var outcome = topic switch
            {
                OrdersCreate or OrdersPaid => MapPurchase(delivery, Read(payload, ShopifyJsonContext.Default.ShopifyOrder)),
                OrdersFulfilled => MapFulfilment(delivery, Read(payload, ShopifyJsonContext.Default.ShopifyOrder), payload.ReceivedAt),
                RefundsCreate => MapRefund(delivery, Read(payload, ShopifyJsonContext.Default.ShopifyRefund)),
                CustomersCreate => MapCustomer(delivery, Read(payload, ShopifyJsonContext.Default.ShopifyCustomer)),
                _ => MapCheckout(delivery, Read(payload, ShopifyJsonContext.Default.ShopifyCheckout)),
            };
            return EntryCollector.One(outcome, $"Shopify {topic}");
        }
        catch (JsonException ex)
        {
            return NormalizationResult.Failed($"Shopify {topic} body is not the documented JSON object: {ex.Message}");
        }
    }

    private static AdapterOutcome MapPurchase(Delivery delivery, ShopifyOrder order)
    {
        if (order.Id is not { } orderId)
        {
            return AdapterOutcome.Fail("the order has no id");
        }

        var identities = OrderPeople(order);
        if (identities.Count == 1)
        {
            return AdapterOutcome.Fail("the order names no customer (no e-mail, phone or customer id)");
        }

        var placedAt = order.ProcessedAt ?? order.CreatedAt;
        if (placedAt is null)
        {
            return AdapterOutcome.Fail("the order has no created_at or processed_at time", identities);
        }

        var attributes = OrderAttributes(delivery, order, orderId);
        var value = Money(order.TotalPrice, order.Currency);
        AddMoney(attributes, order.TotalPrice, order.Currency);
        attributes.AddIfPresent("itemCount", ItemCount(order.LineItems));

        // One fact per order for orders/create and orders/paid: see the class summary.
        return AdapterOutcome.Ok(Factory.Create(
            $"order:{Id(orderId)}",
            placedAt.Value,
            ChannelOf(order.SourceName),
            "order.placed",
            $"Order {OrderName(order, orderId)} placed{value}",
            identities,
            attributes));
    }

    private static AdapterOutcome MapFulfilment(Delivery delivery, ShopifyOrder order, DateTimeOffset receivedAt)
    {
        if (order.Id is not { } orderId)
        {
            return AdapterOutcome.Fail("the order has no id");
        }

        var identities = OrderPeople(order);

        // Without fulfilments in the body (a subscription with include_fields, say), the delivery's trigger time is the
        // best guess; Shopify does not say whether a retry keeps it, so such a fulfilment is stored as having no time of
        // its own and a redelivery under another trigger time still finds the row.
        var fulfilledAt = order.Fulfillments?.Where(f => f?.CreatedAt is not null).Max(f => f!.CreatedAt);
        var attributes = OrderAttributes(delivery, order, orderId);
        return AdapterOutcome.Ok(Factory.Create(
            $"order:{Id(orderId)}:fulfilled",
            fulfilledAt ?? delivery.TriggeredAt ?? receivedAt,
            ChannelOf(order.SourceName),
            "order.fulfilled",
            $"Order {OrderName(order, orderId)} fulfilled",
            identities,
            attributes,
            occurredAtIsReceiptTime: fulfilledAt is null));
    }

    /// <summary>
    /// A refund names only its order: the <c>shopify-order</c> identity that every order touchpoint carries links it to the
    /// buyer. The amount is what was paid back (successful <c>refund</c> transactions), in the transactions' currency.
    /// </summary>
    private static AdapterOutcome MapRefund(Delivery delivery, ShopifyRefund refund)
    {
        if (refund.Id is not { } refundId || refund.OrderId is not { } orderId)
        {
            return AdapterOutcome.Fail("the refund has no id or order_id");
        }

        var at = refund.ProcessedAt ?? refund.CreatedAt;
        if (at is null)
        {
            return AdapterOutcome.Fail("the refund has no created_at or processed_at time");
        }

        var paidBack = (refund.Transactions ?? [])
            .Where(t => t is { Kind: "refund", Status: "success", Amount: >= 0 })
            .Select(t => t!)
            .ToList();
        var currencies = paidBack.Select(t => t.Currency?.ToUpperInvariant()).Distinct().ToList();
        if (currencies.Count > 1)
        {
            return AdapterOutcome.Fail($"the refund pays back in several currencies ({string.Join(", ", currencies)})");
        }

        var identities = new List<Identity>();
        identities.AddIfPresent(IdentityTypes.ShopifyOrder, Id(orderId));
        var attributes = DeliveryAttributes(delivery)
            .Set("orderId", Id(orderId))
            .Set("refundId", Id(refundId))
            .AddIfPresent("note", refund.Note);
        decimal? amount = paidBack.Count == 0 ? null : paidBack.Sum(t => t.Amount!.Value);
        var currency = currencies.SingleOrDefault();
        AddMoney(attributes, amount, currency);
        return AdapterOutcome.Ok(Factory.Create(
            $"refund:{Id(refundId)}",
            at.Value,
            Channel.Web,
            "order.refunded",
            $"Refund{Money(amount, currency)} on order {Id(orderId)}",
            identities,
            attributes));
    }

    private static AdapterOutcome MapCustomer(Delivery delivery, ShopifyCustomer customer)
    {
        if (customer.Id is not { } customerId)
        {
            return AdapterOutcome.Fail("the customer has no id");
        }

        var identities = new List<Identity>();
        identities.AddIfPresent(IdentityTypes.Shopify, Id(customerId));
        identities.AddIfPresent(IdentityTypes.Email, customer.Email);
        identities.AddIfPresent(IdentityTypes.Phone, customer.Phone);
        if (customer.CreatedAt is not { } createdAt)
        {
            return AdapterOutcome.Fail("the customer has no created_at time", identities);
        }

        var attributes = DeliveryAttributes(delivery)
            .Set("customerId", Id(customerId))
            .AddIfPresent("state", customer.State)
            .AddIfPresent("tags", customer.Tags);
        return AdapterOutcome.Ok(Factory.Create(
            $"customer:{Id(customerId)}",
            createdAt,
            Channel.Web,
            "customer.created",
            "Shopify customer account created",
            identities,
            attributes));
    }

    private static AdapterOutcome MapCheckout(Delivery delivery, ShopifyCheckout checkout)
    {
        var key = checkout.Token is { Length: > 0 } token ? token : checkout.Id is { } id ? Id(id) : null;
        if (key is null)
        {
            return AdapterOutcome.Fail("the checkout has no token or id");
        }

        var identities = new List<Identity>();
        identities.AddIfPresent(IdentityTypes.Email, checkout.Email ?? checkout.Customer?.Email);
        identities.AddIfPresent(IdentityTypes.Phone, checkout.Phone ?? checkout.Customer?.Phone);
        if (checkout.Customer?.Id is { } customerId)
        {
            identities.AddIfPresent(IdentityTypes.Shopify, Id(customerId));
        }

        if (checkout.CreatedAt is not { } createdAt)
        {
            return AdapterOutcome.Fail("the checkout has no created_at time", identities);
        }

        if (identities.Count == 0)
        {
            return AdapterOutcome.Fail("the checkout names no customer yet (no e-mail, phone or customer id)");
        }

        // A checkout's total is what the cart was worth, not money received: it travels as cartValue, never as amount.
        var attributes = DeliveryAttributes(delivery)
            .Set("checkoutToken", key)
            .AddIfPresent("cartValue", checkout.TotalPrice?.ToString(CultureInfo.InvariantCulture))
            .AddIfPresent("currency", checkout.Currency?.ToUpperInvariant())
            .AddIfPresent("itemCount", ItemCount(checkout.LineItems));
        return AdapterOutcome.Ok(Factory.Create(
            $"checkout:{key}",
            createdAt,
            ChannelOf(checkout.SourceName),
            "checkout.started",
            $"Checkout started{Money(checkout.TotalPrice, checkout.Currency)}",
            identities,
            attributes));
    }

    /// <summary>The buyer in every id the order names, plus the order itself so that a later refund finds its buyer.</summary>
    private static List<Identity> OrderPeople(ShopifyOrder order)
    {
        var identities = new List<Identity>(4);
        identities.AddIfPresent(IdentityTypes.ShopifyOrder, Id(order.Id!.Value));
        identities.AddIfPresent(IdentityTypes.Email, order.Email ?? order.ContactEmail ?? order.Customer?.Email);
        identities.AddIfPresent(IdentityTypes.Phone, order.Phone ?? order.Customer?.Phone);
        if (order.Customer?.Id is { } customerId)
        {
            identities.AddIfPresent(IdentityTypes.Shopify, Id(customerId));
        }

        return identities;
    }

    private static AttributeDictionary OrderAttributes(Delivery delivery, ShopifyOrder order, long orderId) =>
        DeliveryAttributes(delivery)
            .Set("orderId", Id(orderId))
            .AddIfPresent("orderName", order.Name)
            .AddIfPresent("financialStatus", order.FinancialStatus)
            .AddIfPresent("fulfillmentStatus", order.FulfillmentStatus)
            .AddIfPresent("sourceName", order.SourceName)
            .AddIfPresent("landingSite", order.LandingSite)
            .AddIfPresent("referringSite", order.ReferringSite)
            .AddIfPresent("test", order.Test == true ? "true" : null);

    private static AttributeDictionary DeliveryAttributes(Delivery delivery) =>
        new AttributeDictionary(12)
            .Set("topic", delivery.Topic)
            .AddIfPresent("webhookId", delivery.WebhookId)
            .AddIfPresent("eventId", delivery.EventId)
            .AddIfPresent("shopDomain", delivery.ShopDomain);

    /// <summary><c>amount</c> and <c>currency</c> as <see cref="Journey.JourneyState"/> reads them (invariant decimal, ISO 4217).</summary>
    private static void AddMoney(AttributeDictionary attributes, decimal? amount, string? currency)
    {
        if (amount is >= 0)
        {
            attributes.Set("amount", amount.Value.ToString(CultureInfo.InvariantCulture));
            attributes.AddIfPresent("currency", currency?.Trim().ToUpperInvariant());
        }
    }

    private static string Money(decimal? amount, string? currency) =>
        amount is { } value ? string.Create(CultureInfo.InvariantCulture, $": {value:0.00} {currency?.ToUpperInvariant()}").TrimEnd() : "";

    private static string? ItemCount(ShopifyLineItem?[]? items) =>
        items is null ? null : items.Sum(i => i?.Quantity ?? 0).ToString(CultureInfo.InvariantCulture);

    /// <summary>Point of sale orders happened in a shop; everything else (online store, draft orders, apps) on the web.</summary>
    private static Channel ChannelOf(string? sourceName) => sourceName == "pos" ? Channel.InStore : Channel.Web;

    private static string OrderName(ShopifyOrder order, long orderId) => order.Name is { Length: > 0 } name ? name : Id(orderId);

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static T Read<T>(RawPayload payload, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        JsonSerializer.Deserialize(payload.Body.Span, type) ?? throw new JsonException("the body is JSON null");

    /// <summary>Sender facts come back from blob metadata on a replay, whose keys may not keep their case.</summary>
    private static string? Property(RawPayload payload, string name)
    {
        if (payload.Properties.TryGetValue(name, out var exact))
        {
            return exact;
        }

        foreach (var (key, value) in payload.Properties)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    private sealed record Delivery(string Topic, string? WebhookId, string? EventId, string? ShopDomain, DateTimeOffset? TriggeredAt);
}
