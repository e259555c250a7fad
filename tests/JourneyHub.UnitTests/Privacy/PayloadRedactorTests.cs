using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using JourneyHub.Core;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Privacy;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Sources.Pull;
using JourneyHub.UnitTests.Sources;
using Microsoft.Extensions.DependencyInjection;

namespace JourneyHub.UnitTests.Privacy;

/// <summary>
/// Redaction of multi-person raw payloads (issue 12), per source, on the golden fixtures: erasing one person leaves a copy
/// that the source's own adapter reads as exactly the other people's events, and that holds none of the person's values.
/// </summary>
public sealed class PayloadRedactorTests : IDisposable
{
    // The webhook and pull adapters as Core registers them.
    private readonly ServiceProvider provider = CoreServices();

    private SourceRegistry Registry => provider.GetRequiredService<SourceRegistry>();

    private PayloadRedactor Redactor => provider.GetRequiredService<PayloadRedactor>();

    public void Dispose() => provider.Dispose();

    private static ServiceProvider CoreServices()
    {
        var builder = HubHostBuilder.Create();
        builder.AddJourneyHubCore();
        return builder.Services.BuildServiceProvider();
    }

    public static TheoryData<string, string, string> Batches => new()
    {
        { "hubspot", "hubspot/hubspot-webhook-batch.json", "" },
        { "trustpilot", "trustpilot/trustpilot-webhook-batch-with-bad-entries.json", "" },
        { "meta", "meta/meta-page-feed-batch.json", "" },
        { "salesforce", "salesforce/salesforce-outbound-message.xml", "" },
        { "salesforce", "salesforce/salesforce-leads.xml", "" },
        { SourceId.HubSpotPull.Name, "hubspot/hubspot-crm-contacts-search-response.json", "objectType=contacts" },
        { SourceId.SalesforcePull.Name, "salesforce/salesforce-query-contacts-page1.json", "" },
        { SourceId.Google.Name, "google/google-reviews-page1.json", $"{GoogleReviewsAdapter.LocationProperty}=locations/1" },
    };

    /// <summary>Read entry by entry, a batch names the same people as read whole: the poison recorder and the processor rely on it when the whole fails.</summary>
    [Theory]
    [MemberData(nameof(Batches))]
    public void A_batch_read_entry_by_entry_names_the_people_it_names_read_whole(string source, string fixture, string properties)
    {
        var payload = SourceTestKit.RawFixture(source, fixture, Properties(properties));
        var adapter = Registry.Adapter(source)!;
        var whole = adapter.Normalize(payload).Identities.ToHashSet();

        var byEntry = PayloadRedactor.IdentitiesByEntry(adapter, payload);

        Assert.NotEmpty(whole);
        Assert.Equal(whole.OrderBy(i => i.Type + ":" + i.Value, StringComparer.Ordinal), byEntry.OrderBy(i => i.Type + ":" + i.Value, StringComparer.Ordinal));
    }

    [Fact]
    public void A_batch_whose_one_event_fails_the_whole_array_still_names_the_people_of_the_others_read_entry_by_entry()
    {
        var (first, second, broken) = (HubSpotEvents.NewId(), HubSpotEvents.NewId(), HubSpotEvents.NewId());
        var wrongType = HubSpotEvents.ContactCreated(broken, DateTimeOffset.UtcNow);
        wrongType["occurredAt"] = "yesterday";
        var payload = SourceTestKit.Raw("hubspot", HubSpotEvents.Batch(HubSpotEvents.ContactCreated(first, DateTimeOffset.UtcNow), wrongType, HubSpotEvents.ContactCreated(second, DateTimeOffset.UtcNow)));
        var adapter = Registry.Adapter("hubspot")!;
        Assert.Empty(adapter.Normalize(payload).Identities);

        var byEntry = PayloadRedactor.IdentitiesByEntry(adapter, payload);

        Assert.Equal(new[] { Contact(first), Contact(second) }.ToHashSet(), byEntry);
    }

    [Fact]
    public void Bytes_that_are_not_the_sources_json_or_a_single_event_source_name_no_one_entry_by_entry()
    {
        Assert.Empty(PayloadRedactor.IdentitiesByEntry(Registry.Adapter("hubspot")!, SourceTestKit.Raw("hubspot", "[{\"eventId\": 1"u8.ToArray())));
        Assert.Empty(PayloadRedactor.IdentitiesByEntry(Registry.Adapter("shopify")!, SourceTestKit.RawFixture("shopify", "shopify/shopify-orders-create.json")));
    }

    private static Identity Contact(long id) => new("hubspot", id.ToString(CultureInfo.InvariantCulture));

