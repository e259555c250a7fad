using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using JourneyHub.Testing;

namespace JourneyHub.LoadHarness;

/// <summary>
/// The senders of the mix. Adding one: a value here, then its case in <see cref="Workload.Route"/> (URL),
/// <c>Workload.NewPerson</c> (the identity the read API finds the person by), <see cref="Workload.Signed"/> (how the
/// sender signs), <see cref="Workload.Body"/> (one event in its wire shape) and, when its webhooks batch events,
/// <c>Workload.BatchArray</c>. Every switch names each value and throws on an unknown one, so a missing case fails
/// the first run instead of sending a custom-source body to the new route. The load, transactions and batches
/// scenarios mix every value (the batches scenario those with a batch array).
/// </summary>
public enum SourceKind
{
    HubSpot,
    Salesforce,
    MetaPage,
    Instagram,
    Trustpilot,
    Custom,
    Typeform,
    SurveyMonkey,
    Delighted,
}

/// <summary>One person of the workload: one source, one identity the read API can find them by.</summary>
public sealed record Person(int Index, SourceKind Kind, string Identity);

/// <summary>One webhook delivery carrying several events of one person (the <c>batches</c> scenario).</summary>
public sealed record BatchDelivery(int Number, Person Person, IReadOnlyList<WorkloadEvent> Events);

/// <summary>One unique event; sent once, or twice when it is one of the duplicates.</summary>
public sealed record WorkloadEvent(long Number, Person Person, DateTimeOffset OccurredAt)
{
    /// <summary>Set once any delivery of it was answered 2xx.</summary>
    public int Accepted;
}

/// <summary>
/// The deliveries of a run, in send order: every source mixed, a share of them duplicated (sent again
/// later) and a share sent late (after newer events of the same person). Bodies follow the wire shapes of
/// tests/Fixtures and are signed as each sender signs them, at send time.
/// </summary>
public sealed class Workload
{
    private static readonly DateTimeOffset Epoch = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private Workload(IReadOnlyList<Person> people, IReadOnlyList<WorkloadEvent> events, IReadOnlyList<WorkloadEvent> sendOrder, int duplicates, int late)
    {
        People = people;
        Events = events;
        SendOrder = sendOrder;
        Duplicates = duplicates;
        OutOfOrder = late;
    }

    public IReadOnlyList<Person> People { get; }

    public IReadOnlyList<WorkloadEvent> Events { get; }

    /// <summary>Deliveries in the order they are sent; a duplicated event appears twice.</summary>
    public IReadOnlyList<WorkloadEvent> SendOrder { get; }

    public int Duplicates { get; }

    public int OutOfOrder { get; }

    /// <summary>Multi-event deliveries (the <c>batches</c> scenario); empty otherwise.</summary>
    public IReadOnlyList<BatchDelivery> Batches { get; private init; } = [];

    /// <summary>Sources whose webhooks carry many events per delivery; the batches scenario mixes them.</summary>
    public static IReadOnlyList<SourceKind> BatchingSources { get; } = [.. Enum.GetValues<SourceKind>().Where(k => BatchArray(k) is not null || k == SourceKind.Salesforce)];

    /// <summary>
    /// <paramref name="deliveries"/> deliveries of <paramref name="eventsPerDelivery"/> events each, every delivery one person's,
    /// two deliveries per person, sources of <see cref="BatchingSources"/> mixed. No duplicates, in order.
    /// </summary>
    public static Workload CreateBatches(int deliveries, int eventsPerDelivery, string runId)
    {
        var kinds = BatchingSources;
        var people = Enumerable.Range(0, Math.Max(kinds.Count, deliveries / 2)).Select(i => NewPerson(i, kinds[i % kinds.Count], runId)).ToList();
        var events = new List<WorkloadEvent>(deliveries * eventsPerDelivery);
        var batches = new List<BatchDelivery>(deliveries);
        var perPerson = new int[people.Count];
        for (var d = 0; d < deliveries; d++)
        {
            var person = people[d % people.Count];
            var batch = new List<WorkloadEvent>(eventsPerDelivery);
            for (var k = 0; k < eventsPerDelivery; k++)
            {
                var e = new WorkloadEvent(events.Count, person, Epoch.AddMinutes(person.Index * 0.001).AddMinutes(perPerson[person.Index]++));
                events.Add(e);
                batch.Add(e);
            }

            batches.Add(new BatchDelivery(d, person, batch));
        }

        return new Workload(people, events, [], 0, 0) { Batches = batches };
    }

