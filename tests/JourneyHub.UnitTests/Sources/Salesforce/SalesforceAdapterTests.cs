using System.Text;
using System.Xml;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Signatures;
using JourneyHub.Core.Sources.Salesforce;
using static JourneyHub.UnitTests.Sources.SourceTestKit;

namespace JourneyHub.UnitTests.Sources.Salesforce;

public sealed class SalesforceAdapterTests
{
    private readonly SalesforceAdapter adapter = new();

    public static TheoryData<string, int, string, string, Channel, JourneyStage?, string> Golden => new()
    {
        // fixture, index, sourceEventId, action, channel, stage, identities
        { "salesforce-outbound-message.xml", 0, "04l5g00000RfT3nAAF", "contact.updated", Channel.Crm, null, "salesforce:0035g00000XyZ12AAB email:maria.lindqvist@example.com phone:+46701234567" },
        { "salesforce-outbound-message.xml", 1, "04l5g00000RfT3oAAF", "contact.updated", Channel.Crm, null, "salesforce:0035g00000XyZ77AAB email:j.okonkwo@example.org" },
        { "salesforce-leads.xml", 0, "04l5g00000RfY01AAF", "lead.created", Channel.Crm, JourneyStage.Awareness, "salesforce:00Q5g00000Ld001AAB email:troop.leader@example.net phone:+447700900123" },
        { "salesforce-leads.xml", 1, "04l5g00000RfY02AAF", "lead.converted", Channel.Crm, JourneyStage.Consideration, "salesforce:00Q5g00000Ld002AAB email:k.tanaka@example.jp" },
        { "salesforce-opportunities.xml", 0, "04l5g00000RfU01AAF", "deal.won", Channel.Crm, JourneyStage.Decision, "salesforce:0035g00000XyZ12AAB salesforce-opportunity:0065g00000Op001AAB" },
        { "salesforce-opportunities.xml", 1, "04l5g00000RfU02AAF", "deal.lost", Channel.Crm, JourneyStage.Consideration, "salesforce:0035g00000XyZ77AAB salesforce-opportunity:0065g00000Op002AAB" },
        { "salesforce-opportunities.xml", 2, "04l5g00000RfU03AAF", "opportunity.updated", Channel.Crm, JourneyStage.Consideration, "salesforce-opportunity:0065g00000Op003AAB" },
        { "salesforce-opportunities.xml", 3, "04l5g00000RfU04AAF", "opportunity.updated", Channel.Crm, JourneyStage.Consideration, "salesforce:0035g00000XyZ12AAB salesforce-opportunity:0065g00000Op004AAB" },
        { "salesforce-tasks.xml", 0, "04l5g00000RfV01AAF", "call.logged", Channel.Phone, null, "salesforce:0035g00000XyZ12AAB" },
        { "salesforce-tasks.xml", 1, "04l5g00000RfV02AAF", "email.sent", Channel.Email, null, "salesforce:00Q5g00000Ld001AAB" },
        { "salesforce-event.xml", 0, "04l5g00000RfW01AAF", "meeting.booked", Channel.Meeting, JourneyStage.Consideration, "salesforce:0035g00000XyZ12AAB" },
        { "salesforce-case.xml", 0, "04l5g00000RfX01AAF", "case.opened", Channel.Phone, JourneyStage.Retention, "salesforce:0035g00000XyZ12AAB email:maria.lindqvist@example.com" },
    };

    [Theory]
    [MemberData(nameof(Golden))]
    public void Golden_notification_becomes_the_expected_touchpoint(string fixture, int index, string sourceEventId, string action, Channel channel, JourneyStage? stage, string identities)
    {
        var result = adapter.Normalize(RawFixture("salesforce", "salesforce/" + fixture));
        var touchpoint = result.Touchpoints[index];

        Assert.Equal("salesforce", touchpoint.Source);
        Assert.Equal(sourceEventId, touchpoint.SourceEventId);
        Assert.Equal(TouchpointIds.For("salesforce", sourceEventId), touchpoint.TouchpointId);
        Assert.Equal(action, touchpoint.Action);
        Assert.Equal(channel, touchpoint.Channel);
        Assert.Equal(TouchpointKind.Direct, touchpoint.Kind);
        Assert.Equal(stage, touchpoint.Stage);
        Assert.Equal(identities, Ids(touchpoint));
        Assert.Null(touchpoint.Rating);
        Assert.Null(touchpoint.Survey);
    }

