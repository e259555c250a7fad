using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Pull;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources.Custom;
using JourneyHub.Core.Sources.Delighted;
using JourneyHub.Core.Sources.HubSpot;
using JourneyHub.Core.Sources.Meta;
using JourneyHub.Core.Sources.Pull;
using JourneyHub.Core.Sources.Salesforce;
using JourneyHub.Core.Sources.Surveys;
using JourneyHub.Core.Sources.SurveyMonkey;
using JourneyHub.Core.Sources.Trustpilot;
using JourneyHub.Core.Sources.Typeform;

namespace JourneyHub.UnitTests.Sources;

/// <summary>
/// Every adapter's whole output (touchpoints and rejections, every field) for the golden fixtures and for payloads that
/// reach each mapping branch, compared with a snapshot taken before the adapters moved onto the kit. A change of
/// behaviour shows as a diff of <c>Sources/Golden/*.json</c>; after a deliberate change, regenerate them with
/// <c>JOURNEYHUB_UPDATE_GOLDEN=1 dotnet test --filter AdapterGoldenTests</c> and review the diff.
/// </summary>
public sealed class AdapterGoldenTests
{
    private static readonly JsonSerializerOptions Indented = new(JourneyJson.Options) { WriteIndented = true };

    private static readonly TrustpilotAdapter Trustpilot = new(SourceTestKit.Monitor(new TrustpilotOptions { ReferenceIdIdentityType = "shopify" }));
    private static readonly MetaAdapter Meta = new();

    public static TheoryData<string> Cases => [.. All.Keys];