    /// <summary>The signed request for a multi-event delivery.</summary>
    public static HttpRequestMessage Request(Uri baseAddress, BatchDelivery batch) =>
        Signed(baseAddress, batch.Person.Kind, BatchBody(batch.Person.Kind, batch.Events), "batch" + batch.Number.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// One body holding every event: the single-event bodies of <see cref="Body"/> merged along the array the sender
    /// batches in (HubSpot: the root array; Trustpilot: events; Meta: entry; Salesforce: Notification elements).
    /// A new source with a batching wire shape needs one line in <see cref="BatchArray"/>.
    /// </summary>
    public static byte[] BatchBody(SourceKind kind, IReadOnlyList<WorkloadEvent> events)
    {
        if (kind == SourceKind.Salesforce)
        {
            const string open = "<Notification>", close = "</Notification>";
            var first = Encoding.UTF8.GetString(Body(events[0]));
            var notifications = string.Concat(events.Select(e =>
            {
                var xml = Encoding.UTF8.GetString(Body(e));
                var start = xml.IndexOf(open, StringComparison.Ordinal);
                return xml[start..(xml.IndexOf(close, StringComparison.Ordinal) + close.Length)];
            }));
            var from = first.IndexOf(open, StringComparison.Ordinal);
            return Encoding.UTF8.GetBytes(first[..from] + notifications + first[(first.IndexOf(close, StringComparison.Ordinal) + close.Length)..]);
        }

        var path = BatchArray(kind) ?? throw new ArgumentException($"{kind} webhooks carry one event each", nameof(kind));
        var merged = JsonNode.Parse(Body(events[0]))!;
        var target = path.Length == 0 ? merged.AsArray() : merged[path]!.AsArray();
        foreach (var e in events.Skip(1))
        {
            var next = JsonNode.Parse(Body(e))!;
            var items = (path.Length == 0 ? next.AsArray() : next[path]!.AsArray()).ToList();
            foreach (var item in items)
            {
                item!.Parent!.AsArray().Remove(item);
                target.Add(item);
            }
        }

        return Encoding.UTF8.GetBytes(merged.ToJsonString());
    }

    /// <summary>The JSON array a source's webhook batches events in ("" for a root array); null when it sends one event per delivery.</summary>
    private static string? BatchArray(SourceKind kind) => kind switch
    {
        SourceKind.HubSpot => "",
        SourceKind.Trustpilot => "events",
        SourceKind.MetaPage or SourceKind.Instagram => "entry",
        SourceKind.Salesforce or SourceKind.Custom or SourceKind.Typeform or SourceKind.SurveyMonkey or SourceKind.Delighted => null,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "say whether this source batches"),
    };

    public static Workload Create(HarnessOptions options, string runId)
    {
        var random = new Random(options.Seed);
        var unique = (int)Math.Round(options.Deliveries / (1 + options.DuplicateRate));
        var kinds = Enum.GetValues<SourceKind>();
        var peopleCount = Math.Max(kinds.Length, unique / options.DeliveriesPerPerson);
        var people = Enumerable.Range(0, peopleCount).Select(i => NewPerson(i, kinds[i % kinds.Length], runId)).ToList();

        // Each person's events are a minute apart, numbered in occurrence order.
        var perPerson = new int[people.Count];
        var events = new List<WorkloadEvent>(unique);
        for (var n = 0; n < unique; n++)
        {
            var person = people[n % people.Count];
            var k = perPerson[person.Index]++;
            events.Add(new WorkloadEvent(n, person, Epoch.AddMinutes(person.Index * 0.001).AddMinutes(k)));
        }

        var order = new List<WorkloadEvent>(events);

        // Late arrivals: move a share of events behind later events (of the same person, since people interleave).
        var late = (int)Math.Round(unique * options.OutOfOrderRate);
        for (var i = 0; i < late; i++)
        {
            var from = random.Next(order.Count / 2);
            var item = order[from];
            order.RemoveAt(from);
            order.Insert(Math.Min(order.Count, from + people.Count + random.Next(1, people.Count * 3)), item);
        }

        // Duplicates: the same event (same ids) delivered again later, as senders do on a lost reply.
        var duplicates = options.Deliveries - unique;
        for (var i = 0; i < duplicates; i++)
        {
            var original = events[random.Next(events.Count)];
            var at = order.IndexOf(original);
            order.Insert(random.Next(at + 1, order.Count + 1), original);
        }

        return new Workload(people, events, order, duplicates, late);
    }

