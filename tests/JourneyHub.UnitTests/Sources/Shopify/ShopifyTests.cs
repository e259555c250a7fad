using System.Text;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Signatures;
using JourneyHub.Core.Sources.Shopify;
using static JourneyHub.UnitTests.Sources.SourceTestKit;

namespace JourneyHub.UnitTests.Sources.Shopify;

public sealed class ShopifySignatureTests
{
    public static TheoryData<string> Fixtures => new()
    {
        "orders-create", "orders-paid", "orders-fulfilled", "refunds-create", "customers-create", "checkouts-create",
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void The_known_answer_signature_of_each_fixture_verifies(string name)
    {
        var headers = Headers($"shopify/shopify-{name}.headers.json");
        var body = Fixture.Bytes($"shopify/shopify-{name}.json");
        var secret = headers.Strings["testWebhookSecret"];

        Assert.Equal(headers.Headers["X-Shopify-Hmac-Sha256"], ShopifySignature.Compute(secret, body));
        Assert.Equal(SignatureCheck.Valid, ShopifySignature.Verify(secret, body, headers.Headers["X-Shopify-Hmac-Sha256"]));
    }

    [Fact]
    public void One_changed_byte_or_another_secret_is_a_mismatch()
    {
        var headers = Headers("shopify/shopify-orders-create.headers.json");
        var body = Fixture.Bytes("shopify/shopify-orders-create.json");
        var signature = headers.Headers["X-Shopify-Hmac-Sha256"];
        var tampered = (byte[])body.Clone();
        tampered[^2] ^= 0x01;

        Assert.Equal(SignatureCheck.Mismatch, ShopifySignature.Verify(headers.Strings["testWebhookSecret"], tampered, signature));
        Assert.Equal(SignatureCheck.Mismatch, ShopifySignature.Verify("shpss_another", body, signature));
    }

    [Theory]
    [InlineData(null, SignatureCheck.Missing)]
    [InlineData("  ", SignatureCheck.Missing)]
    [InlineData("not base64 at all", SignatureCheck.Malformed)]
    [InlineData("c2hvcnQ=", SignatureCheck.Malformed)]
    [InlineData("sha256=7BZ0v+r/pBN6EId5lQweGJ0eGpB78O6IdRf3lvnaXz0=", SignatureCheck.Malformed)]
    public void Absent_or_malformed_headers_are_told_apart(string? header, SignatureCheck expected) =>
        Assert.Equal(expected, ShopifySignature.Verify("secret", "{}"u8, header));

    [Fact]
    public void Without_a_secret_nothing_verifies() =>
        Assert.Equal(SignatureCheck.NotConfigured, ShopifySignature.Verify(null, "{}"u8, "7BZ0v+r/pBN6EId5lQweGJ0eGpB78O6IdRf3lvnaXz0="));

    [Fact]
    public void The_verifier_forwards_the_topic_and_delivery_ids_of_a_valid_delivery()
    {
        var headers = Headers("shopify/shopify-orders-create.headers.json");
        var verifier = new ShopifyWebhookVerifier(Monitor(new ShopifyOptions { WebhookSecret = headers.Strings["testWebhookSecret"] }));
        var lowerCased = headers.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value, StringComparer.Ordinal);

        var verification = verifier.Verify(Webhook(Fixture.Bytes("shopify/shopify-orders-create.json"), lowerCased), ReceivedAt);

        Assert.True(verification.IsValid, verification.Detail);
        Assert.Equal("orders/create", verification.Properties![ShopifyWebhookVerifier.TopicProperty]);
        Assert.Equal(headers.Headers["X-Shopify-Webhook-Id"], verification.Properties[ShopifyWebhookVerifier.WebhookIdProperty]);
        Assert.Equal(headers.Headers["X-Shopify-Event-Id"], verification.Properties[ShopifyWebhookVerifier.EventIdProperty]);
        Assert.Equal("nordic-outdoor-demo.myshopify.com", verification.Properties[ShopifyWebhookVerifier.ShopDomainProperty]);
    }