    internal static readonly Dictionary<string, Func<NormalizationResult>> All = new(StringComparer.Ordinal)
    {
        ["hubspot-webhook-batch"] = () => new HubSpotAdapter().Normalize(SourceTestKit.RawFixture("hubspot", "hubspot/hubspot-webhook-batch.json")),
        ["hubspot-webhook-branches"] = () => new HubSpotAdapter().Normalize(SourceTestKit.Raw("hubspot", Encoding.UTF8.GetBytes(HubSpotBranches))),
        ["hubspot-webhook-not-array"] = () => new HubSpotAdapter().Normalize(SourceTestKit.Raw("hubspot", "{}"u8.ToArray())),
        ["salesforce-outbound-message"] = () => new SalesforceAdapter().Normalize(SourceTestKit.RawFixture("salesforce", "salesforce/salesforce-outbound-message.xml")),
        ["salesforce-case"] = () => new SalesforceAdapter().Normalize(SourceTestKit.RawFixture("salesforce", "salesforce/salesforce-case.xml")),
        ["salesforce-event"] = () => new SalesforceAdapter().Normalize(SourceTestKit.RawFixture("salesforce", "salesforce/salesforce-event.xml")),
        ["salesforce-leads"] = () => new SalesforceAdapter().Normalize(SourceTestKit.RawFixture("salesforce", "salesforce/salesforce-leads.xml")),
        ["salesforce-opportunities"] = () => new SalesforceAdapter().Normalize(SourceTestKit.RawFixture("salesforce", "salesforce/salesforce-opportunities.xml")),
        ["salesforce-tasks"] = () => new SalesforceAdapter().Normalize(SourceTestKit.RawFixture("salesforce", "salesforce/salesforce-tasks.xml")),
        ["salesforce-dtd"] = () => new SalesforceAdapter().Normalize(SourceTestKit.RawFixture("salesforce", "salesforce/salesforce-dtd-entity-expansion.xml")),
        ["salesforce-undated-and-empty"] = () => new SalesforceAdapter().Normalize(SourceTestKit.Raw("salesforce", Encoding.UTF8.GetBytes(SalesforceUndated))),
        ["salesforce-no-notifications"] = () => new SalesforceAdapter().Normalize(SourceTestKit.Raw("salesforce", Encoding.UTF8.GetBytes(SalesforceEmpty))),
        ["meta-instagram-comment"] = () => Meta.Normalize(SourceTestKit.RawFixture("meta", "meta/meta-instagram-comment.json")),
        ["meta-instagram-mention"] = () => Meta.Normalize(SourceTestKit.RawFixture("meta", "meta/meta-instagram-mention.json")),
        ["meta-instagram-message"] = () => Meta.Normalize(SourceTestKit.RawFixture("meta", "meta/meta-instagram-message.json")),
        ["meta-page-feed-batch"] = () => Meta.Normalize(SourceTestKit.RawFixture("meta", "meta/meta-page-feed-batch.json")),
        ["meta-page-feed-comment"] = () => Meta.Normalize(SourceTestKit.RawFixture("meta", "meta/meta-page-feed-comment.json")),
        ["meta-page-messaging-batch"] = () => Meta.Normalize(SourceTestKit.RawFixture("meta", "meta/meta-page-messaging-batch.json")),
        ["meta-page-messenger-message"] = () => Meta.Normalize(SourceTestKit.RawFixture("meta", "meta/meta-page-messenger-message.json")),
        ["meta-branches"] = () => Meta.Normalize(SourceTestKit.Raw("meta", Encoding.UTF8.GetBytes(MetaBranches))),
        ["meta-empty"] = () => Meta.Normalize(SourceTestKit.Raw("meta", """{"object":"page","entry":[]}"""u8.ToArray())),
        ["trustpilot-created"] = () => Trustpilot.Normalize(SourceTestKit.RawFixture("trustpilot", "trustpilot/trustpilot-webhook-service-review-created.json")),
        ["trustpilot-deleted"] = () => Trustpilot.Normalize(SourceTestKit.RawFixture("trustpilot", "trustpilot/trustpilot-webhook-service-review-deleted.json")),
        ["trustpilot-bad-entries"] = () => Trustpilot.Normalize(SourceTestKit.RawFixture("trustpilot", "trustpilot/trustpilot-webhook-batch-with-bad-entries.json")),
        ["custom-standard-webhooks"] = () => new CustomSourceAdapter().Normalize(SourceTestKit.RawFixture("custom:contoso-pos", "custom/standard-webhooks-custom-source.json", WebhookId("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"))),
        ["custom-nps-survey"] = () => new CustomSourceAdapter().Normalize(SourceTestKit.RawFixture("custom:typeform", "custom/custom-nps-survey.json", WebhookId("msg_nps_1"))),
        ["custom-no-time"] = () => new CustomSourceAdapter().Normalize(SourceTestKit.Raw("custom:kiosk", """{"type":"touchpoint.created","data":{"externalId":"k-1","channel":"in_store","person":{"email":"A@Example.com","externalIds":{"shopify":"77","loyalty":"L-9"}},"attributes":{"amount":129.5,"paid":true,"basket":["a","b"]}}}"""u8.ToArray())),
        ["custom-rating"] = () => new CustomSourceAdapter().Normalize(SourceTestKit.Raw("custom:shop", """{"type":"touchpoint.created","timestamp":"2025-03-14T14:22:00Z","data":{"externalId":"r-1","rating":{"value":2},"person":{"externalIds":["p-1","p-2"]}}}"""u8.ToArray(), WebhookId("msg_r"))),
        ["custom-invalid"] = () => new CustomSourceAdapter().Normalize(SourceTestKit.Raw("custom:shop", """{"type":"touchpoint.created","data":{"externalId":"x","channel":"fax","person":{"email":"a@example.com"}}}"""u8.ToArray())),
        ["typeform-form-response"] = () => new TypeformAdapter(SourceTestKit.Monitor(new TypeformOptions { SurveyTypes = new SurveyTypeRules().Add("lT4Z3j", "Ce5kT2wYh9Ua", "ces") })).Normalize(SourceTestKit.RawFixture("typeform", "typeform/typeform-form-response.json")),
        ["surveymonkey-response-completed"] = () => new SurveyMonkeyAdapter().Normalize(SourceTestKit.RawFixture("surveymonkey", "surveymonkey/surveymonkey-response-completed.json")),
        ["delighted-survey-response-updated"] = () => new DelightedAdapter(SourceTestKit.Monitor(new DelightedOptions())).Normalize(SourceTestKit.RawFixture("delighted", "delighted/delighted-survey-response-updated.json")),
        ["delighted-survey-response-created-ces"] = () => new DelightedAdapter(SourceTestKit.Monitor(new DelightedOptions())).Normalize(SourceTestKit.RawFixture("delighted", "delighted/delighted-survey-response-created-ces.json")),
        ["delighted-unsubscribe-created"] = () => new DelightedAdapter(SourceTestKit.Monitor(new DelightedOptions())).Normalize(SourceTestKit.RawFixture("delighted", "delighted/delighted-unsubscribe-created.json")),
        ["hubspot-pull-contacts"] = () => new HubSpotPullAdapter().Normalize(SourceTestKit.RawFixture(SourceId.HubSpotPull.Name, "hubspot/hubspot-crm-contacts-search-response.json", ObjectType("contacts"))),
        ["hubspot-pull-engagements"] = () => PullEngagements(),
        ["salesforce-pull-contacts"] = () => new SalesforcePullAdapter().Normalize(SourceTestKit.RawFixture(SourceId.SalesforcePull.Name, "salesforce/salesforce-query-contacts-page1.json")),
        ["salesforce-pull-branches"] = () => new SalesforcePullAdapter().Normalize(SourceTestKit.Raw(SourceId.SalesforcePull.Name, Encoding.UTF8.GetBytes(SalesforcePullBranches))),
        ["google-reviews"] = () => new GoogleReviewsAdapter().Normalize(SourceTestKit.RawFixture(SourceId.Google.Name, "google/google-reviews-page2.json", new Dictionary<string, string> { [GoogleReviewsAdapter.LocationProperty] = "locations/1" })),
        ["trustpilot-pull"] = () => new TrustpilotPullAdapter(Trustpilot).Normalize(SourceTestKit.RawFixture(SourceId.TrustpilotPull.Name, "trustpilot/trustpilot-private-reviews-response.json")),
        ["meta-pull"] = () => new MetaPullAdapter(Meta).Normalize(SourceTestKit.RawFixture(SourceId.MetaPull.Name, "meta/meta-graph-comments-page.json", new Dictionary<string, string> { ["pageId"] = "104328857712345", ["postId"] = "104328857712345_987650001234567" })),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_adapter_output_is_the_golden_snapshot(string name)
    {
        var result = All[name]();
        var actual = JsonSerializer.Serialize(new JsonObject
        {
            ["touchpoints"] = JsonSerializer.SerializeToNode(result.Touchpoints, Indented),
            ["occurredAtIsReceiptTime"] = new JsonArray([.. result.Touchpoints.Select(t => JsonValue.Create(ReceiptTimeFlag(t)))]),
            ["rejected"] = JsonSerializer.SerializeToNode(result.Rejected, Indented),
        }, Indented).ReplaceLineEndings("\n") + "\n";

        var path = GoldenPath(name);
        if (Environment.GetEnvironmentVariable("JOURNEYHUB_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
        }

        Assert.True(File.Exists(path), $"No snapshot {path}: run with JOURNEYHUB_UPDATE_GOLDEN=1 once and review it.");
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), actual);
    }

