using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace JourneyHub.LocalHost;

public enum DemoSigner
{
    HubSpot,
    Meta,
    FunctionKey,
    StandardWebhooks,
    Shopify,
    Zendesk,
    Intercom,
    Typeform,
    SurveyMonkey,
    Delighted,
}

/// <summary>One webhook delivery as its sender would make it; <see cref="Touchpoints"/> is how many touchpoints it carries.</summary>
/// <remarks><see cref="Topic"/> is the Shopify topic header; a delivery that repeats a fact already sent carries 0 touchpoints.</remarks>
public sealed record DemoDelivery(string Route, string ContentType, byte[] Body, DemoSigner Signer, int Touchpoints, string? CustomSource = null, string? WebhookId = null, string? Topic = null);

/// <summary>A demo customer: the link delivery names all of its identities; the rest is its journey.</summary>
public sealed record DemoCustomer(string Email, string Story, DemoDelivery Link, IReadOnlyList<DemoDelivery> Deliveries)
{
    public int Touchpoints => Link.Touchpoints + Deliveries.Sum(d => d.Touchpoints);
}

public sealed record DemoPlan(IReadOnlyList<DemoCustomer> Customers);

/// <summary>
/// Realistic journeys of an outdoor-gear shop's customers, in the wire shapes of HubSpot, Salesforce Outbound Messages,
/// Meta (Facebook page and Instagram), Trustpilot, Shopify, Zendesk, Intercom, Typeform, SurveyMonkey, Delighted and
/// Standard Webhooks custom sources (web sign-up, point of sale, NPS/CSAT survey). Times are relative to today (UTC), so the maps look current; ids are fixed, so a second run on the same day
/// adds nothing (every touchpoint id derives from source and event id).
/// </summary>
public static class DemoJourneys
{
    public const string HubSpotSecretKey = "Sources:HubSpot:ClientSecret";
    public const string MetaSecretKey = "Sources:Meta:AppSecret";
    public const string SalesforceOrgKey = "Sources:Salesforce:OrganizationId";
    public const string ShopifySecretKey = "Sources:Shopify:WebhookSecret";
    public const string ZendeskSecretKey = "Sources:Zendesk:SigningSecret";
    public const string IntercomSecretKey = "Sources:Intercom:ClientSecret";
    public const string TypeformSecretKey = "Sources:Typeform:Secret";
    public const string SurveyMonkeyClientIdKey = "Sources:SurveyMonkey:ClientId";
    public const string SurveyMonkeyClientSecretKey = "Sources:SurveyMonkey:ClientSecret";
    public const string DelightedApiKeyKey = "Sources:Delighted:ApiKey";
    public const string SalesforceOrganizationId = "00D5g000004ZkQ1EAK";
    public const string PageId = "104328857712345";
    public const string InstagramAccountId = "17841401234567890";
    public static readonly string[] CustomSources = ["web", "pos", "nps-survey"];

    public static string CustomSecretKey(string name) => $"Sources:Custom:{name}:Secret";

    /// <summary>Secrets demo mode signs with when none are configured (development values, never used outside --demo).</summary>
    public static IReadOnlyDictionary<string, string> Secrets { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [HubSpotSecretKey] = "demo-hubspot-client-secret",
        [MetaSecretKey] = "demo-meta-app-secret",
        ["Sources:Meta:VerifyToken"] = "demo-verify-token",
        [SalesforceOrgKey] = SalesforceOrganizationId,
        [ShopifySecretKey] = "demo-shopify-webhook-secret",
        [ZendeskSecretKey] = "demo-zendesk-signing-secret",
        [IntercomSecretKey] = "demo-intercom-client-secret",
        [TypeformSecretKey] = "demo-typeform-secret",
        [SurveyMonkeyClientIdKey] = "demo-surveymonkey-client",
        [SurveyMonkeyClientSecretKey] = "demo-surveymonkey-secret",
        [DelightedApiKeyKey] = "demo-delighted-api-key",
        [CustomSecretKey("web")] = "whsec_" + Convert.ToBase64String(Encoding.UTF8.GetBytes("journeyhub-demo-web-signing-key!")),
        [CustomSecretKey("pos")] = "whsec_" + Convert.ToBase64String(Encoding.UTF8.GetBytes("journeyhub-demo-pos-signing-key!")),
        [CustomSecretKey("nps-survey")] = "whsec_" + Convert.ToBase64String(Encoding.UTF8.GetBytes("journeyhub-demo-nps-signing-key!")),
    };

    public static DemoPlan Build(DateTimeOffset now)
    {
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        return new DemoPlan(
        [
            Maria(new Journey("maria", 1, today, now)),
            James(new Journey("james", 2, today, now)),
            Aiko(new Journey("aiko", 3, today, now)),
            Lucas(new Journey("lucas", 4, today, now)),
            Priya(new Journey("priya", 5, today, now)),
        ]);
    }