    [Fact]
    public void Occurred_at_is_the_record_modification_time_not_the_receipt()
    {
        var touchpoint = adapter.Normalize(RawFixture("salesforce", "salesforce/salesforce-outbound-message.xml")).Touchpoints[0];
        Assert.Equal(new DateTimeOffset(2025, 3, 14, 14, 22, 1, TimeSpan.Zero), touchpoint.OccurredAt);
        Assert.Equal("00D5g000004ZkQ1EAK", touchpoint.Attributes["organizationId"]);
        Assert.Equal("Contact", touchpoint.Attributes["objectType"]);
    }

    [Fact]
    public void An_opportunity_without_a_contact_names_only_itself_so_it_waits_for_a_contact_role_instead_of_being_rejected()
    {
        var result = adapter.Normalize(RawFixture("salesforce", "salesforce/salesforce-opportunities.xml"));

        Assert.Empty(result.Rejected);
        Assert.Equal(4, result.Touchpoints.Count);
        var accountOnly = result.Touchpoints.Single(t => t.SourceEventId == "04l5g00000RfU03AAF");
        Assert.Equal([new Identity("salesforce-opportunity", "0065g00000Op003AAB")], accountOnly.Identities);
        Assert.True(Core.Identities.IdentityTypes.IsObject(accountOnly.Identities[0].Type));
        Assert.Equal("0015g00000Ab3CdAAJ", accountOnly.Attributes["accountId"]);
    }

    [Fact]
    public void An_opportunity_contact_role_associates_the_contact_with_the_opportunity_and_one_without_a_contact_is_rejected()
    {
        var result = adapter.Normalize(Raw("salesforce", Encoding.UTF8.GetBytes(ContactRoles)));

        var role = Assert.Single(result.Touchpoints);
        Assert.Equal("association.added", role.Action);
        Assert.Equal("04l5g00000RfZ01AAF", role.SourceEventId);
        Assert.Equal("salesforce:0035g00000XyZ77AAB salesforce-opportunity:0065g00000Op003AAB", Ids(role));
        Assert.Equal(("Decision Maker", "true"), (role.Attributes["role"], role.Attributes["isPrimary"]));
        var rejected = Assert.Single(result.Rejected);
        Assert.Equal(1, rejected.EntryIndex);
        Assert.Contains("ContactId", rejected.Reason, StringComparison.Ordinal);
    }

    private const string ContactRoles = """
        <?xml version="1.0" encoding="UTF-8"?>
        <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
         <soapenv:Body>
          <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
           <OrganizationId>00D5g000004ZkQ1EAK</OrganizationId>
           <ActionId>04k5g000000CoR1AAK</ActionId>
           <Notification>
            <Id>04l5g00000RfZ01AAF</Id>
            <sObject xsi:type="sf:OpportunityContactRole" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
             <sf:Id>00K5g00000Ro001AAB</sf:Id>
             <sf:ContactId>0035g00000XyZ77AAB</sf:ContactId>
             <sf:OpportunityId>0065g00000Op003AAB</sf:OpportunityId>
             <sf:Role>Decision Maker</sf:Role>
             <sf:IsPrimary>true</sf:IsPrimary>
             <sf:CreatedDate>2025-03-14T15:10:00.000Z</sf:CreatedDate>
            </sObject>
           </Notification>
           <Notification>
            <Id>04l5g00000RfZ02AAF</Id>
            <sObject xsi:type="sf:OpportunityContactRole" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
             <sf:Id>00K5g00000Ro002AAB</sf:Id>
             <sf:OpportunityId>0065g00000Op003AAB</sf:OpportunityId>
             <sf:CreatedDate>2025-03-14T15:11:00.000Z</sf:CreatedDate>
            </sObject>
           </Notification>
          </notifications>
         </soapenv:Body>
        </soapenv:Envelope>
        """;