    /// <summary>Whether the adapter said the event had no time of its own (occurredAt is the receipt time).</summary>
    private static bool ReceiptTimeFlag(Touchpoint touchpoint) => touchpoint.OccurredAtIsReceiptTime;

    private static string GoldenPath(string name, [CallerFilePath] string thisFile = "") =>
        Path.Combine(Path.GetDirectoryName(thisFile)!, "Golden", name + ".json");

    private static Dictionary<string, string> WebhookId(string id) => new() { [CustomWebhookVerifier.WebhookIdProperty] = id };

    private static Dictionary<string, string> ObjectType(string type) => new() { [HubSpotPullAdapter.ObjectTypeProperty] = type };

    private static NormalizationResult PullEngagements()
    {
        var adapter = new HubSpotPullAdapter();
        var results = new[]
        {
            ("emails", """{"search":{"results":[{"id":"e1","properties":{"hs_timestamp":"2025-03-14T15:02:11.220Z","hs_email_direction":"INCOMING_EMAIL","hs_email_subject":"Question","hs_email_status":"SENT"}},{"id":"e2","properties":{}}]},"associations":{"results":[{"from":{"id":"e1"},"to":[{"toObjectId":"81273645012"},{"toObjectId":"81273645013"}]}]}}"""),
            ("calls", """{"results":[{"id":"c1","properties":{"hs_createdate":"2025-03-14T15:02:11.220Z","hs_call_title":"Follow-up","hs_call_direction":"OUTBOUND","hs_call_duration":"734000","hs_call_status":"COMPLETED"},"associations":{"contacts":{"results":[{"id":"81273645012"}]}}}]}"""),
            ("meetings", """{"results":[{"id":"m1","properties":{"hs_timestamp":"2025-03-14T15:02:11.220Z","hs_meeting_start_time":"2025-03-20T09:00:00Z","hs_meeting_title":"Kickoff","hs_meeting_outcome":"SCHEDULED"},"associations":{"contacts":{"results":[{"id":"81273645012"}]}}}]}"""),
            ("feedback_submissions", """{"results":[{"id":"f1","properties":{"hs_createdate":"2025-03-14T15:02:11.220Z","hs_survey_type":"nps","hs_value":"9","hs_content":"Great support","hs_submission_name":"Q1"},"associations":{"contacts":{"results":[{"id":"81273645012"}]}}},{"id":"f2","properties":{"hs_createdate":"2025-03-14T15:02:11.220Z","hs_survey_type":"nps","hs_value":"11"},"associations":{"contacts":{"results":[{"id":"81273645012"}]}}}]}"""),
            ("tickets", """{"results":[{"id":"t1","properties":{"hs_createdate":"2025-03-14T15:02:11.220Z"},"associations":{"contacts":{"results":[{"id":"81273645012"}]}}}]}"""),
        }.Select(c => adapter.Normalize(SourceTestKit.Raw(SourceId.HubSpotPull.Name, Encoding.UTF8.GetBytes(c.Item2), ObjectType(c.Item1)))).ToList();
        return new NormalizationResult([.. results.SelectMany(r => r.Touchpoints)], [.. results.SelectMany(r => r.Rejected)]);
    }