    /// <summary>Full funnel, with a delivery problem (pain point) that support turns around.</summary>
    private static DemoCustomer Maria(Journey j)
    {
        const string email = "maria.lindqvist@example.com";
        const long hubspot = 81273645012;
        const string salesforce = "0035g00000XyZ12AAB";
        const string instagram = "17841455566677788";
        const string meta = "7012345678901234";
        const string trustpilot = "5c1d2e3f4a5b6c7d8e9f0a1b";
        const string shopify = "706405506930370084";
        const string zendesk = "8447388090494";
        const string intercom = "65f1c2d3e4a5b6c7d8e9f0a1";
        var link = j.WebSignup(j.At(118, 19, 12), email, "+46 70 123 45 67", new() { ["hubspot"] = hubspot.ToString(CultureInfo.InvariantCulture), ["salesforce"] = salesforce, ["instagram"] = instagram, ["meta"] = meta, ["trustpilot"] = trustpilot, ["shopify"] = shopify, ["zendesk"] = zendesk, ["intercom"] = intercom });
        j.InstagramComment(j.At(121, 20, 4), instagram, "maria.outdoors", "Love these tents! Do you ship to Sweden?");
        j.HubSpot(HubSpotContact(j, hubspot, j.At(118, 19, 13), "FORM"), HubSpotLifecycle(j, hubspot, j.At(118, 19, 14), "lead"));
        j.SalesforceContact(j.At(117, 9, 30), salesforce, "Maria", "Lindqvist", email);
        j.PageView(j.At(112, 21, 40), email, "/tents/arctic-dome-4", "consideration");
        j.PageView(j.At(110, 7, 55), email, "/pricing", "consideration");
        j.HubSpot(HubSpotLifecycle(j, hubspot, j.At(104, 10, 0), "marketingqualifiedlead"));
        j.Messenger(j.At(98, 18, 22), meta, "Hi! Which of your tents is best for winter camping up north?");
        j.IntercomChat(j.At(97, 20, 10), intercom, email, "Do you ship the Arctic Dome 4 to Umeå? Love the colour!");
        j.SalesforceTask(j.At(95, 14, 5), salesforce, "Call", "Discovery call: winter range and delivery to Umeå");
        j.SalesforceEvent(j.At(90, 11, 0), salesforce, "Showroom visit: Arctic Dome 4");
        j.HubSpot(HubSpotLifecycle(j, hubspot, j.At(88, 9, 0), "opportunity"));
        j.SalesforceOpportunity(j.At(81, 16, 10), salesforce, "Lindqvist - Arctic Dome 4 bundle", "Closed Won", "1290.0");
        j.HubSpot(HubSpotLifecycle(j, hubspot, j.At(81, 16, 30), "customer"));
        j.Purchase(j.At(80, 13, 2), email, "Arctic Dome 4 + footprint", 1290.00m, "store-stockholm");
        j.Messenger(j.At(71, 8, 47), meta, "My order still hasn't arrived and nobody answers. This is really frustrating and disappointing.");
        j.SalesforceCase(j.At(70, 9, 15), salesforce, email, "Email", "00001042", "Delivery delayed: order A-10442");
        j.ZendeskTicket(j.At(70, 9, 40), zendesk, "5158", "Where is my order?", "Ordered three weeks ago and still nothing. Very disappointed.");
        j.ZendeskReopened(j.At(68, 8, 5), zendesk, "5158", "Where is my order?");
        j.ZendeskRating(j.At(64, 18, 30), zendesk, email, "5158", "bad", "Took a week and two tickets to get an answer.");
        j.Survey(j.At(66, 12, 0), email, "csat", 2, "Support took days to reply");
        j.TrustpilotReview(j.At(63, 20, 31), trustpilot, "Maria L.", email, "tp-rev-maria-1", 3, "Great tent, slow delivery", "The tent is excellent but it arrived two weeks late.");
        j.InstagramComment(j.At(45, 7, 12), instagram, "maria.outdoors", "Finally out camping with my new tent, it's amazing! 😍");
        j.Survey(j.At(31, 10, 5), email, "nps", 9, "Great tents, delivery could be faster");
        j.ShopifyOrder(j.At(20, 15, 44), shopify, email, 820982911946154508, "#1042", 398.00m, "2× Polar sleeping bag");
        j.ShopifyRefund(j.At(12, 11, 5), 820982911946154508, 509562969, 49.00m, "One bag's zip was faulty");
        j.IntercomRating(j.At(11, 9, 30), intercom, email, 5, "Quick refund, thank you!");
        j.TrustpilotUpdate(j.At(10, 19, 2), trustpilot, "Maria L.", email, "tp-rev-maria-1", j.At(63, 20, 31), 5, "Great tent, support made it right", "Arrived late, but support sent a free footprint as an apology. Love it.");
        j.HubSpot(HubSpotLifecycle(j, hubspot, j.At(5, 9, 0), "evangelist"));
        return j.Customer(email, "full funnel: Instagram → HubSpot → Salesforce deal → store purchase → delivery complaint → 5★", link);
    }

    /// <summary>Considered, priced out, lost.</summary>
    private static DemoCustomer James(Journey j)
    {
        const string email = "james.okafor@example.net";
        const long hubspot = 81273645877;
        const string salesforce = "0035g00000XyZ77AAB";
        const string meta = "6743210987654321";
        const string instagram = "17841466677788899";
        var link = j.WebSignup(j.At(74, 12, 30), email, null, new() { ["hubspot"] = hubspot.ToString(CultureInfo.InvariantCulture), ["salesforce"] = salesforce, ["meta"] = meta, ["instagram"] = instagram });
        j.FacebookComment(j.At(76, 18, 2), meta, "James Okafor", "Does the Family Cabin 6 come in green?");
        j.HubSpot(HubSpotContact(j, hubspot, j.At(74, 12, 31), "FORM"), HubSpotLifecycle(j, hubspot, j.At(74, 12, 32), "lead"));
        j.PageView(j.At(66, 22, 10), email, "/tents/family-cabin-6", "consideration");
        j.HubSpot(HubSpotLifecycle(j, hubspot, j.At(60, 9, 0), "marketingqualifiedlead"));
        j.SalesforceContact(j.At(56, 10, 0), salesforce, "James", "Okafor", email);
        j.SalesforceTask(j.At(55, 15, 20), salesforce, "Call", "Pricing question: group discount");
        j.SalesforceEvent(j.At(50, 17, 0), salesforce, "Video demo: family tents");
        j.SalesforceOpportunity(j.At(46, 11, 0), salesforce, "Okafor - Family Cabin 6", "Proposal/Price Quote", "1850.0");
        j.Messenger(j.At(41, 21, 5), meta, "Honestly the price is too high compared to other brands. Disappointed, it's a poor offer.");
        j.SalesforceOpportunity(j.At(35, 9, 45), salesforce, "Okafor - Family Cabin 6", "Closed Lost", "1850.0");
        j.InstagramComment(j.At(19, 19, 30), instagram, "jokafor", "Still thinking about this one...");
        j.PageView(j.At(3, 20, 15), email, "/sale/spring", "consideration");
        return j.Customer(email, "considered, priced out, deal lost", link);
    }

