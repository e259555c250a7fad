using System.Text;
using JourneyHub.Core.Sources.Salesforce;
using static JourneyHub.UnitTests.Sources.SourceTestKit;

namespace JourneyHub.UnitTests.Customers;

public sealed class SalesforceMergeTests
{
    [Fact]
    public void A_merged_away_contact_carries_its_master_record_as_a_second_identity()
    {
        var xml = Fixture.Text("salesforce/salesforce-outbound-message.xml")
            .Replace("<sf:LeadSource>Web</sf:LeadSource>", "<sf:LeadSource>Web</sf:LeadSource>\n     <sf:MasterRecordId>0035g00000XyZ99AAB</sf:MasterRecordId>", StringComparison.Ordinal);
        var touchpoint = new SalesforceAdapter().Normalize(Raw("salesforce", Encoding.UTF8.GetBytes(xml))).Touchpoints[0];

        Assert.Equal("contact.merged", touchpoint.Action);
        Assert.Contains("salesforce:0035g00000XyZ12AAB", Ids(touchpoint), StringComparison.Ordinal);
        Assert.Contains("salesforce:0035g00000XyZ99AAB", Ids(touchpoint), StringComparison.Ordinal);
    }

    [Fact]
    public void A_master_record_id_that_is_not_a_person_is_ignored()
    {
        var xml = Fixture.Text("salesforce/salesforce-outbound-message.xml")
            .Replace("<sf:LeadSource>Web</sf:LeadSource>", "<sf:LeadSource>Web</sf:LeadSource>\n     <sf:MasterRecordId>0015g00000Ab3CdAAJ</sf:MasterRecordId>", StringComparison.Ordinal);
        var touchpoint = new SalesforceAdapter().Normalize(Raw("salesforce", Encoding.UTF8.GetBytes(xml))).Touchpoints[0];

        Assert.Equal("contact.updated", touchpoint.Action);
        Assert.DoesNotContain("0015g00000Ab3CdAAJ", Ids(touchpoint), StringComparison.Ordinal);
    }
}
