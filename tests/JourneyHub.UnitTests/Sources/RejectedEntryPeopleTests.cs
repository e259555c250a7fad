using System.Text;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Sources.Custom;
using JourneyHub.Core.Sources.Meta;
using JourneyHub.Core.Sources.Pull;
using JourneyHub.Core.Sources.Trustpilot;
using static JourneyHub.UnitTests.Sources.SourceTestKit;

namespace JourneyHub.UnitTests.Sources;

/// <summary>
/// An entry rejected for a bad value still names its person when the payload says who it is (issue 12): the dead letter
/// then records whose it is (keyed hashes), so erasing that person finds the payload. One case per kind of sender.
/// </summary>
public sealed class RejectedEntryPeopleTests
{
    public static TheoryData<string, Func<NormalizationResult>, string> Cases => new()
    {
        {
            "custom source, survey score out of range",
            () => new CustomSourceAdapter().Normalize(Raw("custom:kiosk", Encoding.UTF8.GetBytes("""{"type":"touchpoint.created","data":{"externalId":"k-9","person":{"email":"ada@example.com"},"survey":{"type":"nps","score":42}}}"""))),
            "email:ada@example.com"
        },
        {
            "custom source, unknown channel",
            () => new CustomSourceAdapter().Normalize(Raw("custom:kiosk", Encoding.UTF8.GetBytes("""{"type":"touchpoint.created","data":{"externalId":"k-8","channel":"telepathy","person":{"phone":"+46701234567","id":"P-1"}}}"""))),
            "phone:+46701234567 custom:kiosk:P-1"
        },
        {
            "Trustpilot review with six stars",
            () => new TrustpilotAdapter(Monitor(new TrustpilotOptions())).Normalize(Raw("trustpilot", Encoding.UTF8.GetBytes(Fixture.Text("trustpilot/trustpilot-webhook-service-review-created.json").Replace("\"stars\":5", "\"stars\":6", StringComparison.Ordinal)))),
            "trustpilot:5c1d2e3f4a5b6c7d8e9f0a1b"
        },
        {
            "Google review with an unknown star rating",
            () => new GoogleReviewsAdapter().Normalize(Raw(SourceId.Google.Name, Encoding.UTF8.GetBytes(Fixture.Text("google/google-reviews-page1.json").Replace("\"starRating\": \"FOUR\"", "\"starRating\": \"LOTS\"", StringComparison.Ordinal)))),
            "google:https://lh3.googleusercontent.com/a-/ALV-UjW0example-reviewer-1"
        },
        {
            "Salesforce pull, a contact without CreatedDate",
            () => new SalesforcePullAdapter().Normalize(Raw(SourceId.SalesforcePull.Name, Encoding.UTF8.GetBytes("""{"records":[{"attributes":{"type":"Contact"},"Id":"0035g00000X0002AAB","Email":"lee@example.com"}]}"""))),
            "salesforce:0035g00000X0002AAB email:lee@example.com"
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_rejected_entry_names_the_person_its_payload_names(string name, Func<NormalizationResult> normalize, string people)
    {
        // The first rejection is the case's (the Google page also holds an anonymous review, rightly rejected without people).
        var rejected = normalize().Rejected[0];

        Assert.False(string.IsNullOrEmpty(rejected.Reason), name);
        Assert.Equal(people, string.Join(' ', rejected.Identities.Select(i => i.ToString())));
    }

    [Fact]
    public void Rejected_Meta_items_name_the_commenter_the_sender_or_the_customer_an_echo_went_to_but_never_the_page()
    {
        var page = Encoding.UTF8.GetBytes("""
            {"object":"page","entry":[{"id":"900100","time":1741962125,
              "changes":[
                {"field":"feed","value":{"item":"comment","verb":"hide","comment_id":"c1","post_id":"p1","from":{"id":"100201","name":"Ann"}}},
                {"field":"feed","value":{"item":"comment","verb":"add","post_id":"p1","from":{"id":"900100","name":"The page"}}},
                {"field":"ratings","value":{"from":{"id":"100202"},"rating":5}},
                {"field":"feed","value":{"item":"comment","verb":"add","comment_id":{"odd":true},"from":{"id":"100203"}}}
              ],
              "messaging":[
                {"sender":{"id":"100204"},"recipient":{"id":"900100"},"timestamp":1741962125000,"read":{"watermark":1741962120000}},
                {"sender":{"id":"900100"},"recipient":{"id":"100205"},"timestamp":1741962125000,"message":{"mid":"m1","text":"Thanks!","is_echo":true}},
                {"sender":{"id":"100206"},"recipient":{"id":"900100"},"timestamp":1741962125000,"message":{"text":"no mid"}}
              ]}]}
            """);
        var instagram = Encoding.UTF8.GetBytes("""
            {"object":"instagram","entry":[{"id":"1784100","time":1741962125,
              "changes":[{"field":"comments","value":{"from":{"id":"178420","username":"ann"},"text":"no id"}}]}]}
            """);

        var pageRejections = new MetaAdapter().Normalize(Raw(SourceId.Meta.Name, page)).Rejected.OrderBy(r => r.EntryIndex).ToList();
        var instagramRejection = Assert.Single(new MetaAdapter().Normalize(Raw(SourceId.Instagram.Name, instagram)).Rejected);

        Assert.Equal(
            ["meta:100201", "", "meta:100202", "meta:100203", "meta:100204", "meta:100205", "meta:100206"],
            pageRejections.Select(r => string.Join(' ', r.Identities.Select(i => i.ToString()))));
        Assert.All(pageRejections, r => Assert.False(string.IsNullOrEmpty(r.Reason)));
        Assert.Equal("instagram:178420", string.Join(' ', instagramRejection.Identities.Select(i => i.ToString())));
    }

    [Fact]
    public void An_entry_that_names_nobody_is_still_rejected_without_people()
    {
        var result = new CustomSourceAdapter().Normalize(Raw("custom:kiosk", Encoding.UTF8.GetBytes("""{"type":"touchpoint.created","data":{"externalId":"k-7","channel":"web"}}""")));

        var rejected = Assert.Single(result.Rejected);
        Assert.Contains("person", rejected.Reason, StringComparison.Ordinal);
        Assert.Empty(rejected.Identities);
    }
}