    [Fact]
    public void The_verifier_names_the_missing_setting()
    {
        var verifier = new ShopifyWebhookVerifier(Monitor(new ShopifyOptions()));
        var verification = verifier.Verify(Webhook("{}"u8.ToArray(), new Dictionary<string, string>()), ReceivedAt);

        Assert.Equal(SignatureCheck.NotConfigured, verification.Check);
        Assert.Contains("Sources__Shopify__WebhookSecret", verification.Detail, StringComparison.Ordinal);
    }
}

public sealed class ShopifyAdapterTests
{
    private static readonly ShopifyAdapter Adapter = new();

    public static TheoryData<string, string, string, Channel, JourneyStage, string> Golden => new()
    {
        // fixture, sourceEventId, action, channel, stage, identities
        { "orders-create", "order:820982911946154508", "order.placed", Channel.Web, JourneyStage.Decision, "shopify-order:820982911946154508 email:maria.lindqvist@example.com phone:+46701234567 shopify:706405506930370084" },
        { "orders-paid", "order:820982911946154508", "order.placed", Channel.Web, JourneyStage.Decision, "shopify-order:820982911946154508 email:maria.lindqvist@example.com phone:+46701234567 shopify:706405506930370084" },
        { "orders-fulfilled", "order:820982911946154508:fulfilled", "order.fulfilled", Channel.Web, JourneyStage.Retention, "shopify-order:820982911946154508 email:maria.lindqvist@example.com phone:+46701234567 shopify:706405506930370084" },
        { "refunds-create", "refund:509562969", "order.refunded", Channel.Web, JourneyStage.Retention, "shopify-order:820982911946154508" },
        { "customers-create", "customer:706405506930370084", "customer.created", Channel.Web, JourneyStage.Awareness, "shopify:706405506930370084 email:maria.lindqvist@example.com phone:+46701234567" },
        { "checkouts-create", "checkout:bd5a8aa1ecd019dd3520ff791ee3a24c", "checkout.started", Channel.Web, JourneyStage.Consideration, "email:maria.lindqvist@example.com phone:+46701234567 shopify:706405506930370084" },
    };

    [Theory]
    [MemberData(nameof(Golden))]
    public void Each_golden_delivery_becomes_the_expected_touchpoint(string fixture, string sourceEventId, string action, Channel channel, JourneyStage stage, string identities)
    {
        var touchpoint = Assert.Single(Normalize(fixture).Touchpoints);

        Assert.Equal("shopify", touchpoint.Source);
        Assert.Equal(sourceEventId, touchpoint.SourceEventId);
        Assert.Equal(TouchpointIds.For("shopify", sourceEventId), touchpoint.TouchpointId);
        Assert.Equal(action, touchpoint.Action);
        Assert.Equal(channel, touchpoint.Channel);
        Assert.Equal(TouchpointKind.Direct, touchpoint.Kind);
        Assert.Equal(stage, touchpoint.Stage);
        Assert.Equal(identities, Ids(touchpoint));
        var headers = Headers($"shopify/shopify-{fixture}.headers.json").Headers;
        Assert.Equal(headers["X-Shopify-Webhook-Id"], touchpoint.Attributes["webhookId"]);
        Assert.Equal(headers["X-Shopify-Event-Id"], touchpoint.Attributes["eventId"]);
    }

    [Fact]
    public void An_order_carries_its_amount_and_currency_as_the_journey_state_reads_them()
    {
        var order = Assert.Single(Normalize("orders-create").Touchpoints);

        Assert.Equal("199.00", order.Attributes["amount"]);
        Assert.Equal("EUR", order.Attributes["currency"]);
        Assert.Equal("3", order.Attributes["itemCount"]);
        Assert.Equal("#1042", order.Attributes["orderName"]);
        Assert.Equal(new DateTimeOffset(2025, 3, 14, 20, 21, 3, TimeSpan.Zero), order.OccurredAt);
        Assert.Equal("Order #1042 placed: 199.00 EUR", order.Summary);
        Assert.Contains(order.Action, JourneyState.PurchaseActions);
        Assert.Equal(199.0, JourneyState.Amount(order));
    }