    [Theory]
    [MemberData(nameof(Batches))]
    public void Erasing_one_person_of_a_batch_leaves_a_copy_with_exactly_the_other_peoples_events_and_none_of_their_values(string source, string fixture, string properties)
    {
        var payload = SourceTestKit.RawFixture(source, fixture, Properties(properties));
        var adapter = Registry.Adapter(source)!;
        var before = adapter.Normalize(payload);
        var person = before.Touchpoints.First(t => t.Identities.Any(i => !IdentityTypes.IsObject(i.Type)));
        var erased = person.Identities.Where(i => !IdentityTypes.IsObject(i.Type)).ToHashSet();

        var plan = Redactor.Plan(payload, erased);

        Assert.Equal(RedactionKind.Redacted, plan.Kind);
        Assert.InRange(plan.Removed, 1, plan.Entries - 1);
        var after = adapter.Normalize(payload with { Body = plan.Body });
        Assert.Equal(
            before.Touchpoints.Where(t => !t.Identities.Any(erased.Contains)).Select(t => t.TouchpointId),
            after.Touchpoints.Select(t => t.TouchpointId));
        Assert.DoesNotContain(after.Touchpoints.Concat(before.Touchpoints.Where(t => !t.Identities.Any(erased.Contains))), t => t.Identities.Any(erased.Contains));
        Assert.Equal(before.Rejected.Count(r => !r.Identities.Any(erased.Contains)), after.Rejected.Count);

        var original = Encoding.UTF8.GetString(payload.Body.Span);
        var copy = Encoding.UTF8.GetString(plan.Body!);
        foreach (var identity in erased.Where(i => original.Contains(i.Value, StringComparison.OrdinalIgnoreCase)))
        {
            Assert.DoesNotContain(identity.Value, copy, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Theory]
    [InlineData("trustpilot-pull", "trustpilot/trustpilot-private-reviews-response.json", "")]
    [InlineData("meta-pull", "meta/meta-graph-comments-page.json", "pageId=104328857712345;postId=104328857712345_987650001234567")]
    [InlineData("google", "google/google-reviews-page2.json", "location=locations/1")]
    public void A_page_of_only_the_persons_entries_is_deleted_whole(string source, string fixture, string properties)
    {
        var payload = SourceTestKit.RawFixture(source, fixture, Properties(properties));
        var person = Registry.Adapter(source)!.Normalize(payload).Touchpoints.First(t => t.Identities.Count > 0);

        var plan = Redactor.Plan(payload, person.Identities.ToHashSet());

        Assert.Equal(RedactionKind.EveryEntryOfThePerson, plan.Kind);
        Assert.Null(plan.Body);
    }

    [Fact]
    public void A_HubSpot_batch_loses_only_the_erased_contacts_events_and_keeps_the_others_bytes_readable()
    {
        var payload = SourceTestKit.RawFixture("hubspot", "hubspot/hubspot-webhook-batch.json");
        var okonkwo = new Identity(IdentityTypes.HubSpot, "80455566677");

        var plan = Redactor.Plan(payload, new HashSet<Identity> { okonkwo });

        Assert.Equal((RedactionKind.Redacted, 6, 1), (plan.Kind, plan.Entries, plan.Removed));
        var copy = Encoding.UTF8.GetString(plan.Body!);
        Assert.DoesNotContain("80455566677", copy, StringComparison.Ordinal);
        Assert.DoesNotContain("j.okonkwo@example.org", copy, StringComparison.Ordinal);
        Assert.Contains("\"eventId\":2841953117", copy, StringComparison.Ordinal);
        Assert.Contains("\"sourceId\":\"formId:2b5c6e1a-7f0d-4f4e-9f57-0c3d9a1b2e44\"", copy, StringComparison.Ordinal);
    }

    [Fact]
    public void A_Salesforce_Outbound_Message_loses_the_persons_Notification_and_keeps_its_envelope_and_the_others()
    {
        var payload = SourceTestKit.RawFixture("salesforce", "salesforce/salesforce-outbound-message.xml");
        var maria = new Identity(IdentityTypes.Salesforce, "0035g00000XyZ12AAB");

        var plan = Redactor.Plan(payload, new HashSet<Identity> { maria });

        Assert.Equal((RedactionKind.Redacted, 2, 1), (plan.Kind, plan.Entries, plan.Removed));
        var copy = Encoding.UTF8.GetString(plan.Body!);
        Assert.DoesNotContain("Lindqvist", copy, StringComparison.Ordinal);
        Assert.DoesNotContain("maria.lindqvist@example.com", copy, StringComparison.Ordinal);
        Assert.DoesNotContain("+46 70 123 45 67", copy, StringComparison.Ordinal);
        var message = Core.Sources.Salesforce.SalesforceOutboundMessage.Parse(plan.Body);
        Assert.Equal("00D5g000004ZkQ1EAK", message.OrganizationId);
        Assert.Equal("04l5g00000RfT3oAAF", Assert.Single(message.Notifications).Id);
    }

    [Fact]
    public void A_many_notification_Outbound_Message_is_judged_one_notification_at_a_time_in_place_and_loses_exactly_the_persons()
    {
        // Forty contacts, with envelope elements between and after the notifications: each is judged in the document
        // without the others, standing where it stood among the envelope's nodes, and the copy keeps every node's order.
        var body = ManyContactsOutboundMessage(40, envelopeAfter: [20, 40]);
        var payload = SourceTestKit.Raw("salesforce", body);
        var judged = new List<byte[]>();
        var redactor = new PayloadRedactor(new SourceRegistry([new RecordingAdapter(new Core.Sources.Salesforce.SalesforceAdapter(), judged)], [], [], []));
        int[] erasedNotifications = [3, 17, 38];
        var erased = erasedNotifications.Select(n => new Identity(IdentityTypes.Email, $"person{n}@example.com")).ToHashSet();

        var plan = redactor.Plan(payload, erased);

        Assert.Equal((RedactionKind.Redacted, 40, 3), (plan.Kind, plan.Entries, plan.Removed));
        Assert.Equal(40, judged.Count);
        for (var n = 0; n < 40; n++)
        {
            Assert.Equal(Encoding.UTF8.GetString(WithNotifications(body, keep: k => k == n)), Encoding.UTF8.GetString(judged[n]));
        }

        Assert.Equal(Encoding.UTF8.GetString(WithNotifications(body, keep: k => !erasedNotifications.Contains(k))), Encoding.UTF8.GetString(plan.Body!));
        var kept = Core.Sources.Salesforce.SalesforceOutboundMessage.Parse(plan.Body).Notifications.Select(n => n.Id);
        Assert.Equal(Enumerable.Range(0, 40).Where(n => !erasedNotifications.Contains(n)).Select(n => $"04l5g00000N{n:D5}AAF"), kept);
        var copy = Encoding.UTF8.GetString(plan.Body!);
        Assert.True(copy.IndexOf("<EnterpriseUrl>", StringComparison.Ordinal) is var url and > 0
            && copy.LastIndexOf("N00019AAF", url, StringComparison.Ordinal) > 0
            && copy.IndexOf("N00020AAF", url, StringComparison.Ordinal) > url);
        Assert.EndsWith("</Notification>\n   <PartnerUrl>https://contoso.my.salesforce.com/u</PartnerUrl>\n  </notifications>\n </soapenv:Body>\n</soapenv:Envelope>", copy, StringComparison.Ordinal);
    }

    [Fact]
    public void An_object_only_the_erased_person_held_leaves_with_them_and_a_shared_one_stays()
    {
        var payload = SourceTestKit.RawFixture("hubspot", "hubspot/hubspot-webhook-batch.json");
        var maria = new Identity(IdentityTypes.HubSpot, "81273645012");
        var deal = new Identity(IdentityTypes.HubSpotDeal, "19283746501");

        var alone = Redactor.Plan(payload, new HashSet<Identity> { maria, deal });
        var shared = Redactor.Plan(payload, new HashSet<Identity> { maria });

        // Maria's creation, lifecycle, association and merge, and the deal's creation when no one else holds the deal.
        Assert.Equal(5, alone.Removed);
        Assert.DoesNotContain("19283746501", Encoding.UTF8.GetString(alone.Body!), StringComparison.Ordinal);
        Assert.Equal(4, shared.Removed);
        Assert.Contains("\"subscriptionType\":\"deal.creation\"", Encoding.UTF8.GetString(shared.Body!), StringComparison.Ordinal);
    }

    [Fact]
    public void A_rejected_entry_that_names_the_person_leaves_too()
    {
        var body = """[{"eventId":1,"occurredAt":1741962118305,"subscriptionType":"contact.privacyDeletion","objectId":501},{"eventId":2,"occurredAt":1741962118305,"subscriptionType":"contact.creation","objectId":502}]"""u8.ToArray();
        var payload = SourceTestKit.Raw("hubspot", body);
        var rejected = Assert.Single(Registry.Adapter("hubspot")!.Normalize(payload).Rejected);
        Assert.Equal([new Identity(IdentityTypes.HubSpot, "501")], rejected.Identities);

        var plan = Redactor.Plan(payload, new HashSet<Identity> { new(IdentityTypes.HubSpot, "501") });

        Assert.Equal(RedactionKind.Redacted, plan.Kind);
        Assert.Equal("""[{"eventId":2,"occurredAt":1741962118305,"subscriptionType":"contact.creation","objectId":502}]""", Encoding.UTF8.GetString(plan.Body!));
    }

    [Fact]
    public void A_batch_of_one_person_is_deleted_whole_and_a_batch_without_them_is_kept()
    {
        var payload = SourceTestKit.RawFixture("meta", "meta/meta-page-messaging-batch.json");
        var person = new Identity(IdentityTypes.Meta, "7012345678901234");

        // The read receipt becomes no touchpoint, but it carries the person's id: it goes with the rest.
        Assert.Equal(RedactionKind.EveryEntryOfThePerson, Redactor.Plan(payload, new HashSet<Identity> { person }).Kind);
        Assert.Equal(RedactionKind.NoEntryOfThePerson, Redactor.Plan(payload, new HashSet<Identity> { new(IdentityTypes.Meta, "1") }).Kind);
    }

    [Theory]
    [InlineData("shopify", "shopify/shopify-orders-create.json", "")]
    [InlineData("salesforce", "salesforce/salesforce-dtd-entity-expansion.xml", "")]
    [InlineData("hubspot-pull", "hubspot/hubspot-crm-email.json", "objectType=emails")]
    [InlineData("hubspot", "", "")]
    public void Sources_whose_payloads_cannot_be_split_by_person_are_deleted_whole(string source, string fixture, string properties)
    {
        var payload = fixture.Length == 0 ? SourceTestKit.Raw(source, "not json"u8.ToArray()) : SourceTestKit.RawFixture(source, fixture, Properties(properties));

        Assert.Equal(RedactionKind.NotRedactable, Redactor.Plan(payload, new HashSet<Identity> { new(IdentityTypes.Email, "a@example.com") }).Kind);
    }

    /// <summary>An Outbound Message of <paramref name="count"/> contacts (person<c>n</c>@example.com); EnterpriseUrl and PartnerUrl follow the notifications numbered in <paramref name="envelopeAfter"/>.</summary>
    private static byte[] ManyContactsOutboundMessage(int count, int[] envelopeAfter)
    {
        var xml = new StringBuilder()
            .Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
            .Append("<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n")
            .Append(" <soapenv:Body>\n  <notifications xmlns=\"http://soap.sforce.com/2005/09/outbound\">\n")
            .Append("   <OrganizationId>00D5g000004ZkQ1EAK</OrganizationId>\n   <ActionId>04k5g000000TuVwAAK</ActionId>\n");
        string[] envelope = ["   <EnterpriseUrl>https://contoso.my.salesforce.com/c</EnterpriseUrl>\n", "   <PartnerUrl>https://contoso.my.salesforce.com/u</PartnerUrl>\n"];
        for (var n = 0; n <= count; n++)
        {
            if (Array.IndexOf(envelopeAfter, n) is var e and >= 0)
            {
                xml.Append(envelope[e]);
            }

            if (n < count)
            {
                xml.Append(CultureInfo.InvariantCulture, $"""
                       <Notification>
                        <Id>04l5g00000N{n:D5}AAF</Id>
                        <sObject xsi:type="sf:Contact" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
                         <sf:Id>0035g00000C{n:D5}AAB</sf:Id>
                         <sf:Email>person{n}@example.com</sf:Email>
                         <sf:LastModifiedDate>2025-03-14T14:22:01.000Z</sf:LastModifiedDate>
                        </sObject>
                       </Notification>

                    """);
            }
        }

        return Encoding.UTF8.GetBytes(xml.Append("  </notifications>\n </soapenv:Body>\n</soapenv:Envelope>").ToString());
    }

    /// <summary>The document with only the Notification elements whose position <paramref name="keep"/> accepts, every other node as it was, written as the redactor writes XML.</summary>
    private static byte[] WithNotifications(byte[] body, Func<int, bool> keep)
    {
        var document = XDocument.Load(new MemoryStream(body), LoadOptions.PreserveWhitespace);
        var notifications = document.Descendants(Core.Sources.Salesforce.SalesforceOutboundMessage.OutboundNs + "Notification").ToList();
        for (var n = 0; n < notifications.Count; n++)
        {
            if (!keep(n))
            {
                notifications[n].Remove();
            }
        }

        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, new XmlWriterSettings { Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false) }))
        {
            document.Save(writer);
        }

        return stream.ToArray();
    }

    /// <summary>The adapter, keeping every body it is asked to normalize.</summary>
    private sealed class RecordingAdapter(ISourceAdapter inner, List<byte[]> bodies) : ISourceAdapter
    {
        public SourceId Source => inner.Source;

        public NormalizationResult Normalize(RawPayload payload)
        {
            bodies.Add(payload.Body.ToArray());
            return inner.Normalize(payload);
        }
    }

    private static Dictionary<string, string> Properties(string text) =>
        text.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
}