    private static Person NewPerson(int index, SourceKind kind, string runId)
    {
        var i = index.ToString("D6", CultureInfo.InvariantCulture);
        return new Person(index, kind, kind switch
        {
            SourceKind.HubSpot => "hubspot:" + (700_000_000_000L + (long.Parse(runId, CultureInfo.InvariantCulture) % 1000 * 1_000_000) + index).ToString(CultureInfo.InvariantCulture),
            SourceKind.Salesforce => "salesforce:003L" + runId[^5..] + i + "AAB",
            SourceKind.MetaPage => "meta:67" + runId[^6..] + i,
            SourceKind.Instagram => "instagram:1784" + runId[^6..] + i,
            SourceKind.Trustpilot => "trustpilot:tpc" + runId + i,
            SourceKind.Typeform => $"typeform:tfu-{runId}-{i}",
            SourceKind.SurveyMonkey => "surveymonkey:sm" + runId + i,
            SourceKind.Delighted => "delighted:dl" + runId + i,
            SourceKind.Custom => $"email:cu-{runId}-{i}@load.example",
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no identity for this source kind"),
        });
    }

    public static string Route(SourceKind kind) => kind switch
    {
        SourceKind.HubSpot => "/api/webhooks/hubspot",
        SourceKind.Salesforce => "/api/webhooks/salesforce",
        SourceKind.MetaPage or SourceKind.Instagram => "/api/webhooks/meta",
        SourceKind.Trustpilot => "/api/webhooks/trustpilot",
        SourceKind.Typeform => "/api/webhooks/typeform",
        SourceKind.SurveyMonkey => "/api/webhooks/surveymonkey",
        SourceKind.Delighted => "/api/webhooks/delighted",
        SourceKind.Custom => "/api/webhooks/custom/" + HubEnvironment.CustomSourceName,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no route for this source kind"),
    };

    /// <summary>The signed request for one delivery of <paramref name="e"/>, signed now.</summary>
    public static HttpRequestMessage Request(Uri baseAddress, WorkloadEvent e, string? correlationId = null) =>
        Signed(baseAddress, e.Person.Kind, Body(e), "ev" + e.Number.ToString(CultureInfo.InvariantCulture), correlationId);

    public static HttpRequestMessage Signed(Uri baseAddress, SourceKind kind, byte[] body, string deliveryId, string? correlationId = null)
    {
        var url = new Uri(baseAddress, Route(kind) + (kind is SourceKind.Salesforce or SourceKind.Trustpilot ? "?code=" + HubEnvironment.FunctionKey : ""));
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(kind == SourceKind.Salesforce ? "text/xml" : "application/json") { CharSet = "utf-8" };
        if (correlationId is not null)
        {
            request.Headers.Add("x-correlation-id", correlationId);
        }

        var now = DateTimeOffset.UtcNow;
        return kind switch
        {
            SourceKind.HubSpot => request.SignedAsHubSpot(HubEnvironment.HubSpotSecret, body, now),
            SourceKind.MetaPage or SourceKind.Instagram => request.SignedAsMeta(HubEnvironment.MetaAppSecret, body),
            SourceKind.Custom => request.SignedAsStandardWebhooks(HubEnvironment.CustomSecret, "msg_" + deliveryId, body, now),
            SourceKind.Typeform => request.SignedAsTypeform(HubEnvironment.TypeformSecret, body),
            SourceKind.SurveyMonkey => request.SignedAsSurveyMonkey(HubEnvironment.SurveyMonkeyClientId, HubEnvironment.SurveyMonkeyClientSecret, body),
            SourceKind.Delighted => request.SignedAsDelighted(HubEnvironment.DelightedApiKey, body),
            // Salesforce and Trustpilot are authenticated by the function key in the URL.
            SourceKind.Salesforce or SourceKind.Trustpilot => request,
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no signing for this source kind"),
        };
    }