    /// <summary>Loyal customer with a broken zip that a quick warranty replacement turns around.</summary>
    private static DemoCustomer Aiko(Journey j)
    {
        const string email = "aiko.tanaka@example.org";
        const long hubspot = 81273649001;
        const string salesforce = "0035g00000XyZ90AAB";
        const string instagram = "17841499988877766";
        const string trustpilot = "6d2e3f4a5b6c7d8e9f0a1b2c";
        var link = j.WebSignup(j.At(205, 9, 0), email, "+44 7700 900123", new() { ["hubspot"] = hubspot.ToString(CultureInfo.InvariantCulture), ["salesforce"] = salesforce, ["instagram"] = instagram, ["trustpilot"] = trustpilot });
        j.HubSpot(HubSpotContact(j, hubspot, j.At(205, 9, 1), "FORM"), HubSpotLifecycle(j, hubspot, j.At(205, 9, 2), "subscriber"));
        j.PageView(j.At(200, 20, 0), email, "/backpacks/trail-45", "consideration");
        j.Purchase(j.At(196, 12, 30), email, "Trail 45 backpack", 189.00m, "store-london");
        j.HubSpot(HubSpotLifecycle(j, hubspot, j.At(196, 13, 0), "customer"));
        j.Survey(j.At(180, 9, 40), email, "nps", 10, "Love the quality");
        j.TrustpilotReview(j.At(170, 19, 12), trustpilot, "Aiko T.", email, "tp-rev-aiko-1", 5, "Best backpack I've owned", "Comfortable, light and well made.");
        j.Purchase(j.At(128, 11, 5), email, "Ultralight tent 2P", 449.00m, "store-london");
        j.InstagramComment(j.At(95, 8, 50), instagram, "aiko.hikes", "Took it up Ben Nevis this weekend, perfect!");
        j.TrustpilotReview(j.At(62, 21, 40), trustpilot, "Aiko T.", email, "tp-rev-aiko-2", 1, "Zip broke after two trips", "Really disappointed, the zip broke after two trips. Terrible.");
        j.SalesforceCase(j.At(61, 8, 30), salesforce, email, "Web", "00001077", "Warranty: broken tent zip");
        j.Survey(j.At(56, 16, 0), email, "csat", 5, "Replacement arrived in two days");
        j.DelightedCes(j.At(55, 10, 0), "6120", email, "dl-aiko-1", 6, "Claiming the warranty took five minutes.");
        j.TrustpilotUpdate(j.At(54, 18, 0), trustpilot, "Aiko T.", email, "tp-rev-aiko-2", j.At(62, 21, 40), 4, "Zip broke, warranty was quick", "The zip broke but the replacement came in two days. Great service.");
        j.Survey(j.At(30, 10, 0), email, "nps", 9, null);
        j.Purchase(j.At(9, 14, 15), email, "Merino base layer", 79.00m, "store-london");
        j.TypeformNps(j.At(6, 19, 20), "aiko-7731", email, "tf-aiko-1", 10, "Still the best backpack I've owned.");
        return j.Customer(email, "loyal; broken zip → quick warranty → back to 4★", link);
    }

    /// <summary>Early in the funnel, found the brand on social media.</summary>
    private static DemoCustomer Lucas(Journey j)
    {
        const string email = "lucas.moreau@example.com";
        const long hubspot = 81273650310;
        const string instagram = "17841422233344455";
        const string meta = "7098765432109876";
        var link = j.WebSignup(j.At(21, 21, 0), email, null, new() { ["hubspot"] = hubspot.ToString(CultureInfo.InvariantCulture), ["instagram"] = instagram, ["meta"] = meta });
        j.InstagramComment(j.At(26, 12, 40), instagram, "lucas.bivouac", "Magnifique! Is this the new alpine range?");
        j.InstagramMessage(j.At(23, 18, 5), instagram, "Do you have a store in Lyon? I'd love to try the boots.");
        j.HubSpot(HubSpotContact(j, hubspot, j.At(21, 21, 1), "FORM"), HubSpotLifecycle(j, hubspot, j.At(21, 21, 2), "subscriber"));
        j.PageView(j.At(15, 7, 30), email, "/boots/alpine-gtx", "consideration");
        j.FacebookComment(j.At(10, 19, 0), meta, "Lucas Moreau", "Looks great, can't wait for the spring sale");
        j.HubSpot(HubSpotLifecycle(j, hubspot, j.At(3, 9, 0), "lead"));
        return j.Customer(email, "early funnel, found us on Instagram", link);
    }