    private const string HubSpotBranches = """
        [
          {"eventId":1,"portalId":7,"occurredAt":1741962118305,"subscriptionType":"contact.creation","objectId":11,"changeSource":"CRM_UI"},
          {"eventId":2,"portalId":7,"occurredAt":1741962118305,"subscriptionType":"contact.propertyChange","objectId":11,"propertyName":"email","propertyValue":"Maria@Example.com"},
          {"eventId":3,"portalId":7,"occurredAt":1741962118305,"subscriptionType":"contact.propertyChange","objectId":11,"propertyName":"mobilephone","propertyValue":"+46 70 123 45 67"},
          {"eventId":4,"portalId":7,"occurredAt":1741962118305,"subscriptionType":"contact.deletion","objectId":11},
          {"eventId":5,"portalId":7,"occurredAt":1741962118305,"subscriptionType":"contact.merge","objectId":11,"primaryObjectId":11,"mergedObjectIds":[12,13]},
          {"eventId":6,"portalId":7,"occurredAt":1741962118305,"subscriptionType":"contact.associationChange","fromObjectId":11,"toObjectId":99,"associationType":"CONTACT_TO_DEAL","associationRemoved":false},
          {"eventId":7,"portalId":7,"occurredAt":1741962118305,"subscriptionType":"deal.propertyChange","objectId":99,"propertyName":"dealstage","propertyValue":"closedwon"},
          {"eventId":8,"portalId":7,"occurredAt":1741962118305,"subscriptionType":"deal.propertyChange","objectId":99,"propertyName":"dealstage","propertyValue":"closedlost"},
          {"eventId":9,"portalId":7,"occurredAt":1741962118305,"subscriptionType":"deal.propertyChange","objectId":99,"propertyName":"dealstage","propertyValue":"appointmentscheduled"},
          {"eventId":10,"portalId":7,"occurredAt":1741962118305,"subscriptionType":"deal.propertyChange","objectId":99,"propertyName":"amount","propertyValue":"5"},
          {"eventId":11,"portalId":7,"occurredAt":1741962118305,"subscriptionType":"deal.deletion","objectId":99},
          {"eventId":12,"portalId":7,"occurredAt":1741962118305,"subscriptionType":"company.creation","objectId":5},
          {"eventId":13,"portalId":7,"subscriptionType":"deal.creation","objectId":99},
          {"eventId":14,"portalId":7,"occurredAt":1741962118305,"subscriptionType":"deal.creation"},
          null,
          {"eventId":15,"portalId":7,"occurredAt":1741962118305,"subscriptionType":"contact.propertyChange","objectId":11,"propertyName":"lifecyclestage","propertyValue":"weird"}
        ]
        """;

