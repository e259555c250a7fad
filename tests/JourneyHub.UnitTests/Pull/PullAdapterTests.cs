using System.Text;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Pull;
using JourneyHub.Core.Sources.Meta;
using JourneyHub.Core.Sources.Pull;
using JourneyHub.Core.Sources.Trustpilot;
using JourneyHub.UnitTests.Sources;

namespace JourneyHub.UnitTests.Pull;

/// <summary>Pulled pages give the same touchpoints as the webhook copy of the same event, and facts with stable ids.</summary>
public sealed class PullAdapterTests
{
    private static readonly TrustpilotAdapter TrustpilotWebhook = new(SourceTestKit.Monitor(new TrustpilotOptions()));

    [Fact]
    public void A_pulled_Trustpilot_review_is_the_same_touchpoint_as_its_webhook_delivery()
    {
        var pulled = new TrustpilotPullAdapter(TrustpilotWebhook).Normalize(SourceTestKit.RawFixture(SourceId.TrustpilotPull.Name, "trustpilot/trustpilot-private-reviews-response.json"));
        var delivered = TrustpilotWebhook.Normalize(SourceTestKit.RawFixture("trustpilot", "trustpilot/trustpilot-webhook-service-review-created.json"));

        var fromPull = Assert.Single(pulled.Touchpoints);
        var fromWebhook = Assert.Single(delivered.Touchpoints);
        Assert.Equal(fromWebhook.TouchpointId, fromPull.TouchpointId);
        Assert.Equal("trustpilot", fromPull.Source);
        Assert.Equal("67d43a9e1b2c3d4e5f6a7b8c:service-review-created", fromPull.SourceEventId);
        Assert.Equal(fromWebhook.OccurredAt, fromPull.OccurredAt);
        Assert.Equal(fromWebhook.Rating, fromPull.Rating);
        Assert.Empty(pulled.Rejected);
    }