    /// <summary>A busy loyalty member: a year of store visits, web sessions and surveys, dense enough to cluster and page.</summary>
    private static DemoCustomer Priya(Journey j)
    {
        const string email = "priya.raman@example.com";
        const long hubspot = 81273651999;
        const string trustpilot = "7e3f4a5b6c7d8e9f0a1b2c3d";
        const string surveyMonkey = "114392077001";
        var link = j.WebSignup(j.At(360, 10, 0), email, "+1 415 555 0134", new() { ["hubspot"] = hubspot.ToString(CultureInfo.InvariantCulture), ["trustpilot"] = trustpilot, ["surveymonkey"] = surveyMonkey });
        j.HubSpot(HubSpotContact(j, hubspot, j.At(360, 10, 1), "FORM"), HubSpotLifecycle(j, hubspot, j.At(360, 10, 2), "lead"));
        string[] pages = ["/tents", "/sale", "/boots/alpine-gtx", "/jackets/storm-shell", "/journal/packing-list", "/stores/san-francisco"];
        string[] products = ["Storm shell jacket", "Trail running shoes", "Camp stove", "Headlamp", "Water filter", "Merino socks ×3"];
        for (var i = 0; i < 120; i++)
        {
            var day = 350 - (i * 29 % 350);
            var hour = 7 + (i * 5 % 14);
            j.PageView(j.At(day, hour, i % 60), email, pages[i % pages.Length], i % 4 == 0 ? "consideration" : null);
        }

        for (var i = 0; i < 24; i++)
        {
            var day = 340 - (i * 14);
            j.Purchase(j.At(day, 12 + (i % 6), 15), email, products[i % products.Length], 25m + (i * 17 % 180), "store-san-francisco");
            if (i == 0)
            {
                j.HubSpot(HubSpotLifecycle(j, hubspot, j.At(day, 18, 0), "customer"));
            }
        }

        for (var i = 0; i < 8; i++)
        {
            var score = i == 4 ? 3 : 7 + (i % 4);
            j.Survey(j.At(330 - (i * 42), 9, 30), email, "nps", score, i == 4 ? "Out of stock twice this month, annoying" : null);
        }

        j.TrustpilotReview(j.At(200, 20, 0), trustpilot, "Priya R.", email, "tp-rev-priya-1", 5, "My go-to outdoor shop", "Friendly staff, fair prices.");
        j.SurveyMonkeyCompleted(j.At(140, 9, 10), surveyMonkey, "114392077101");
        return j.Customer(email, "a busy loyalty member: a year of store visits, web sessions and surveys", link);
    }

    private static JsonObject HubSpotContact(Journey j, long contactId, DateTimeOffset at, string changeSource) => new()
    {
        ["eventId"] = j.NextHubSpotEventId(),
        ["subscriptionId"] = 2390416,
        ["portalId"] = 44791823,
        ["appId"] = 3914022,
        ["occurredAt"] = at.ToUnixTimeMilliseconds(),
        ["subscriptionType"] = "contact.creation",
        ["attemptNumber"] = 0,
        ["objectId"] = contactId,
        ["changeFlag"] = "CREATED",
        ["changeSource"] = changeSource,
    };

    private static JsonObject HubSpotLifecycle(Journey j, long contactId, DateTimeOffset at, string stage) => new()
    {
        ["eventId"] = j.NextHubSpotEventId(),
        ["subscriptionId"] = 2390417,
        ["portalId"] = 44791823,
        ["appId"] = 3914022,
        ["occurredAt"] = at.ToUnixTimeMilliseconds(),
        ["subscriptionType"] = "contact.propertyChange",
        ["attemptNumber"] = 0,
        ["objectId"] = contactId,
        ["propertyName"] = "lifecyclestage",
        ["propertyValue"] = stage,
        ["changeSource"] = "CRM_UI",
    };

    /// <summary>Builds one customer's deliveries; event ids are derived from the customer key and a counter.</summary>
    private sealed class Journey(string key, int number, DateTimeOffset today, DateTimeOffset now)
    {
        private readonly List<DemoDelivery> deliveries = [];
        private int counter;

        public DateTimeOffset At(int daysAgo, int hour, int minute) => today.AddDays(-daysAgo).AddHours(hour).AddMinutes(minute);

        public long NextHubSpotEventId() => 4_000_000_000L + (number * 100_000L) + Interlocked.Increment(ref counter);

        private string NextId(string prefix) => $"{prefix}_{key}_{Interlocked.Increment(ref counter):D4}";

        public DemoCustomer Customer(string email, string story, DemoDelivery link) => new(email, story, link, deliveries.ToList());

        public DemoDelivery WebSignup(DateTimeOffset at, string email, string? phone, Dictionary<string, string> externalIds)
        {
            var person = new JsonObject { ["email"] = email, ["externalIds"] = new JsonObject(externalIds.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))) };
            if (phone is not null)
            {
                person["phone"] = phone;
            }