    private const string SalesforceUndated = """
        <?xml version="1.0" encoding="UTF-8"?>
        <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
         <soapenv:Body>
          <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
           <OrganizationId>00D5g000004ZkQ1EAK</OrganizationId>
           <Notification>
            <Id>04l5g00000R0001AAF</Id>
            <sObject xsi:type="sf:Lead" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
             <sf:Id>00Q5g00000X0001AAB</sf:Id>
             <sf:Email> Lead@Example.com </sf:Email>
             <sf:MobilePhone xsi:nil="true"/>
             <sf:IsConverted>true</sf:IsConverted>
             <sf:Company><sf:Nested>x</sf:Nested></sf:Company>
             <sf:FirstName></sf:FirstName>
             <sf:Name>Lead Person</sf:Name>
            </sObject>
           </Notification>
           <Notification>
            <Id>04l5g00000R0002AAF</Id>
            <sObject xsi:type="sf:Contact" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
             <sf:Id>0035g00000X0002AAB</sf:Id>
             <sf:MasterRecordId>0035g00000X0009AAB</sf:MasterRecordId>
             <sf:CreatedDate>2025-03-14T14:22:01.000Z</sf:CreatedDate>
            </sObject>
           </Notification>
           <Notification>
            <Id>04l5g00000R0003AAF</Id>
            <sObject xsi:type="sf:Account" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
             <sf:Id>0015g00000X0003AAB</sf:Id>
            </sObject>
           </Notification>
           <Notification>
            <sObject xsi:type="sf:Contact" xmlns:sf="urn:sobject.enterprise.soap.sforce.com"><sf:Id>0035g00000X0004AAB</sf:Id></sObject>
           </Notification>
           <Notification>
            <Id>04l5g00000R0005AAF</Id>
            <sObject xmlns:sf="urn:sobject.enterprise.soap.sforce.com"><sf:Id>0035g00000X0005AAB</sf:Id></sObject>
           </Notification>
           <Notification>
            <Id>04l5g00000R0006AAF</Id>
            <sObject xsi:type="sf:Case" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
             <sf:Id>5005g00000X0006AAB</sf:Id>
             <sf:SuppliedEmail>help@example.com</sf:SuppliedEmail>
             <sf:Origin>Chat</sf:Origin>
             <sf:CreatedDate>2025-03-14T14:22:01.000Z</sf:CreatedDate>
             <sf:LastModifiedDate>2025-03-14T14:25:01.000Z</sf:LastModifiedDate>
            </sObject>
           </Notification>
          </notifications>
         </soapenv:Body>
        </soapenv:Envelope>
        """;

    private const string SalesforceEmpty = """
        <?xml version="1.0" encoding="UTF-8"?>
        <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
         <soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound"><OrganizationId>00D5g000004ZkQ1EAK</OrganizationId></notifications></soapenv:Body>
        </soapenv:Envelope>
        """;