    [Fact]
    public void Orders_create_and_orders_paid_of_one_order_are_one_touchpoint()
    {
        var created = Assert.Single(Normalize("orders-create").Touchpoints);
        var paid = Assert.Single(Normalize("orders-paid").Touchpoints);

        Assert.Equal(created.TouchpointId, paid.TouchpointId);
        Assert.Equal(created.OccurredAt, paid.OccurredAt);
        Assert.Equal(created.Attributes["amount"], paid.Attributes["amount"]);
    }

    [Theory]
    [MemberData(nameof(ShopifySignatureTests.Fixtures), MemberType = typeof(ShopifySignatureTests))]
    public void A_redelivery_under_the_same_webhook_id_is_the_same_row_whatever_else_the_retry_changes(string fixture)
    {
        var first = Assert.Single(Normalize(fixture).Touchpoints);

        // A retry of the delivery: same X-Shopify-Webhook-Id and body, received an hour later, under another trigger time
        // and event id (Shopify does not document either as stable across retries).
        var retry = Assert.Single(Normalize(fixture, receivedAt: ReceivedAt.AddHours(1), overrides: new(StringComparer.Ordinal)
        {
            [ShopifyWebhookVerifier.EventIdProperty] = "retry-event",
            [ShopifyWebhookVerifier.TriggeredAtProperty] = "2025-03-20T08:00:00.000Z",
        }).Touchpoints);

        Assert.Equal(first.TouchpointId, retry.TouchpointId);
        Assert.Equal(first.OccurredAt, retry.OccurredAt);
        Assert.False(first.OccurredAtIsReceiptTime);
        Assert.False(retry.OccurredAtIsReceiptTime);
    }

    [Fact]
    public void A_fulfilment_timed_only_by_its_delivery_is_stored_as_having_no_time_of_its_own()
    {
        var withFulfilments = Assert.Single(Normalize("orders-fulfilled").Touchpoints);
        Assert.Equal(new DateTimeOffset(2025, 3, 16, 13, 2, 41, TimeSpan.Zero), withFulfilments.OccurredAt);
        Assert.False(withFulfilments.OccurredAtIsReceiptTime);

        // A subscription whose include_fields leave the fulfilments out: the trigger time, else the receipt time, and
        // flagged so that storage deduplicates on the touchpoint id alone (see the adapter's summary).
        static string WithoutFulfilments(string body)
        {
            var order = System.Text.Json.Nodes.JsonNode.Parse(body)!.AsObject();
            Assert.True(order.Remove("fulfillments"));
            return order.ToJsonString();
        }

        var triggered = Assert.Single(Normalize("orders-fulfilled", body: WithoutFulfilments).Touchpoints);
        var untriggered = Assert.Single(Normalize("orders-fulfilled", body: WithoutFulfilments, receivedAt: ReceivedAt.AddHours(2), overrides: new(StringComparer.Ordinal) { [ShopifyWebhookVerifier.TriggeredAtProperty] = "" }).Touchpoints);

        Assert.Equal(new DateTimeOffset(2025, 3, 16, 13, 2, 42, 9, TimeSpan.Zero), triggered.OccurredAt);
        Assert.Equal(ReceivedAt.AddHours(2), untriggered.OccurredAt);
        Assert.True(triggered.OccurredAtIsReceiptTime);
        Assert.True(untriggered.OccurredAtIsReceiptTime);
        Assert.Equal(withFulfilments.TouchpointId, triggered.TouchpointId);
        Assert.Equal(withFulfilments.TouchpointId, untriggered.TouchpointId);
    }