            return CustomDelivery("web", at, new JsonObject
            {
                ["sourceSystem"] = "shop-web",
                ["externalId"] = NextId("signup"),
                ["channel"] = "web",
                ["action"] = "account.created",
                ["stage"] = "awareness",
                ["summary"] = "Created a shop account (newsletter opt-in)",
                ["person"] = person,
                ["attributes"] = new JsonObject { ["utm_source"] = "instagram", ["utm_campaign"] = "spring-outdoors" },
            });
        }

        public void PageView(DateTimeOffset at, string email, string path, string? stage)
        {
            var data = new JsonObject
            {
                ["sourceSystem"] = "shop-web",
                ["externalId"] = NextId("pv"),
                ["channel"] = "web",
                ["action"] = "page.viewed",
                ["summary"] = $"Viewed {path}",
                ["person"] = new JsonObject { ["email"] = email },
                ["attributes"] = new JsonObject { ["path"] = path, ["device"] = path.Length % 2 == 0 ? "mobile" : "desktop" },
            };
            if (stage is not null)
            {
                data["stage"] = stage;
            }

            deliveries.Add(CustomDelivery("web", at, data));
        }

        public void Purchase(DateTimeOffset at, string email, string items, decimal amount, string store) =>
            deliveries.Add(CustomDelivery("pos", at, new JsonObject
            {
                ["sourceSystem"] = "store-pos",
                ["externalId"] = NextId("receipt"),
                ["channel"] = "in_store",
                ["action"] = "purchase.completed",
                ["summary"] = string.Create(CultureInfo.InvariantCulture, $"Bought {items} in store ({amount:0.00} EUR)"),
                ["person"] = new JsonObject { ["email"] = email },
                ["attributes"] = new JsonObject { ["store"] = store, ["amount"] = amount, ["currency"] = "EUR", ["items"] = items },
            }));

        public void Survey(DateTimeOffset at, string email, string type, int score, string? comment)
        {
            var survey = new JsonObject { ["type"] = type, ["score"] = score };
            if (comment is not null)
            {
                survey["comment"] = comment;
            }

            deliveries.Add(CustomDelivery("nps-survey", at, new JsonObject
            {
                ["sourceSystem"] = "contoso-survey",
                ["externalId"] = NextId("resp"),
                ["channel"] = "survey",
                ["person"] = new JsonObject { ["email"] = email },
                ["survey"] = survey,
                ["attributes"] = new JsonObject { ["campaign"] = type == "nps" ? "quarterly-nps" : "post-support-csat" },
            }));
        }

        /// <summary>orders/create, and the orders/paid of the same order that the hub counts once (0 touchpoints).</summary>
        public void ShopifyOrder(DateTimeOffset at, string customerId, string email, long orderId, string name, decimal amount, string items)
        {
            var order = new JsonObject
            {
                ["id"] = orderId,
                ["name"] = name,
                ["email"] = email,
                ["created_at"] = Iso(at),
                ["processed_at"] = Iso(at),
                ["currency"] = "EUR",
                ["total_price"] = amount.ToString("0.00", CultureInfo.InvariantCulture),
                ["financial_status"] = "paid",
                ["source_name"] = "web",
                ["note"] = items,
                ["customer"] = new JsonObject { ["id"] = long.Parse(customerId, CultureInfo.InvariantCulture), ["email"] = email },
                ["line_items"] = new JsonArray(new JsonObject { ["title"] = items, ["quantity"] = 2, ["price"] = (amount / 2).ToString("0.00", CultureInfo.InvariantCulture) }),
            };
            var body = JsonSerializer.SerializeToUtf8Bytes(order);
            deliveries.Add(new DemoDelivery("api/webhooks/shopify", "application/json", body, DemoSigner.Shopify, 1, WebhookId: NextId("shopify"), Topic: "orders/create"));
            deliveries.Add(new DemoDelivery("api/webhooks/shopify", "application/json", body, DemoSigner.Shopify, 0, WebhookId: NextId("shopify"), Topic: "orders/paid"));
        }

        public void ShopifyRefund(DateTimeOffset at, long orderId, long refundId, decimal amount, string note) =>
            deliveries.Add(new DemoDelivery("api/webhooks/shopify", "application/json", JsonSerializer.SerializeToUtf8Bytes(new JsonObject
            {
                ["id"] = refundId,
                ["order_id"] = orderId,
                ["created_at"] = Iso(at),
                ["processed_at"] = Iso(at),
                ["note"] = note,
                ["transactions"] = new JsonArray(new JsonObject { ["id"] = refundId + 1, ["kind"] = "refund", ["status"] = "success", ["amount"] = amount.ToString("0.00", CultureInfo.InvariantCulture), ["currency"] = "EUR" }),
            }), DemoSigner.Shopify, 1, WebhookId: NextId("shopify"), Topic: "refunds/create"));

        public void ZendeskTicket(DateTimeOffset at, string requesterId, string ticketId, string subject, string description) =>
            Zendesk("zen:event-type:ticket.created", at, Ticket(ticketId, requesterId, subject, "NEW", description, null), new JsonObject());

        public void ZendeskReopened(DateTimeOffset at, string requesterId, string ticketId, string subject) =>
            Zendesk("zen:event-type:ticket.status_changed", at, Ticket(ticketId, requesterId, subject, "OPEN", null, null), new JsonObject { ["current"] = "OPEN", ["previous"] = "SOLVED" });

        /// <summary>The body of the satisfaction trigger the README gives, as Zendesk fills it in.</summary>
        public void ZendeskRating(DateTimeOffset at, string requesterId, string email, string ticketId, string score, string comment) =>
            Zendesk("ticket.satisfaction_rated", at, Ticket(ticketId, requesterId, null, "solved", null, email), new JsonObject { ["score"] = score, ["comment"] = comment });

        public void IntercomChat(DateTimeOffset at, string contactId, string email, string text) =>
            Intercom("conversation.user.created", at, contactId, email, new JsonObject { ["body"] = $"<p>{System.Net.WebUtility.HtmlEncode(text)}</p>" }, null);

        public void IntercomRating(DateTimeOffset at, string contactId, string email, int rating, string remark) =>
            Intercom("conversation.rating.added", at, contactId, email, null, new JsonObject
            {
                ["rating"] = rating,
                ["remark"] = remark,
                ["created_at"] = at.ToUnixTimeSeconds(),
                ["contact"] = new JsonObject { ["type"] = "contact", ["id"] = contactId },
            });

        private static JsonObject Ticket(string ticketId, string requesterId, string? subject, string status, string? description, string? email)
        {
            var ticket = new JsonObject { ["id"] = ticketId, ["requester_id"] = requesterId, ["status"] = status, ["via"] = new JsonObject { ["channel"] = "email" } };
            if (subject is not null)
            {
                ticket["subject"] = subject;
            }

            if (description is not null)
            {
                ticket["description"] = description;
            }

            if (email is not null)
            {
                ticket["requester_email"] = email;
            }

            return ticket;
        }

        private void Zendesk(string type, DateTimeOffset at, JsonObject ticket, JsonObject change) =>
            deliveries.Add(new DemoDelivery("api/webhooks/zendesk", "application/json", JsonSerializer.SerializeToUtf8Bytes(new JsonObject
            {
                ["type"] = type,
                ["account_id"] = 22129848,
                ["id"] = NextId("zd"),
                ["time"] = Iso(at),
                ["subject"] = $"zen:ticket:{ticket["id"]}",
                ["detail"] = ticket,
                ["event"] = change,
            }), DemoSigner.Zendesk, 1));

        private void Intercom(string topic, DateTimeOffset at, string contactId, string email, JsonObject? source, JsonObject? rating)
        {
            var conversation = new JsonObject
            {
                ["type"] = "conversation",
                ["id"] = StableDigits(15),
                ["created_at"] = at.ToUnixTimeSeconds(),
                ["contacts"] = new JsonObject { ["contacts"] = new JsonArray(new JsonObject { ["type"] = "contact", ["id"] = contactId }) },
                ["source"] = source ?? new JsonObject(),
            };
            ((JsonObject)conversation["source"]!)["author"] = new JsonObject { ["type"] = "user", ["id"] = contactId, ["email"] = email };
            if (rating is not null)
            {
                conversation["conversation_rating"] = rating;
            }

            deliveries.Add(new DemoDelivery("api/webhooks/intercom", "application/json", JsonSerializer.SerializeToUtf8Bytes(new JsonObject
            {
                ["type"] = "notification_event",
                ["id"] = NextId("notif"),
                ["topic"] = topic,
                ["created_at"] = at.ToUnixTimeSeconds(),
                ["data"] = new JsonObject { ["type"] = "notification_event_data", ["item"] = conversation },
            }), DemoSigner.Intercom, 1));
        }

        public void HubSpot(params JsonObject[] events)
        {
            var body = JsonSerializer.SerializeToUtf8Bytes(new JsonArray(events.Select(e => (JsonNode?)e).ToArray()));
            deliveries.Add(new DemoDelivery("api/webhooks/hubspot", "application/json", body, DemoSigner.HubSpot, events.Length));
        }

        public void InstagramComment(DateTimeOffset at, string userId, string username, string text) =>
            Meta(Change("instagram", InstagramAccountId, at, "comments", new JsonObject
            {
                ["from"] = new JsonObject { ["id"] = userId, ["username"] = username },
                ["media"] = new JsonObject { ["id"] = "180245678901" + StableDigits(4), ["media_product_type"] = "FEED" },
                ["id"] = "178901234567" + StableDigits(5),
                ["text"] = text,
            }));

        public void InstagramMessage(DateTimeOffset at, string userId, string text) => Meta(Messaging("instagram", InstagramAccountId, at, userId, text));

        public void Messenger(DateTimeOffset at, string userId, string text) => Meta(Messaging("page", PageId, at, userId, text));

        public void FacebookComment(DateTimeOffset at, string userId, string name, string text)
        {
            var postId = $"{PageId}_98765000123{StableDigits(4)}";
            Meta(Change("page", PageId, at, "feed", new JsonObject
            {
                ["from"] = new JsonObject { ["id"] = userId, ["name"] = name },
                ["post"] = new JsonObject { ["status_type"] = "added_photos", ["is_published"] = true, ["id"] = postId },
                ["message"] = text,
                ["post_id"] = postId,
                ["comment_id"] = $"98765000123_{StableDigits(8)}",
                ["created_time"] = at.ToUnixTimeSeconds(),
                ["item"] = "comment",
                ["parent_id"] = postId,
                ["verb"] = "add",
            }));
        }

        public void SalesforceContact(DateTimeOffset at, string contactId, string first, string last, string email) =>
            Salesforce("Contact", at, $"""
                     <sf:Id>{contactId}</sf:Id>
                     <sf:CreatedDate>{Iso(at)}</sf:CreatedDate>
                     <sf:Email>{email}</sf:Email>
                     <sf:FirstName>{first}</sf:FirstName>
                     <sf:LastModifiedDate>{Iso(at)}</sf:LastModifiedDate>
                     <sf:LastName>{last}</sf:LastName>
                     <sf:LeadSource>Web</sf:LeadSource>
                """);

        public void SalesforceTask(DateTimeOffset at, string whoId, string subtype, string subject) =>
            Salesforce("Task", at, $"""
                     <sf:Id>00T5g00000{StableDigits(6)}AAB</sf:Id>
                     <sf:LastModifiedDate>{Iso(at)}</sf:LastModifiedDate>
                     <sf:Subject>{subject}</sf:Subject>
                     <sf:TaskSubtype>{subtype}</sf:TaskSubtype>
                     <sf:WhoId>{whoId}</sf:WhoId>
                """);

        public void SalesforceEvent(DateTimeOffset at, string whoId, string subject) =>
            Salesforce("Event", at, $"""
                     <sf:Id>00U5g00000{StableDigits(6)}AAB</sf:Id>
                     <sf:EventSubtype>Event</sf:EventSubtype>
                     <sf:LastModifiedDate>{Iso(at)}</sf:LastModifiedDate>
                     <sf:Subject>{subject}</sf:Subject>
                     <sf:WhoId>{whoId}</sf:WhoId>
                """);

        public void SalesforceOpportunity(DateTimeOffset at, string contactId, string name, string stage, string amount) =>
            Salesforce("Opportunity", at, $"""
                     <sf:Id>0065g00000Op{number}{name.Length % 100:D2}AAB</sf:Id>
                     <sf:AccountId>0015g00000Ab3CdAAJ</sf:AccountId>
                     <sf:Amount>{amount}</sf:Amount>
                     <sf:ContactId>{contactId}</sf:ContactId>
                     <sf:LastModifiedDate>{Iso(at)}</sf:LastModifiedDate>
                     <sf:Name>{name}</sf:Name>
                     <sf:StageName>{stage}</sf:StageName>
                """);

        public void SalesforceCase(DateTimeOffset at, string contactId, string email, string origin, string caseNumber, string subject) =>
            Salesforce("Case", at, $"""
                     <sf:Id>5005g00000{StableDigits(6)}AAB</sf:Id>
                     <sf:CaseNumber>{caseNumber}</sf:CaseNumber>
                     <sf:ContactId>{contactId}</sf:ContactId>
                     <sf:CreatedDate>{Iso(at)}</sf:CreatedDate>
                     <sf:LastModifiedDate>{Iso(at)}</sf:LastModifiedDate>
                     <sf:Origin>{origin}</sf:Origin>
                     <sf:Status>New</sf:Status>
                     <sf:Subject>{subject}</sf:Subject>
                     <sf:SuppliedEmail>{email}</sf:SuppliedEmail>
                """);

        /// <summary>A Typeform response with one field of Typeform's NPS type, the e-mail answered and the respondent id hidden.</summary>
        public void TypeformNps(DateTimeOffset at, string respondentId, string email, string token, int score, string comment)
        {
            var field = new JsonObject { ["id"] = "NpsDemo00001", ["type"] = "nps", ["ref"] = "recommend" };
            var commentField = new JsonObject { ["id"] = "WhyDemo00001", ["type"] = "long_text", ["ref"] = "why" };
            var emailField = new JsonObject { ["id"] = "MailDemo0001", ["type"] = "email", ["ref"] = "email" };
            var body = new JsonObject
            {
                ["event_id"] = NextId("tf"),
                ["event_type"] = "form_response",
                ["form_response"] = new JsonObject
                {
                    ["form_id"] = "DemoNps1",
                    ["token"] = token,
                    ["submitted_at"] = Iso(at),
                    ["hidden"] = new JsonObject { ["user_id"] = respondentId },
                    ["definition"] = new JsonObject { ["id"] = "DemoNps1", ["title"] = "How are we doing?", ["fields"] = new JsonArray(field.DeepClone(), commentField.DeepClone(), emailField.DeepClone()) },
                    ["answers"] = new JsonArray(
                        new JsonObject { ["type"] = "number", ["number"] = score, ["field"] = field },
                        new JsonObject { ["type"] = "text", ["text"] = comment, ["field"] = commentField },
                        new JsonObject { ["type"] = "email", ["email"] = email, ["field"] = emailField }),
                },
            };
            deliveries.Add(new DemoDelivery("api/webhooks/typeform", "application/json", JsonSerializer.SerializeToUtf8Bytes(body), DemoSigner.Typeform, 1));
        }

        /// <summary>A SurveyMonkey response_completed callback (ids only: without an access token the hub keeps the fact, not the answers).</summary>
        public void SurveyMonkeyCompleted(DateTimeOffset at, string respondentId, string responseId) =>
            deliveries.Add(new DemoDelivery("api/webhooks/surveymonkey", "application/json", JsonSerializer.SerializeToUtf8Bytes(new JsonObject
            {
                ["name"] = "JourneyHub demo",
                ["filter_type"] = "survey",
                ["filter_id"] = "405837291",
                ["event_type"] = "response_completed",
                ["event_id"] = NextId("sm"),
                ["object_type"] = "response",
                ["object_id"] = responseId,
                ["event_datetime"] = Iso(at),
                ["resources"] = new JsonObject { ["respondent_id"] = respondentId, ["collector_id"] = "439120485", ["survey_id"] = "405837291" },
            }), DemoSigner.SurveyMonkey, 1));

        /// <summary>A Delighted CES answer whose comment came in the update: the answer and the comment, two touchpoints.</summary>
        public void DelightedCes(DateTimeOffset at, string personId, string email, string responseId, int agreement, string comment) =>
            deliveries.Add(new DemoDelivery("api/webhooks/delighted", "application/json", JsonSerializer.SerializeToUtf8Bytes(new JsonObject
            {
                ["event_type"] = "survey_response.updated",
                ["event_id"] = NextId("dl"),
                ["event_data"] = new JsonObject
                {
                    ["id"] = responseId,
                    ["person"] = new JsonObject { ["id"] = personId, ["email"] = email },
                    ["survey_type"] = "ces",
                    ["score"] = agreement,
                    ["comment"] = comment,
                    ["created_at"] = at.ToUnixTimeSeconds(),
                    ["updated_at"] = at.AddMinutes(3).ToUnixTimeSeconds(),
                },
            }), DemoSigner.Delighted, 2));

        public void TrustpilotReview(DateTimeOffset at, string consumerId, string name, string email, string reviewId, int stars, string title, string text) =>
            Trustpilot("service-review-created", Review(consumerId, name, email, reviewId, stars, title, text, createdAt: at, updatedAt: null));

        public void TrustpilotUpdate(DateTimeOffset at, string consumerId, string name, string email, string reviewId, DateTimeOffset createdAt, int stars, string title, string text) =>
            Trustpilot("service-review-updated", Review(consumerId, name, email, reviewId, stars, title, text, createdAt, updatedAt: at));

        /// <summary>A Trustpilot service review as its webhook's <c>eventData</c>; <paramref name="updatedAt"/> only once it was edited.</summary>
        private static JsonObject Review(string consumerId, string name, string email, string reviewId, int stars, string title, string text, DateTimeOffset createdAt, DateTimeOffset? updatedAt)
        {
            var review = new JsonObject
            {
                ["id"] = reviewId,
                ["language"] = "en",
                ["title"] = title,
                ["text"] = text,
                ["referralEmail"] = email,
                ["stars"] = stars,
                ["createdAt"] = Iso(createdAt),
            };
            if (updatedAt is { } edited)
            {
                review["updatedAt"] = Iso(edited);
            }

            review["isVerified"] = true;
            review["consumer"] = new JsonObject { ["id"] = consumerId, ["name"] = name };
            return review;
        }

        private void Trustpilot(string eventName, JsonObject review)
        {
            var body = new JsonObject { ["events"] = new JsonArray(new JsonObject { ["eventName"] = eventName, ["version"] = "1", ["eventData"] = review }) };
            deliveries.Add(new DemoDelivery("api/webhooks/trustpilot", "application/json", JsonSerializer.SerializeToUtf8Bytes(body), DemoSigner.FunctionKey, 1));
        }

        private void Salesforce(string type, DateTimeOffset at, string fields)
        {
            _ = at;
            var xml = $"""
                <?xml version="1.0" encoding="UTF-8"?>
                <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
                 <soapenv:Body>
                  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
                   <OrganizationId>{SalesforceOrganizationId}</OrganizationId>
                   <ActionId>04k5g000000TuVxAAK</ActionId>
                   <SessionId xsi:nil="true"/>
                   <EnterpriseUrl>https://contoso.my.salesforce.com/services/Soap/c/62.0/00D5g000004ZkQ1</EnterpriseUrl>
                   <PartnerUrl>https://contoso.my.salesforce.com/services/Soap/u/62.0/00D5g000004ZkQ1</PartnerUrl>
                   <Notification>
                    <Id>04l5g0000{StableDigits(6)}AAF</Id>
                    <sObject xsi:type="sf:{type}" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
                {fields}
                    </sObject>
                   </Notification>
                  </notifications>
                 </soapenv:Body>
                </soapenv:Envelope>
                """;
            deliveries.Add(new DemoDelivery("api/webhooks/salesforce", "text/xml; charset=utf-8", Encoding.UTF8.GetBytes(xml), DemoSigner.FunctionKey, 1));
        }

        /// <summary>A Meta webhook of one change of <paramref name="field"/> on <paramref name="accountId"/> (a Page's feed, an Instagram account's comments).</summary>
        private static JsonObject Change(string objectType, string accountId, DateTimeOffset at, string field, JsonObject value) => new()
        {
            ["object"] = objectType,
            ["entry"] = new JsonArray(new JsonObject
            {
                ["id"] = accountId,
                ["time"] = at.ToUnixTimeSeconds(),
                ["changes"] = new JsonArray(new JsonObject { ["field"] = field, ["value"] = value }),
            }),
        };

        private static JsonObject Messaging(string objectType, string accountId, DateTimeOffset at, string senderId, string text) => new()
        {
            ["object"] = objectType,
            ["entry"] = new JsonArray(new JsonObject
            {
                ["id"] = accountId,
                ["time"] = at.ToUnixTimeMilliseconds(),
                ["messaging"] = new JsonArray(new JsonObject
                {
                    ["sender"] = new JsonObject { ["id"] = senderId },
                    ["recipient"] = new JsonObject { ["id"] = accountId },
                    ["timestamp"] = at.ToUnixTimeMilliseconds(),
                    ["message"] = new JsonObject { ["mid"] = "m_" + Convert.ToBase64String(Encoding.UTF8.GetBytes(senderId + ":" + at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture))).TrimEnd('='), ["text"] = text },
                }),
            }),
        };

        private void Meta(JsonObject body) =>
            deliveries.Add(new DemoDelivery("api/webhooks/meta", "application/json", JsonSerializer.SerializeToUtf8Bytes(body), DemoSigner.Meta, 1));

        private DemoDelivery CustomDelivery(string source, DateTimeOffset at, JsonObject data)
        {
            data["occurredAt"] = Iso(at);
            var body = new JsonObject { ["type"] = "touchpoint.created", ["timestamp"] = Iso(now), ["data"] = data };
            var webhookId = "msg_demo_" + data["externalId"]!.GetValue<string>();
            return new DemoDelivery($"api/webhooks/custom/{source}", "application/json", JsonSerializer.SerializeToUtf8Bytes(body), DemoSigner.StandardWebhooks, 1, source, webhookId);
        }

        /// <summary>Digits that differ per event but are the same on every run, so redelivery deduplicates.</summary>
        private string StableDigits(int count)
        {
            // The customer's number leads, the per-customer counter (under 1,000) follows: unique across customers.
            var n = Interlocked.Increment(ref counter);
            var value = (number * 1000L) + n;
            return value.ToString("D" + count.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        }

        private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }
}
