using System.Text;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Sources.Custom;
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
    public void An_entry_that_names_nobody_is_still_rejected_without_people()
    {
        var result = new CustomSourceAdapter().Normalize(Raw("custom:kiosk", Encoding.UTF8.GetBytes("""{"type":"touchpoint.created","data":{"externalId":"k-7","channel":"web"}}""")));

        var rejected = Assert.Single(result.Rejected);
        Assert.Contains("person", rejected.Reason, StringComparison.Ordinal);
        Assert.Empty(rejected.Identities);
    }
}