    [Fact]
    public void Topics_that_share_an_event_id_stay_apart_when_they_state_different_facts()
    {
        // X-Shopify-Event-Id is shared by every delivery of one merchant action, e.g. a point-of-sale order placed and
        // handed over at once: keyed on it, the fulfilment would swallow the purchase.
        var shared = new Dictionary<string, string>(StringComparer.Ordinal) { [ShopifyWebhookVerifier.EventIdProperty] = "one-merchant-action" };
        var placed = Assert.Single(Normalize("orders-create", overrides: shared).Touchpoints);
        var fulfilled = Assert.Single(Normalize("orders-fulfilled", overrides: shared).Touchpoints);

        Assert.NotEqual(placed.TouchpointId, fulfilled.TouchpointId);
        Assert.Equal(("order.placed", "order.fulfilled"), (placed.Action, fulfilled.Action));
        Assert.Equal("one-merchant-action", placed.Attributes["eventId"]);
        Assert.Equal("one-merchant-action", fulfilled.Attributes["eventId"]);
    }

    [Fact]
    public void A_refund_is_the_money_paid_back_and_lowers_the_customers_value()
    {
        var refund = Assert.Single(Normalize("refunds-create").Touchpoints);
        Assert.Equal("24.00", refund.Attributes["amount"]);
        Assert.Equal("EUR", refund.Attributes["currency"]);
        Assert.Equal("Socks arrived damaged", refund.Attributes["note"]);
        Assert.Equal("Refund: 24.00 EUR on order 820982911946154508", refund.Summary);

        // The order, a duplicate of it, its fulfilment and the refund, through the journey summary.
        var journey = new[] { "orders-create", "orders-paid", "orders-fulfilled", "refunds-create" }
            .Select(f => Assert.Single(Normalize(f).Touchpoints))
            .DistinctBy(t => t.TouchpointId)
            .Aggregate(new JourneyState(), (state, t) => state.Apply(t));
        var value = JourneySummary.From(new CustomerRecord { CustomerId = "cus_1", CreatedAt = ReceivedAt, Journey = journey }, ReceivedAt).Value;
        Assert.Equal(1, value.PurchaseCount);
        var eur = Assert.Single(value.ByCurrency);
        Assert.Equal(("EUR", 1, 175.0, 175.0), (eur.Currency, eur.Purchases, eur.AverageOrderValue, eur.LifetimeValue));
    }

    [Fact]
    public void A_checkout_is_worth_its_cart_but_is_not_a_purchase()
    {
        var checkout = Assert.Single(Normalize("checkouts-create").Touchpoints);

        Assert.Equal("199.00", checkout.Attributes["cartValue"]);
        Assert.False(checkout.Attributes.ContainsKey("amount"));
        Assert.DoesNotContain(checkout.Action, JourneyState.PurchaseActions);
    }

    [Fact]
    public void A_point_of_sale_order_happened_in_store()
    {
        var body = Fixture.Text("shopify/shopify-orders-create.json").Replace("\"source_name\":\"web\"", "\"source_name\":\"pos\"", StringComparison.Ordinal);
        var touchpoint = Assert.Single(Adapter.Normalize(Raw("shopify", Encoding.UTF8.GetBytes(body), Topic("orders/create"))).Touchpoints);
        Assert.Equal(Channel.InStore, touchpoint.Channel);
    }