    [Fact]
    public void Task_without_a_person_is_rejected_with_its_reason()
    {
        var result = adapter.Normalize(RawFixture("salesforce", "salesforce/salesforce-tasks.xml"));

        Assert.Equal(2, result.Touchpoints.Count);
        Assert.Contains("no WhoId", Assert.Single(result.Rejected).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Xml_with_a_dtd_is_rejected_without_expanding_entities()
    {
        var body = Fixture.Bytes("salesforce/salesforce-dtd-entity-expansion.xml");

        var result = adapter.Normalize(Raw("salesforce", body));

        Assert.Empty(result.Touchpoints);
        Assert.Contains("DTD", Assert.Single(result.Rejected).Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Throws<XmlException>(() => SalesforceOutboundMessage.ReadOrganizationId(body));
    }

    [Fact]
    public void Verifier_lets_a_dtd_body_through_only_as_malformed_so_it_is_kept_as_a_dead_letter()
    {
        var verifier = new SalesforceWebhookVerifier(Monitor(new SalesforceOptions { OrganizationId = "00D5g000004ZkQ1EAK" }));

        var result = verifier.Verify(Webhook(Fixture.Bytes("salesforce/salesforce-dtd-entity-expansion.xml"), new Dictionary<string, string>()), ReceivedAt);

        Assert.True(result.IsValid);
        Assert.Equal("true", result.Properties![SalesforceWebhookVerifier.MalformedProperty]);
        var normalized = adapter.Normalize(Raw("salesforce", Fixture.Bytes("salesforce/salesforce-dtd-entity-expansion.xml"), result.Properties));
        Assert.Empty(normalized.Touchpoints);
        Assert.Single(normalized.Rejected);
    }

    [Theory]
    [InlineData("<notifications")]
    [InlineData("not xml at all")]
    [InlineData("")]
    public void Malformed_xml_is_one_clear_rejection_not_an_exception(string text)
    {
        var result = adapter.Normalize(Raw("salesforce", Encoding.UTF8.GetBytes(text)));
        Assert.Empty(result.Touchpoints);
        Assert.Contains("not a readable Outbound Message", Assert.Single(result.Rejected).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsupported_sobject_type_is_rejected_by_name_with_the_mapped_types()
    {
        var xml = Fixture.Text("salesforce/salesforce-case.xml").Replace("sf:Case", "sf:Campaign", StringComparison.Ordinal);
        var result = adapter.Normalize(Raw("salesforce", Encoding.UTF8.GetBytes(xml)));
        Assert.EndsWith(
            "unsupported sObject type 'Campaign' (Contact, Lead, Opportunity, OpportunityContactRole, Task, Event, Case)",
            Assert.Single(result.Rejected).Reason,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Every_mapped_type_is_parsed_as_its_constant_and_handled_by_the_adapter()
    {
        Assert.Equal(7, SalesforceObjectTypes.Mapped.Distinct(StringComparer.Ordinal).Count());
        foreach (var type in SalesforceObjectTypes.Mapped)
        {
            // A Case notification relabelled: each type's own rules may reject it, but never as a type it does not know.
            var body = Encoding.UTF8.GetBytes(Fixture.Text("salesforce/salesforce-case.xml").Replace("sf:Case", "sf:" + type, StringComparison.Ordinal));

            var parsed = Assert.Single(SalesforceOutboundMessage.Parse(body).Notifications);
            var result = adapter.Normalize(Raw("salesforce", body));

            Assert.Same(type, parsed.ObjectType);
            Assert.Equal(1, result.Touchpoints.Count + result.Rejected.Count);
            Assert.All(result.Rejected, r => Assert.DoesNotContain("unsupported", r.Reason, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Ack_is_the_exact_soap_notifications_response()
    {
        Assert.Equal(SalesforceAck.Xml, Fixture.Text("salesforce/salesforce-outbound-message-ack.xml").TrimEnd());
        var document = new XmlDocument { XmlResolver = null };
        document.LoadXml(SalesforceAck.Xml);
        Assert.Equal("true", document.GetElementsByTagName("Ack", "http://soap.sforce.com/2005/09/outbound")[0]!.InnerText);
    }

    [Theory]
    [InlineData("2025-03-14T14:22:01.000Z", "2025-03-14T14:22:01.0000000+00:00")]
    [InlineData("2025-03-14T14:22:01.987Z", "2025-03-14T14:22:01.9870000+00:00")]
    [InlineData("2024-02-29T23:59:59.999Z", "2024-02-29T23:59:59.9990000+00:00")]
    [InlineData("2025-03-14T15:22:01.000+01:00", "2025-03-14T14:22:01.0000000+00:00")]
    [InlineData("2025-03-14T14:22:01Z", "2025-03-14T14:22:01.0000000+00:00")]
    [InlineData("2025-03-14 14:22:01", "2025-03-14T14:22:01.0000000+00:00")]
    [InlineData("2025-02-29T14:22:01.000Z", null)]
    [InlineData("2025-13-14T14:22:01.000Z", null)]
    [InlineData("2025-03-14T24:22:01.000Z", null)]
    [InlineData("2025-03-14T14:22:01.0x0Z", null)]
    public void Modification_times_in_salesforces_shape_and_in_any_other_read_as_the_general_parser_reads_them(string lastModified, string? expected)
    {
        var xml = Fixture.Text("salesforce/salesforce-outbound-message.xml").Replace("2025-03-14T14:22:01.000Z", lastModified, StringComparison.Ordinal);
        var touchpoint = adapter.Normalize(Raw("salesforce", Encoding.UTF8.GetBytes(xml))).Touchpoints[0];

        // Unreadable: the notification has no time of its own (the fixture selects no CreatedDate).
        Assert.Equal(expected ?? ReceivedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture), touchpoint.OccurredAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(expected is null, touchpoint.OccurredAtIsReceiptTime);
        Assert.Equal(DateTimeOffset.TryParse(lastModified, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var general) ? general : ReceivedAt, touchpoint.OccurredAt);
    }
}

public sealed class SalesforceWebhookVerifierTests
{
    private static readonly byte[] Body = Fixture.Bytes("salesforce/salesforce-outbound-message.xml");

    private static SalesforceWebhookVerifier Verifier(string? organizationId) =>
        new(Monitor(new SalesforceOptions { OrganizationId = organizationId }));

    [Theory]
    [InlineData("00D5g000004ZkQ1EAK")]
    [InlineData("00D5g000004ZkQ1")]
    [InlineData(" 00D5g000004ZkQ1EAK ")]
    public void Own_org_id_is_valid_in_its_18_or_15_character_form(string configured)
    {
        var result = Verifier(configured).Verify(Webhook(Body, new Dictionary<string, string>()), ReceivedAt);
        Assert.True(result.IsValid);
        Assert.Null(result.Properties);
    }

    [Theory]
    [InlineData("00D5g000009ZZZZEAK")]
    [InlineData("00d5g000004zkq1eak")]
    [InlineData("00D5g000004ZkQ2")]
    public void Another_org_is_a_mismatch(string configured) =>
        Assert.Equal(SignatureCheck.Mismatch, Verifier(configured).Verify(Webhook(Body, new Dictionary<string, string>()), ReceivedAt).Check);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void No_configured_org_is_not_configured(string? configured) =>
        Assert.Equal(SignatureCheck.NotConfigured, Verifier(configured).Verify(Webhook(Body, new Dictionary<string, string>()), ReceivedAt).Check);

    [Fact]
    public void Well_formed_xml_without_an_org_id_is_missing()
    {
        var body = Encoding.UTF8.GetBytes("<notifications xmlns=\"http://soap.sforce.com/2005/09/outbound\"/>");
        Assert.Equal(SignatureCheck.Missing, Verifier("00D5g000004ZkQ1EAK").Verify(Webhook(body, new Dictionary<string, string>()), ReceivedAt).Check);
    }

    [Fact]
    public void Malformed_xml_is_accepted_marked_malformed_so_it_is_archived_and_dead_lettered()
    {
        var result = Verifier("00D5g000004ZkQ1EAK").Verify(Webhook("<soapenv:Envelope"u8.ToArray(), new Dictionary<string, string>()), ReceivedAt);
        Assert.True(result.IsValid);
        Assert.Equal("true", result.Properties![SalesforceWebhookVerifier.MalformedProperty]);
    }

    [Fact]
    public void A_contacts_custom_fields_are_kept_so_a_persona_rule_can_name_one()
    {
        var xml = Fixture.Text("salesforce/salesforce-outbound-message.xml")
            .Replace("<sf:LeadSource>Web</sf:LeadSource>", "<sf:LeadSource>Web</sf:LeadSource><sf:Persona__c>Careful researcher</sf:Persona__c><sf:Loyalty_Tier__c>Gold</sf:Loyalty_Tier__c>", StringComparison.Ordinal);
        var touchpoint = new SalesforceAdapter().Normalize(Raw("salesforce", Encoding.UTF8.GetBytes(xml))).Touchpoints[0];

        Assert.Equal("Careful researcher", touchpoint.Attributes["Persona__c"]);
        Assert.Equal("Gold", touchpoint.Attributes["Loyalty_Tier__c"]);
        Assert.Equal(["Loyalty_Tier__c", "Persona__c"], touchpoint.Attributes.Keys.Where(k => k.EndsWith("__c", StringComparison.Ordinal)));

        var rules = new Core.Journey.PersonaRules(Monitor(new Core.Journey.PersonaOptions { Fields = { ["salesforce"] = "Persona__c" } }));
        Assert.Equal("Careful researcher", rules.Stamp(touchpoint).Attributes[Core.Journey.JourneyState.PersonaAttribute]);
    }
}