    public static byte[] Body(WorkloadEvent e)
    {
        var n = e.Number.ToString(CultureInfo.InvariantCulture);
        var value = e.Person.Identity[(e.Person.Identity.IndexOf(':', StringComparison.Ordinal) + 1)..];
        var at = e.OccurredAt;
        return e.Person.Kind switch
        {
            SourceKind.HubSpot => JsonSerializer.SerializeToUtf8Bytes(new[]
            {
                new Dictionary<string, object?>
                {
                    ["eventId"] = 5_000_000_000L + e.Number,
                    ["subscriptionId"] = 2390417,
                    ["portalId"] = 44791823,
                    ["appId"] = 3914022,
                    ["occurredAt"] = at.ToUnixTimeMilliseconds(),
                    ["subscriptionType"] = "contact.propertyChange",
                    ["attemptNumber"] = 0,
                    ["objectId"] = long.Parse(value, CultureInfo.InvariantCulture),
                    ["propertyName"] = "hs_analytics_num_page_views",
                    ["propertyValue"] = n,
                    ["changeSource"] = "CRM_UI",
                },
            }),
            SourceKind.Salesforce => Encoding.UTF8.GetBytes(
                $"""
                <?xml version="1.0" encoding="UTF-8"?>
                <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
                 <soapenv:Body>
                  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
                   <OrganizationId>{HubEnvironment.SalesforceOrganizationId}</OrganizationId>
                   <ActionId>04k5g000000TuVwAAK</ActionId>
                   <SessionId xsi:nil="true"/>
                   <EnterpriseUrl>https://contoso.my.salesforce.com/services/Soap/c/62.0/00D5g000004ZkQ1</EnterpriseUrl>
                   <PartnerUrl>https://contoso.my.salesforce.com/services/Soap/u/62.0/00D5g000004ZkQ1</PartnerUrl>
                   <Notification>
                    <Id>04l{e.Number:D12}LOD</Id>
                    <sObject xsi:type="sf:Contact" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
                     <sf:Id>{value}</sf:Id>
                     <sf:AccountId>0015g00000Ab3CdAAJ</sf:AccountId>
                     <sf:FirstName>Load</sf:FirstName>
                     <sf:LastName>Person {e.Person.Index}</sf:LastName>
                     <sf:LastModifiedDate>{at.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}</sf:LastModifiedDate>
                     <sf:LeadSource>Web</sf:LeadSource>
                    </sObject>
                   </Notification>
                  </notifications>
                 </soapenv:Body>
                </soapenv:Envelope>
                """),
            SourceKind.MetaPage => JsonSerializer.SerializeToUtf8Bytes(new
            {
                @object = "page",
                entry = new[]
                {
                    new
                    {
                        id = "104328857712345",
                        time = at.ToUnixTimeSeconds(),
                        changes = new[]
                        {
                            new
                            {
                                field = "feed",
                                value = new Dictionary<string, object?>
                                {
                                    ["from"] = new { id = value, name = "Load " + e.Person.Index },
                                    ["message"] = "Comment " + n + " looks great",
                                    ["post_id"] = "104328857712345_987650001234567",
                                    ["comment_id"] = "987650001234567_" + (1_000_000_000_000L + e.Number),
                                    ["created_time"] = at.ToUnixTimeSeconds(),
                                    ["item"] = "comment",
                                    ["parent_id"] = "104328857712345_987650001234567",
                                    ["verb"] = "add",
                                },
                            },
                        },
                    },
                },
            }),
            SourceKind.Instagram => JsonSerializer.SerializeToUtf8Bytes(new
            {
                @object = "instagram",
                entry = new[]
                {
                    new
                    {
                        id = "17841401234567890",
                        time = at.ToUnixTimeSeconds(),
                        changes = new[]
                        {
                            new
                            {
                                field = "comments",
                                value = new
                                {
                                    from = new { id = value, username = "load." + e.Person.Index },
                                    media = new { id = "18024567890123456", media_product_type = "FEED" },
                                    id = (17_890_000_000_000_000L + e.Number).ToString(CultureInfo.InvariantCulture),
                                    text = "Love this " + n,
                                },
                            },
                        },
                    },
                },
            }),
            SourceKind.Trustpilot => JsonSerializer.SerializeToUtf8Bytes(new
            {
                events = new[]
                {
                    new
                    {
                        eventName = "service-review-created",
                        version = "1",
                        eventData = new
                        {
                            id = "67d5" + e.Number.ToString("D20", CultureInfo.InvariantCulture),
                            title = "Review " + n,
                            text = "Fast delivery, friendly staff.",
                            stars = (int)(e.Number % 5) + 1,
                            createdAt = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                            consumer = new { id = value, name = "Load " + e.Person.Index },
                        },
                    },
                },
            }),
            // One NPS answer per event, so that one delivery is one touchpoint (tests/Fixtures/typeform shapes).
            SourceKind.Typeform => JsonSerializer.SerializeToUtf8Bytes(new
            {
                event_id = "ev" + n,
                event_type = "form_response",
                form_response = new
                {
                    form_id = "LoadF1",
                    token = "tok" + n,
                    submitted_at = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                    hidden = new { user_id = value },
                    definition = new { id = "LoadF1", title = "Load survey", fields = new[] { new { id = "npsField0001", type = "nps", @ref = "recommend" } } },
                    answers = new[] { new { type = "number", number = e.Number % 11, field = new { id = "npsField0001", type = "nps", @ref = "recommend" } } },
                },
            }),
            SourceKind.SurveyMonkey => JsonSerializer.SerializeToUtf8Bytes(new
            {
                name = "load",
                filter_type = "survey",
                filter_id = "900000001",
                event_type = "response_completed",
                event_id = "ev" + n,
                object_type = "response",
                object_id = (300_000_000_000L + e.Number).ToString(CultureInfo.InvariantCulture),
                event_datetime = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                resources = new { respondent_id = value, collector_id = "77", survey_id = "900000001" },
            }),
            // survey_response.created without a comment: one touchpoint per response.
            SourceKind.Delighted => JsonSerializer.SerializeToUtf8Bytes(new
            {
                event_type = "survey_response.created",
                event_id = "ev" + n,
                event_data = new
                {
                    id = "r" + n,
                    person = new { id = value, name = "Load " + e.Person.Index },
                    survey_type = "nps",
                    score = e.Number % 11,
                    comment = (string?)null,
                    created_at = at.ToUnixTimeSeconds(),
                    updated_at = at.ToUnixTimeSeconds(),
                },
            }),
            SourceKind.Custom => JsonSerializer.SerializeToUtf8Bytes(new
            {
                type = "touchpoint.created",
                timestamp = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                data = new
                {
                    sourceSystem = HubEnvironment.CustomSourceName,
                    externalId = "txn-" + n,
                    channel = "in_store",
                    occurredAt = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                    action = "purchase.completed",
                    person = new { email = value },
                    attributes = new { storeId = "STO-017" },
                },
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(e), e.Person.Kind, "no body for this source kind"),
        };
    }

    /// <summary>One payload per source that is signed correctly but can never be normalized.</summary>
    public static IEnumerable<(SourceKind Kind, byte[] Body)> PoisonPayloads()
    {
        yield return (SourceKind.HubSpot, "[{\"eventId\": 1, \"objectId\": "u8.ToArray());
        yield return (SourceKind.Salesforce, "<?xml version=\"1.0\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><notifications"u8.ToArray());
        yield return (SourceKind.MetaPage, "{\"object\":\"page\",\"entry\":[{\"id\":"u8.ToArray());
        yield return (SourceKind.Instagram, "{\"object\":\"instagram\",\"entry\":\"not an array\"}"u8.ToArray());
        yield return (SourceKind.Trustpilot, "{\"events\":[{\"eventName\":"u8.ToArray());
        yield return (SourceKind.Custom, "{\"type\":\"touchpoint.created\",\"data\":{\"channel\":42}}"u8.ToArray());
        yield return (SourceKind.Typeform, "{\"event_type\":\"form_response\",\"form_response\":"u8.ToArray());
        yield return (SourceKind.SurveyMonkey, "{\"event_type\":\"response_completed\",\"object_id\":[]}"u8.ToArray());
        yield return (SourceKind.Delighted, "{\"event_type\":\"survey_response.created\",\"event_data\":{\"id\":"u8.ToArray());
    }
}
