using System.Globalization;
using System.Text;

namespace JourneyHub.Benchmarks;

/// <summary>
/// Deliveries of exactly <see cref="Events"/> events per source, in the wire shapes of
/// tests/Fixtures. Standard Webhooks carry one event per delivery, so the custom
/// source is <see cref="Events"/> separate bodies.
/// </summary>
public static class Payloads
{
    public const int Events = 100;

    private static string N(int i) => i.ToString(CultureInfo.InvariantCulture);

    public static byte[] HubSpot() => Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Range(0, Events).Select(i => (i % 4) switch
    {
        0 => $$"""{"eventId":{{2841953117 + i}},"subscriptionId":2390416,"portalId":44791823,"appId":3914022,"occurredAt":{{1741962118305 + i}},"subscriptionType":"contact.creation","attemptNumber":0,"objectId":{{81273645012 + i}},"changeFlag":"CREATED","changeSource":"FORM","sourceId":"formId:2b5c6e1a-7f0d-4f4e-9f57-0c3d9a1b2e44"}""",
        1 => $$"""{"eventId":{{2841953117 + i}},"subscriptionId":2390417,"portalId":44791823,"appId":3914022,"occurredAt":{{1741962118305 + i}},"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":{{81273645012 + i}},"propertyName":"lifecyclestage","propertyValue":"marketingqualifiedlead","changeSource":"AUTOMATION_PLATFORM","sourceId":"enrollmentId:301128744;actionExecutionIndex:0"}""",
        2 => $$"""{"eventId":{{2841953117 + i}},"subscriptionId":2390420,"portalId":44791823,"appId":3914022,"occurredAt":{{1741962118305 + i}},"subscriptionType":"deal.creation","attemptNumber":0,"objectId":{{19283746501 + i}},"changeFlag":"CREATED","changeSource":"CRM_UI","sourceId":"userId:58201334"}""",
        _ => $$"""{"eventId":{{2841953117 + i}},"subscriptionId":2390417,"portalId":44791823,"appId":3914022,"occurredAt":{{1741962118305 + i}},"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":{{81273645012 + i}},"propertyName":"hs_analytics_num_page_views","propertyValue":"{{N(i)}}","changeSource":"CRM_UI"}""",
    })) + "]");

    public static byte[] Salesforce() => Encoding.UTF8.GetBytes(
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
         <soapenv:Body>
          <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
           <OrganizationId>00D5g000004ZkQ1EAK</OrganizationId>
           <ActionId>04k5g000000TuVwAAK</ActionId>
           <SessionId xsi:nil="true"/>
           <EnterpriseUrl>https://contoso.my.salesforce.com/services/Soap/c/62.0/00D5g000004ZkQ1</EnterpriseUrl>
           <PartnerUrl>https://contoso.my.salesforce.com/services/Soap/u/62.0/00D5g000004ZkQ1</PartnerUrl>
        """ + string.Concat(Enumerable.Range(0, Events).Select(i => $"""
           <Notification>
            <Id>04l5g00000R{i:D4}AAF</Id>
            <sObject xsi:type="sf:Contact" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
             <sf:Id>0035g00000X{i:D4}AAB</sf:Id>
             <sf:AccountId>0015g00000Ab3CdAAJ</sf:AccountId>
             <sf:Email>person{i}@example.com</sf:Email>
             <sf:FirstName>Maria</sf:FirstName>
             <sf:LastModifiedDate>2025-03-14T14:22:01.000Z</sf:LastModifiedDate>
             <sf:LastName>Lindqvist</sf:LastName>
             <sf:LeadSource>Web</sf:LeadSource>
             <sf:Phone>+46 70 123 45 67</sf:Phone>
            </sObject>
           </Notification>
        """)) + """
          </notifications>
         </soapenv:Body>
        </soapenv:Envelope>
        """);

    public static byte[] MetaPage() => Encoding.UTF8.GetBytes(
        """{"object":"page","entry":[{"id":"104328857712345","time":1741962140,"changes":[""" +
        string.Join(",", Enumerable.Range(0, Events).Select(i =>
            $$$"""{"field":"feed","value":{"from":{"id":"{{{6743210987654321 + i}}}","name":"Jos\u00e9 Mart\u00ednez"},"post":{"status_type":"added_photos","is_published":true,"updated_time":"2025-03-14T14:22:08+0000","permalink_url":"https:\/\/www.facebook.com\/permalink.php?story_fbid=987650001234567&id=104328857712345","promotion_status":"inactive","id":"104328857712345_987650001234567"},"message":"The caf\u00e9 looked lovely but the service was really slow \ud83d\ude41","post_id":"104328857712345_987650001234567","comment_id":"987650001234567_{{{1122334455667788 + i}}}","created_time":{{{1741962128 + i}}},"item":"comment","parent_id":"104328857712345_987650001234567","verb":"add"}}""")) +
        "]}]}");

    public static byte[] Instagram() => Encoding.UTF8.GetBytes(
        """{"object":"instagram","entry":[{"id":"17841401234567890","time":1741962140,"changes":[""" +
        string.Join(",", Enumerable.Range(0, Events).Select(i =>
            $$$"""{"field":"comments","value":{"from":{"id":"{{{17841455566677788 + i}}}","username":"sofia.travels"},"media":{"id":"18024567890123456","media_product_type":"FEED"},"id":"{{{17890123456789012 + i}}}","text":"Love this! Is it available in size M?"}}""")) +
        "]}]}");

    public static byte[] Trustpilot() => Encoding.UTF8.GetBytes(
        """{"events":[""" + string.Join(",", Enumerable.Range(0, Events).Select(i =>
            $$$"""{"eventName":"service-review-created","version":"1","eventData":{"id":"67d43a9e1b2c3d4e5f6a{{{i:D4}}}","language":"en","title":"Fast and friendly","text":"Ordered on Monday, delivered Wednesday. Support sorted a sizing question in minutes.","referenceId":"ORD-2025-00{{{i:D4}}}","stars":{{{1 + (i % 5)}}},"createdAt":"2025-03-14T14:25:31.000Z","isVerified":true,"locationId":"43f51215-a1fc-4c60-b6dd-e4afb6d7b831","link":"https://api.trustpilot.com/v1/reviews/67d43a9e1b2c3d4e5f6a7b8c","consumer":{"id":"5c1d2e3f4a5b6c7d8e9f{{{i:D4}}}","name":"Hannah W.","link":"https://api.trustpilot.com/v1/consumers/5c1d2e3f4a5b6c7d8e9f0a1b"},"tags":[{"group":"Generic","value":"spring-campaign"}]}}""")) +
        "]}");

    public static byte[][] Custom() => [.. Enumerable.Range(0, Events).Select(i => Encoding.UTF8.GetBytes(
        $$$$"""{"type":"touchpoint.created","timestamp":"2025-03-14T14:22:05.412Z","data":{"sourceSystem":"contoso-pos","externalId":"pos-txn-{{{{88231 + i}}}}","channel":"in_store","occurredAt":"2025-03-14T14:21:50Z","person":{"email":"maria{{{{i}}}}@example.com","phone":"+46701234567"},"attributes":{"storeId":"STO-017","basketValue":129.5,"currency":"EUR"}}}"""))];
}