    [Theory]
    [InlineData(null, "X-Shopify-Topic header was not sent")]
    [InlineData("products/update", "topic 'products/update' is not supported")]
    public void Deliveries_without_a_readable_topic_are_dead_letters(string? topic, string reason)
    {
        var result = Adapter.Normalize(Raw("shopify", Fixture.Bytes("shopify/shopify-orders-create.json"), topic is null ? null : Topic(topic)));

        Assert.Empty(result.Touchpoints);
        Assert.Contains(reason, Assert.Single(result.Rejected).Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"id\":", "not the documented JSON object")]
    [InlineData("null", "not the documented JSON object")]
    [InlineData("{\"id\":5,\"created_at\":\"2025-03-14T16:21:03-04:00\",\"total_price\":\"5.00\"}", "names no customer")]
    [InlineData("{\"email\":\"a@example.com\",\"created_at\":\"2025-03-14T16:21:03-04:00\"}", "has no id")]
    [InlineData("{\"id\":5,\"email\":\"a@example.com\"}", "no created_at")]
    public void Orders_that_cannot_be_read_are_dead_letters_with_the_reason(string body, string reason)
    {
        var result = Adapter.Normalize(Raw("shopify", Encoding.UTF8.GetBytes(body), Topic("orders/create")));

        Assert.Empty(result.Touchpoints);
        Assert.Contains(reason, Assert.Single(result.Rejected).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Properties_read_back_from_blob_metadata_are_found_whatever_their_case()
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal) { ["shopifytopic"] = "customers/create" };
        var result = Adapter.Normalize(Raw("shopify", Fixture.Bytes("shopify/shopify-customers-create.json"), properties));

        Assert.Equal("customer.created", Assert.Single(result.Touchpoints).Action);
    }

    [Fact]
    public void An_order_id_is_a_link_not_a_person_so_a_customer_may_have_many()
    {
        Assert.True(IdentityTypes.IsObject(IdentityTypes.ShopifyOrder));
        Assert.False(IdentityTypes.IsObject(IdentityTypes.Shopify));
        var guard = new IdentityGuard(Microsoft.Extensions.Options.Options.Create(new IdentityOptions { MaxPerType = 2 }));
        var orders = Enumerable.Range(1, 10).Select(i => new Identity(IdentityTypes.ShopifyOrder, i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();

        Assert.True(guard.FitsLimit([], orders, out _));
    }

    /// <summary>
    /// A golden delivery as the verifier hands it on; <paramref name="overrides"/> replace forwarded headers (an empty value
    /// leaves the header out), <paramref name="body"/> rewrites the body.
    /// </summary>
    [Fact]
    public void A_customer_rejected_for_a_missing_time_still_names_the_customer_so_erasure_finds_it()
    {
        var result = Normalize("customers-create", body: b => b.Replace("\"created_at\":", "\"created_at_was\":", StringComparison.Ordinal));

        var rejected = Assert.Single(result.Rejected);
        Assert.Contains("created_at", rejected.Reason, StringComparison.Ordinal);
        Assert.Contains(new Identity("email", "maria.lindqvist@example.com"), rejected.Identities);
        Assert.Contains(rejected.Identities, i => i.Type == "shopify");
    }

    private static Core.Ingestion.NormalizationResult Normalize(string fixture, Dictionary<string, string>? overrides = null, Func<string, string>? body = null, DateTimeOffset? receivedAt = null)
    {
        var headers = Headers($"shopify/shopify-{fixture}.headers.json").Headers;
        var properties = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ShopifyWebhookVerifier.TopicProperty] = headers["X-Shopify-Topic"],
            [ShopifyWebhookVerifier.WebhookIdProperty] = headers["X-Shopify-Webhook-Id"],
            [ShopifyWebhookVerifier.EventIdProperty] = headers["X-Shopify-Event-Id"],
            [ShopifyWebhookVerifier.ShopDomainProperty] = headers["X-Shopify-Shop-Domain"],
            [ShopifyWebhookVerifier.TriggeredAtProperty] = headers["X-Shopify-Triggered-At"],
        };
        foreach (var (key, value) in overrides ?? [])
        {
            if (value.Length == 0)
            {
                properties.Remove(key);
            }
            else
            {
                properties[key] = value;
            }
        }

        var text = Fixture.Text($"shopify/shopify-{fixture}.json");
        var raw = Raw("shopify", Encoding.UTF8.GetBytes(body is null ? text : body(text)), properties);
        return Adapter.Normalize(raw with { ReceivedAt = receivedAt ?? ReceivedAt });
    }

    private static Dictionary<string, string> Topic(string topic) => new(StringComparer.Ordinal) { [ShopifyWebhookVerifier.TopicProperty] = topic };
}