    [Fact]
    public void A_pulled_Meta_comment_is_the_same_touchpoint_as_the_feed_webhook_and_the_pages_own_replies_are_left_out()
    {
        var createdAt = new DateTimeOffset(2025, 3, 14, 14, 22, 8, TimeSpan.Zero).ToUnixTimeSeconds();
        var webhook = """{"object":"page","entry":[{"id":"104328857712345","time":TIME,"changes":[{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"987650001234567_1122334455667788","post_id":"104328857712345_987650001234567","from":{"id":"6743210987654321","name":"José Martínez"},"message":"Does the café open on Sundays? 🙂","created_time":TIME}}]}]}"""
            .Replace("TIME", createdAt.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var metaWebhook = new MetaAdapter();
        var properties = new Dictionary<string, string> { ["pageId"] = "104328857712345", ["postId"] = "104328857712345_987650001234567" };
        var page = Fixture.Text("meta/meta-graph-comments-page.json").Replace(
            "\"data\": [",
            "\"data\": [{\"id\":\"987650001234567_999\",\"message\":\"Thanks!\",\"from\":{\"id\":\"104328857712345\",\"name\":\"Contoso Café\"},\"created_time\":\"2025-03-14T15:00:00+0000\"},",
            StringComparison.Ordinal);

        var pulled = new MetaPullAdapter(metaWebhook).Normalize(SourceTestKit.Raw(SourceId.MetaPull.Name, Encoding.UTF8.GetBytes(page), properties));
        var delivered = metaWebhook.Normalize(SourceTestKit.Raw("meta", Encoding.UTF8.GetBytes(webhook)));

        var fromPull = Assert.Single(pulled.Touchpoints);
        var fromWebhook = Assert.Single(delivered.Touchpoints);
        Assert.Equal(fromWebhook.TouchpointId, fromPull.TouchpointId);
        Assert.Equal(fromWebhook.OccurredAt, fromPull.OccurredAt);
        Assert.Equal(fromWebhook.Summary, fromPull.Summary);
        Assert.Empty(pulled.Rejected);
    }

    [Fact]
    public void Salesforce_query_records_become_one_creation_fact_per_record_with_offsets_parsed()
    {
        var result = new SalesforcePullAdapter().Normalize(SourceTestKit.RawFixture(SourceId.SalesforcePull.Name, "salesforce/salesforce-query-contacts-page1.json"));

        Assert.Equal(2, result.Touchpoints.Count);
        var maria = result.Touchpoints[0];
        Assert.Equal("salesforce", maria.Source);
        Assert.Equal("0035g00000XyZ12AAB:created", maria.SourceEventId);
        Assert.Equal(new DateTimeOffset(2025, 3, 14, 14, 22, 1, TimeSpan.Zero), maria.OccurredAt);
        Assert.Equal("salesforce:0035g00000XyZ12AAB email:maria.lindqvist@example.com", SourceTestKit.Ids(maria));

        // Pulled again (another page, another run): the same ids.
        var again = new SalesforcePullAdapter().Normalize(SourceTestKit.RawFixture(SourceId.SalesforcePull.Name, "salesforce/salesforce-query-contacts-page1.json"));
        Assert.Equal(result.Touchpoints.Select(t => t.TouchpointId), again.Touchpoints.Select(t => t.TouchpointId));
    }

    [Fact]
    public void Salesforce_opportunities_are_objects_and_pulled_contact_roles_associate_contacts_with_them()
    {
        var page = """
            {"totalSize":3,"done":true,"records":[
              {"attributes":{"type":"Opportunity"},"Id":"0065g00000Op003AAB","Name":"Account-only deal","StageName":"Prospecting","AccountId":"0015g00000Ab3CdAAJ","ContactId":null,"SystemModstamp":"2025-03-14T15:03:00.000+0000"},
              {"attributes":{"type":"OpportunityContactRole"},"Id":"00K5g00000Ro001AAB","OpportunityId":"0065g00000Op003AAB","ContactId":"0035g00000XyZ77AAB","Role":"Economic Buyer","IsPrimary":false,"CreatedDate":"2025-03-14T15:10:00.000+0000","SystemModstamp":"2025-03-14T15:10:00.000+0000"},
              {"attributes":{"type":"OpportunityContactRole"},"Id":"00K5g00000Ro002AAB","OpportunityId":"0065g00000Op003AAB","ContactId":"0015g00000Ab3CdAAJ","CreatedDate":"2025-03-14T15:11:00.000+0000"}
            ]}
            """;

        var result = new SalesforcePullAdapter().Normalize(SourceTestKit.Raw(SourceId.SalesforcePull.Name, System.Text.Encoding.UTF8.GetBytes(page)));

        Assert.Equal(2, result.Touchpoints.Count);
        Assert.Equal("salesforce-opportunity:0065g00000Op003AAB", SourceTestKit.Ids(result.Touchpoints[0]));
        var role = result.Touchpoints[1];
        Assert.Equal(("association.added", "00K5g00000Ro001AAB:role"), (role.Action, role.SourceEventId));
        Assert.Equal("salesforce:0035g00000XyZ77AAB salesforce-opportunity:0065g00000Op003AAB", SourceTestKit.Ids(role));
        Assert.Equal("Economic Buyer", role.Attributes["role"]);

        // An account id where a contact belongs is not a person: that role associates no one.
        Assert.Equal(2, Assert.Single(result.Rejected).EntryIndex);
    }

    [Fact]
    public void A_pulled_deleted_contact_role_ends_its_association_and_is_its_own_fact()
    {
        // What queryAll returns for a role deleted from an opportunity (IsDeleted true, SystemModstamp = the deletion).
        var page = """
            {"totalSize":1,"done":true,"records":[
              {"attributes":{"type":"OpportunityContactRole"},"Id":"00K5g00000Ro001AAB","OpportunityId":"0065g00000Op003AAB","ContactId":"0035g00000XyZ77AAB","Role":"Economic Buyer","IsPrimary":false,"IsDeleted":true,"CreatedDate":"2025-03-14T15:10:00.000+0000","LastModifiedDate":"2025-03-20T08:00:00.000+0000","SystemModstamp":"2025-03-20T08:00:00.000+0000"}
            ]}
            """;

        var removed = Assert.Single(new SalesforcePullAdapter().Normalize(SourceTestKit.Raw(SourceId.SalesforcePull.Name, Encoding.UTF8.GetBytes(page))).Touchpoints);

        Assert.Equal(("association.removed", "00K5g00000Ro001AAB:role-removed"), (removed.Action, removed.SourceEventId));
        Assert.Equal(new DateTimeOffset(2025, 3, 20, 8, 0, 0, TimeSpan.Zero), removed.OccurredAt);
        Assert.Equal("salesforce:0035g00000XyZ77AAB salesforce-opportunity:0065g00000Op003AAB", SourceTestKit.Ids(removed));
        Assert.True(ObjectAttribution.RemovesAssociation(removed));
        Assert.Equal("Contact role Economic Buyer on opportunity 0065g00000Op003AAB removed", removed.Summary);
    }

    [Theory]
    [InlineData("Task", "Call", "call.logged")]
    [InlineData("Task", "Email", "email.sent")]
    [InlineData("Task", "ListEmail", "email.sent")]
    [InlineData("Task", "Meeting", "meeting.booked")]
    [InlineData("Task", "Task", "task.logged")]
    [InlineData("Task", "Cadence", "task.logged")]
    [InlineData("Event", "Event", "meeting.booked")]
    [InlineData("Event", "Webinar", "meeting.booked")]
    public void A_pulled_activity_reads_as_the_same_activity_in_an_Outbound_Message(string objectType, string subtype, string action)
    {
        var subtypeField = objectType == "Task" ? "TaskSubtype" : "EventSubtype";
        var page = $$"""
            {"totalSize":1,"done":true,"records":[
              {"attributes":{"type":"{{objectType}}"},"Id":"00T5g00000Ac001AAB","Subject":"Follow-up","{{subtypeField}}":"{{subtype}}","WhoId":"0035g00000XyZ77AAB","CreatedDate":"2025-03-14T15:10:00.000+0000","SystemModstamp":"2025-03-14T15:10:00.000+0000"}
            ]}
            """;
        var message = $$"""
            <?xml version="1.0" encoding="UTF-8"?>
            <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
             <soapenv:Body>
              <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
               <OrganizationId>00D5g000004ZkQ1EAK</OrganizationId>
               <Notification>
                <Id>04l5g00000Ac001AAF</Id>
                <sObject xsi:type="sf:{{objectType}}" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
                 <sf:Id>00T5g00000Ac001AAB</sf:Id>
                 <sf:Subject>Follow-up</sf:Subject>
                 <sf:{{subtypeField}}>{{subtype}}</sf:{{subtypeField}}>
                 <sf:WhoId>0035g00000XyZ77AAB</sf:WhoId>
                 <sf:CreatedDate>2025-03-14T15:10:00.000Z</sf:CreatedDate>
                 <sf:LastModifiedDate>2025-03-14T15:10:00.000Z</sf:LastModifiedDate>
                </sObject>
               </Notification>
              </notifications>
             </soapenv:Body>
            </soapenv:Envelope>
            """;

        var pulled = Assert.Single(new SalesforcePullAdapter().Normalize(SourceTestKit.Raw(SourceId.SalesforcePull.Name, Encoding.UTF8.GetBytes(page))).Touchpoints);
        var pushed = Assert.Single(new Core.Sources.Salesforce.SalesforceAdapter().Normalize(SourceTestKit.Raw(SourceId.Salesforce.Name, Encoding.UTF8.GetBytes(message))).Touchpoints);

        Assert.Equal(action, pulled.Action);
        Assert.Equal((pushed.Channel, pushed.Action, pushed.Summary), (pulled.Channel, pulled.Action, pulled.Summary));
    }

    [Fact]
    public void HubSpot_contacts_give_a_creation_and_a_lifecycle_fact_and_engagements_one_touchpoint_per_contact()
    {
        var contacts = new HubSpotPullAdapter().Normalize(SourceTestKit.RawFixture(SourceId.HubSpotPull.Name, "hubspot/hubspot-crm-contacts-search-response.json", new Dictionary<string, string> { ["objectType"] = "contacts" }));
        Assert.Equal(
            new[] { "contact.created", "lifecycle.changed", "contact.created", "lifecycle.changed" },
            contacts.Touchpoints.Select(t => t.Action).ToArray());
        var lifecycle = contacts.Touchpoints[1];
        Assert.Equal("contact:81273645012:lifecycle:marketingqualifiedlead", lifecycle.SourceEventId);
        Assert.Equal(Core.Schema.JourneyStage.Consideration, lifecycle.Stage);

        var meeting = """{"search":{"results":[{"id":"69021460112","properties":{"hs_timestamp":"2025-03-14T15:00:00Z","hs_meeting_start_time":"2025-03-14T15:00:00Z","hs_meeting_title":"Demo"}}]},"associations":{"results":[{"from":{"id":"69021460112"},"to":[{"toObjectId":81273645012},{"toObjectId":80455566677}]}]}}""";
        var meetings = new HubSpotPullAdapter().Normalize(SourceTestKit.Raw(SourceId.HubSpotPull.Name, Encoding.UTF8.GetBytes(meeting), new Dictionary<string, string> { ["objectType"] = "meetings" }));
        Assert.Equal(new[] { "meetings:69021460112:81273645012", "meetings:69021460112:80455566677" }, meetings.Touchpoints.Select(t => t.SourceEventId).ToArray());
        Assert.All(meetings.Touchpoints, t => Assert.Single(t.Identities));
    }

    [Fact]
    public void An_edited_Google_review_adds_an_update_fact_and_the_star_enum_is_the_rating()
    {
        var result = new GoogleReviewsAdapter().Normalize(SourceTestKit.RawFixture(SourceId.Google.Name, "google/google-reviews-page2.json"));

        Assert.Equal(new[] { "AbFvOqkW4s8Hn6Pc", "AbFvOqkW4s8Hn6Pc:updated:1741770000000" }, result.Touchpoints.Select(t => t.SourceEventId).ToArray());
        Assert.All(result.Touchpoints, t => Assert.Equal(new Core.Schema.Rating(5, 5), t.Rating));
        Assert.Equal(Core.Schema.SentimentLabel.Positive, result.Touchpoints[0].Sentiment!.Label);
        Assert.Equal(Core.Schema.JourneyStage.Retention, result.Touchpoints[0].Stage);
    }

    [Theory]
    [InlineData("ONE", 1)]
    [InlineData("THREE", 3)]
    [InlineData("FIVE", 5)]
    [InlineData("STAR_RATING_UNSPECIFIED", null)]
    [InlineData("5", null)]
    public void Google_star_enums_map_to_numbers(string starRating, int? stars) =>
        Assert.Equal(stars, GoogleReviewsAdapter.StarsOf(starRating));
}