    private const string MetaBranches = """
        {"object":"page","entry":[
          {"id":"100","time":1741962140,"changes":[
            {"field":"feed","value":{"item":"status","verb":"edited","post_id":"100_1","from":{"id":"200","name":"Ann"},"message":"Edited post","created_time":"2025-03-14T14:22:08+0000"}},
            {"field":"feed","value":{"item":"comment","verb":"remove","comment_id":"1_2","post_id":"100_1","from":{"id":"201"},"created_time":1741962128}},
            {"field":"feed","value":{"item":"comment","verb":"add","comment_id":"1_3","post_id":"100_1","from":{"id":"100"},"message":"Our reply"}},
            {"field":"feed","value":{"item":"reaction","verb":"add","post_id":"100_1","from":{"id":"202"}}},
            {"field":"feed","value":{"item":"comment","verb":"hide","comment_id":"1_4","from":{"id":"202"}}},
            {"field":"feed","value":{"item":"comment","verb":"add","from":{"id":"202"}}},
            {"field":"feed","value":{"item":"comment","verb":"add","comment_id":"1_5"}},
            {"field":"feed","value":"not an object"},
            {"field":"feed","value":{"item":7}},
            {"field":"ratings","value":{}},
            null
          ],"messaging":[
            {"sender":{"id":"300"},"recipient":{"id":"100"},"timestamp":1741962140123,"message":{"mid":"m1","attachments":[{"type":"image"}]}},
            {"sender":{"id":"100"},"recipient":{"id":"300"},"message":{"mid":"m2","text":"echo","is_echo":true}},
            {"sender":{"id":"300"},"recipient":{"id":"100"},"read":{"watermark":1}},
            {"recipient":{"id":"100"},"message":{"mid":"m3","text":"who?"}},
            {"sender":{"id":"300"},"message":{"text":"no mid"}},
            null
          ]},
          null
        ]}
        """;

    private const string SalesforcePullBranches = """
        {"records":[
          {"attributes":{"type":"Lead"},"Id":"00Q5g00000X0001AAB","FirstName":"Lee","LastName":"Ng","Email":"lee@example.com","IsConverted":"true","ConvertedDate":"2025-03-15","ConvertedContactId":"0035g00000X0009AAB","CreatedDate":"2025-03-14T14:22:01.000+0000"},
          {"attributes":{"type":"Contact"},"Id":"0035g00000X0002AAB"},
          {"attributes":{"type":"Opportunity"},"Id":"0065g00000X0003AAB","ContactId":"0035g00000X0002AAB","StageName":"Closed Won","Amount":1200,"Name":"Big deal","SystemModstamp":"2025-03-16T10:00:00.000+0000"},
          {"attributes":{"type":"Opportunity"},"Id":"0065g00000X0004AAB","ContactId":"0035g00000X0002AAB","StageName":"Negotiation","LastModifiedDate":"2025-03-16T10:00:00.000+0000"},
          {"attributes":{"type":"Opportunity"},"Id":"0065g00000X0005AAB","ContactId":"0015g00000X0002AAB","IsClosed":"true"},
          {"attributes":{"type":"Opportunity"},"Id":"0065g00000X0006AAB","ContactId":"0035g00000X0002AAB","IsClosed":true,"CreatedDate":"2025-03-16T10:00:00.000+0000"},
          {"attributes":{"type":"Task"},"Id":"00T5g00000X0007AAB","WhoId":"0035g00000X0002AAB","TaskSubtype":"Call","Subject":"Call back","ActivityDate":"2025-03-17"},
          {"attributes":{"type":"Event"},"Id":"00U5g00000X0008AAB","WhoId":"00Q5g00000X0001AAB","Subject":"Demo","StartDateTime":"2025-03-18T09:00:00.000+0000"},
          {"attributes":{"type":"Task"},"Id":"00T5g00000X0009AAB","WhoId":"0035g00000X0002AAB","TaskSubtype":"Email"},
          {"attributes":{"type":"Task"},"Id":"00T5g00000X0010AAB"},
          {"attributes":{"type":"Case"},"Id":"5005g00000X0011AAB"},
          {"Id":"x"}
        ]}
        """;
}
