using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using JourneyHub.Azure.Configuration;
using JourneyHub.Azure.Segments;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Privacy;
using JourneyHub.Core.Processing;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Sources.Custom;
using JourneyHub.Core.Sources.Shopify;
using JourneyHub.Core.Timeline;
using JourneyHub.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace JourneyHub.IntegrationTests.Customers;

/// <summary>
/// Objects are not people (issue 12): deals and orders attribute touchpoints to the people associated with them and never
/// link or merge anyone. The production processor, erasure and stores (AddJourneyHubAzure) on a real Azurite.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ObjectAttributionTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly DateTimeOffset Start = new(2025, 5, 1, 9, 0, 0, TimeSpan.Zero);
    private readonly ServiceProvider services = Build(azurite);

    public void Dispose() => services.Dispose();

    [Fact]
    public async Task Two_HubSpot_contacts_with_their_own_emails_on_one_deal_stay_two_customers_and_each_gets_the_deals_touchpoints()
    {
        var (alice, bob, deal) = (HubSpotEvents.NewId(), HubSpotEvents.NewId(), HubSpotEvents.NewId());
        await DeliverHubSpotAsync(
            HubSpotEvents.PropertyChange(alice, "email", Email(alice), Start),
            HubSpotEvents.PropertyChange(bob, "email", Email(bob), Start.AddMinutes(1)),
            HubSpotDealEvents.ContactToDeal(alice, deal, Start.AddMinutes(2)),
            HubSpotDealEvents.ContactToDeal(bob, deal, Start.AddMinutes(3)));

        var won = await DeliverHubSpotAsync(HubSpotDealEvents.DealStage(deal, "closedwon", Start.AddMinutes(4)));

        var aliceId = await CustomerOfAsync("hubspot", alice);
        var bobId = await CustomerOfAsync("hubspot", bob);
        Assert.NotEqual(aliceId, bobId);
        Assert.Equal(aliceId, await CustomerOfAsync("email", Email(alice)));
        Assert.Equal(bobId, await CustomerOfAsync("email", Email(bob)));
        Assert.Null(await services.GetRequiredService<IIdentityStore>().FindCustomerAsync(DealId(deal), default));

        Assert.Equal(2, won.Inserted);
        var aliceWon = Assert.Single(await RowsAsync(aliceId), t => t.Action == "deal.won");
        var bobWon = Assert.Single(await RowsAsync(bobId), t => t.Action == "deal.won");
        Assert.NotEqual(aliceWon.TouchpointId, bobWon.TouchpointId);
        Assert.Equal(JourneyStage.Decision, aliceWon.Stage);
        Assert.Equal($"hubspot-deal:{deal}", bobWon.Attributes[ObjectAttribution.AttributedViaAttribute]);

        // Neither summary lists the other's e-mail or the deal: nothing joined the two people.
        var customers = services.GetRequiredService<ICustomerStore>();
        Assert.DoesNotContain(new Identity("email", Email(bob)), (await customers.GetAsync(aliceId, default))!.Identities);
        Assert.DoesNotContain(DealId(deal), (await customers.GetAsync(bobId, default))!.Identities);
    }

    [Fact]
    public async Task A_deal_event_seen_before_any_association_is_parked_and_lands_once_when_the_association_arrives()
    {
        var (carol, deal) = (HubSpotEvents.NewId(), HubSpotEvents.NewId());
        var won = HubSpotDealEvents.DealStage(deal, "closedwon", Start);

        var early = await DeliverHubSpotAsync(won);
        Assert.Equal(1, early.Parked);
        Assert.Equal(0, early.Inserted);
        Assert.Single(await HistoryAsync(deal));

        // The deal event is redelivered in the very message whose association releases it: still one row.
        var associated = await DeliverHubSpotAsync(
            won,
            HubSpotEvents.PropertyChange(carol, "email", Email(carol), Start.AddMinutes(1)),
            HubSpotDealEvents.ContactToDeal(carol, deal, Start.AddMinutes(2)));

        var carolId = await CustomerOfAsync("hubspot", carol);
        Assert.Single(await RowsAsync(carolId), t => t.Action == "deal.won");
        Assert.Equal(3, associated.Inserted);
        Assert.Single(await HistoryAsync(deal));

        // And once more, alone, after the release, as a queue retry: found, not stored again.
        var again = await DeliverHubSpotAsync(attempt: 2, won);
        Assert.Equal(0, again.Inserted);
        Assert.Equal(1, again.Duplicates);
        Assert.Single(await RowsAsync(carolId), t => t.Action == "deal.won");
    }

    [Fact]
    public async Task A_Salesforce_opportunity_without_a_contact_waits_and_reaches_every_contact_its_contact_roles_name_who_stay_two_customers()
    {
        var (ada, ben, opportunity) = (SalesforceId("003"), SalesforceId("003"), SalesforceId("006"));
        var won = Sobject("Opportunity", SalesforceId("04l"), $"<sf:Id>{opportunity}</sf:Id><sf:AccountId>0015g00000Ab3CdAAJ</sf:AccountId><sf:StageName>Closed Won</sf:StageName><sf:Name>Shared renewal</sf:Name><sf:LastModifiedDate>2025-05-01T09:00:00.000Z</sf:LastModifiedDate>");

        var early = await DeliverSalesforceAsync(won);
        Assert.Equal((1, 0), (early.Parked, early.Inserted));

        await DeliverSalesforceAsync(
            Sobject("Contact", SalesforceId("04l"), $"<sf:Id>{ada}</sf:Id><sf:Email>ada-{ada}@example.com</sf:Email><sf:CreatedDate>2025-05-01T09:01:00.000Z</sf:CreatedDate><sf:LastModifiedDate>2025-05-01T09:01:00.000Z</sf:LastModifiedDate>"),
            Sobject("Contact", SalesforceId("04l"), $"<sf:Id>{ben}</sf:Id><sf:Email>ben-{ben}@example.com</sf:Email><sf:CreatedDate>2025-05-01T09:02:00.000Z</sf:CreatedDate><sf:LastModifiedDate>2025-05-01T09:02:00.000Z</sf:LastModifiedDate>"));
        var roles = await DeliverSalesforceAsync(
            Sobject("OpportunityContactRole", SalesforceId("04l"), $"<sf:Id>{SalesforceId("00K")}</sf:Id><sf:ContactId>{ada}</sf:ContactId><sf:OpportunityId>{opportunity}</sf:OpportunityId><sf:Role>Decision Maker</sf:Role><sf:CreatedDate>2025-05-01T09:03:00.000Z</sf:CreatedDate>"),
            Sobject("OpportunityContactRole", SalesforceId("04l"), $"<sf:Id>{SalesforceId("00K")}</sf:Id><sf:ContactId>{ben}</sf:ContactId><sf:OpportunityId>{opportunity}</sf:OpportunityId><sf:Role>Influencer</sf:Role><sf:CreatedDate>2025-05-01T09:04:00.000Z</sf:CreatedDate>"));

        var (adaId, benId) = (await CustomerOfAsync("salesforce", ada), await CustomerOfAsync("salesforce", ben));
        Assert.NotEqual(adaId, benId);
        Assert.Equal(adaId, await CustomerOfAsync("email", $"ada-{ada}@example.com"));
        Assert.Null(await services.GetRequiredService<IIdentityStore>().FindCustomerAsync(new Identity(IdentityTypes.SalesforceOpportunity, opportunity), default));
        Assert.Equal(4, roles.Inserted); // two contact roles, and the won opportunity once for each contact
        foreach (var customerId in new[] { adaId, benId })
        {
            var rows = await RowsAsync(customerId);
            var deal = Assert.Single(rows, t => t.Action == "deal.won");
            Assert.Equal($"{IdentityTypes.SalesforceOpportunity}:{opportunity}", deal.Attributes[ObjectAttribution.AttributedViaAttribute]);
            Assert.Single(rows, t => t.Action == "association.added");
        }
    }

    [Fact]
    public async Task A_contact_role_deleted_in_Salesforce_and_seen_by_the_pull_stops_the_opportunitys_later_events_reaching_that_contact()
    {
        var (ada, ben, opportunity) = (SalesforceId("003"), SalesforceId("003"), SalesforceId("006"));
        var (adaRole, benRole) = (SalesforceId("00K"), SalesforceId("00K"));
        await DeliverSalesforceAsync(
            Sobject("Contact", SalesforceId("04l"), $"<sf:Id>{ada}</sf:Id><sf:Email>ada-{ada}@example.com</sf:Email><sf:CreatedDate>2025-05-01T09:01:00.000Z</sf:CreatedDate><sf:LastModifiedDate>2025-05-01T09:01:00.000Z</sf:LastModifiedDate>"),
            Sobject("Contact", SalesforceId("04l"), $"<sf:Id>{ben}</sf:Id><sf:Email>ben-{ben}@example.com</sf:Email><sf:CreatedDate>2025-05-01T09:02:00.000Z</sf:CreatedDate><sf:LastModifiedDate>2025-05-01T09:02:00.000Z</sf:LastModifiedDate>"),
            Sobject("OpportunityContactRole", SalesforceId("04l"), $"<sf:Id>{adaRole}</sf:Id><sf:ContactId>{ada}</sf:ContactId><sf:OpportunityId>{opportunity}</sf:OpportunityId><sf:Role>Decision Maker</sf:Role><sf:CreatedDate>2025-05-01T09:03:00.000Z</sf:CreatedDate>"),
            Sobject("OpportunityContactRole", SalesforceId("04l"), $"<sf:Id>{benRole}</sf:Id><sf:ContactId>{ben}</sf:ContactId><sf:OpportunityId>{opportunity}</sf:OpportunityId><sf:Role>Influencer</sf:Role><sf:CreatedDate>2025-05-01T09:04:00.000Z</sf:CreatedDate>"));
        var proposal = await DeliverSalesforceAsync(Sobject("Opportunity", SalesforceId("04l"), $"<sf:Id>{opportunity}</sf:Id><sf:StageName>Proposal</sf:StageName><sf:Name>Renewal</sf:Name><sf:LastModifiedDate>2025-05-01T09:05:00.000Z</sf:LastModifiedDate>"));
        Assert.Equal(2, proposal.Inserted);

        // Ada's role is deleted in Salesforce: no Outbound Message; the pull's queryAll page of deleted roles brings it.
        var deletedRoles = $$"""
            {"totalSize":1,"done":true,"records":[
              {"attributes":{"type":"OpportunityContactRole"},"Id":"{{adaRole}}","OpportunityId":"{{opportunity}}","ContactId":"{{ada}}","Role":"Decision Maker","IsPrimary":false,"IsDeleted":true,"CreatedDate":"2025-05-01T09:03:00.000+0000","SystemModstamp":"2025-05-01T09:06:00.000+0000"}
            ]}
            """;
        var pulled = await DeliverAsync(SourceId.SalesforcePull.Name, Encoding.UTF8.GetBytes(deletedRoles), new Dictionary<string, string> { ["sObject"] = "OpportunityContactRole" }, attempt: 1);
        Assert.Equal(1, pulled.Inserted);

        var won = await DeliverSalesforceAsync(Sobject("Opportunity", SalesforceId("04l"), $"<sf:Id>{opportunity}</sf:Id><sf:StageName>Closed Won</sf:StageName><sf:IsWon>true</sf:IsWon><sf:Name>Renewal</sf:Name><sf:LastModifiedDate>2025-05-01T09:07:00.000Z</sf:LastModifiedDate>"));

        Assert.Equal(1, won.Inserted);
        var adaRows = await RowsAsync(await CustomerOfAsync("salesforce", ada));
        var benRows = await RowsAsync(await CustomerOfAsync("salesforce", ben));
        Assert.Single(adaRows, t => t.Action == "association.removed");
        Assert.DoesNotContain(adaRows, t => t.Action == "deal.won");
        Assert.Single(benRows, t => t.Action == "deal.won");

        // What Ada received before the removal stays on her timeline.
        Assert.Single(adaRows, t => t.Attributes.ContainsKey(ObjectAttribution.AttributedViaAttribute));
    }

    [Fact]
    public async Task When_two_contacts_of_a_deal_turn_out_to_be_one_person_the_deal_event_is_theirs_once_and_a_redelivery_adds_nothing()
    {
        var (judy, duplicate, deal) = (HubSpotEvents.NewId(), HubSpotEvents.NewId(), HubSpotEvents.NewId());
        await DeliverHubSpotAsync(HubSpotDealEvents.ContactToDeal(judy, deal, Start), HubSpotDealEvents.ContactToDeal(duplicate, deal, Start));
        var won = HubSpotDealEvents.DealStage(deal, "closedwon", Start.AddMinutes(1));
        Assert.Equal(2, (await DeliverHubSpotAsync(won)).Inserted);

        // HubSpot merges the duplicate contact into Judy: both ids on one touchpoint merge the two customers.
        await DeliverHubSpotAsync(new Dictionary<string, object?>
        {
            ["eventId"] = HubSpotEvents.NewId(),
            ["portalId"] = 44791823,
            ["occurredAt"] = Start.AddMinutes(2).ToUnixTimeMilliseconds(),
            ["subscriptionType"] = "contact.merge",
            ["objectId"] = judy,
            ["primaryObjectId"] = judy,
            ["mergedObjectIds"] = new[] { duplicate },
        });
        var survivor = await CustomerOfAsync("hubspot", judy);
        Assert.Equal(survivor, await CustomerOfAsync("hubspot", duplicate));

        // Each of the two had its own copy of the won deal; the merged person has it once, and counts it once.
        var merged = await RowsAsync(survivor);
        Assert.Single(merged, t => t.Action == "deal.won");
        Assert.Equal(merged.Count, (await services.GetRequiredService<ICustomerStore>().GetAsync(survivor, default))!.Journey.TouchpointCount);
        var before = merged.Count;

        // The association rows still name the merged-away id; the copy keeps the key it was stored under.
        var again = await DeliverHubSpotAsync(attempt: 2, won);

        Assert.Equal(0, again.Inserted);
        Assert.Equal(before, (await RowsAsync(survivor)).Count);
    }

    [Fact]
    public async Task A_deal_survey_answer_both_contacts_received_counts_once_after_their_merge_and_their_erasure_leaves_no_answer_row()
    {
        var (judy, duplicate, deal) = (HubSpotEvents.NewId(), HubSpotEvents.NewId(), HubSpotEvents.NewId());
        await DeliverHubSpotAsync(HubSpotDealEvents.ContactToDeal(judy, deal, Start), HubSpotDealEvents.ContactToDeal(duplicate, deal, Start));

        // An NPS answer that names only the deal: each contact gets its own copy, and its own answer row.
        var source = "custom:deal-survey-" + HubSpotEvents.NewId().ToString(CultureInfo.InvariantCulture);
        var answer = JsonSerializer.Serialize(new
        {
            type = "touchpoint.created",
            data = new
            {
                sourceSystem = "deal-survey",
                channel = "survey",
                occurredAt = Start.AddMinutes(1),
                person = new { externalIds = new Dictionary<string, string> { [IdentityTypes.HubSpotDeal] = deal.ToString(CultureInfo.InvariantCulture) } },
                survey = new { type = "nps", score = 9 },
            },
        });
        var properties = new Dictionary<string, string> { [CustomWebhookVerifier.WebhookIdProperty] = "msg_" + Guid.NewGuid().ToString("N") };
        Assert.Equal(2, (await DeliverAsync(source, Encoding.UTF8.GetBytes(answer), properties, attempt: 1)).Inserted);
        Assert.Equal(2, (await AnswerRowsAsync(source)).Count);

        // HubSpot merges the two contacts: the survivor keeps its own copy, and the merged customer's copy is a duplicate of it.
        await DeliverHubSpotAsync(new Dictionary<string, object?>
        {
            ["eventId"] = HubSpotEvents.NewId(),
            ["portalId"] = 44791823,
            ["occurredAt"] = Start.AddMinutes(2).ToUnixTimeMilliseconds(),
            ["subscriptionType"] = "contact.merge",
            ["objectId"] = judy,
            ["primaryObjectId"] = judy,
            ["mergedObjectIds"] = new[] { duplicate },
        });
        var survivor = await CustomerOfAsync("hubspot", judy);
        Assert.Equal(survivor, await CustomerOfAsync("hubspot", duplicate));
        var kept = Assert.Single(await RowsAsync(survivor), t => t.Survey is not null);

        // One person, one answer: one row in the survivor's shard, for the copy its timeline holds, counted once.
        var funnel = await services.GetRequiredService<IJourneyAnalytics>().FunnelAsync(new FunnelQuery(Start, Start.AddDays(1), source), default);
        Assert.Equal(new NpsFigures(1, 1, 0, 0, 100), funnel.Nps);
        var row = Assert.Single(await AnswerRowsAsync(source));
        Assert.Equal(survivor, row.GetString("CustomerId"));
        Assert.Contains("_" + kept.TouchpointId + "_", row.RowKey, StringComparison.Ordinal);

        // Erasing the person finds the answers on its timeline: none of them stays in the segment map.
        await services.GetRequiredService<ErasureService>().EraseAsync(survivor, default);
        Assert.Empty(await AnswerRowsAsync(source));
    }

    [Fact]
    public async Task A_deal_event_processed_while_a_concurrent_delivery_records_the_association_still_lands()
    {
        var (heidi, deal) = (HubSpotEvents.NewId(), HubSpotEvents.NewId());

        // The association's delivery runs completely right before the deal event is written to the deal's history, so
        // it finds no history to bring along: the deal side must read the associations after its write.
        var race = services.GetRequiredService<ObjectRace>();
        race.BeforeNextRecord = () => DeliverHubSpotAsync(HubSpotEvents.PropertyChange(heidi, "email", Email(heidi), Start), HubSpotDealEvents.ContactToDeal(heidi, deal, Start.AddMinutes(1)));

        var report = await DeliverHubSpotAsync(HubSpotDealEvents.DealStage(deal, "closedwon", Start.AddMinutes(2)));

        Assert.Null(race.BeforeNextRecord);
        Assert.Equal(0, report.Parked);
        Assert.Equal(1, report.Inserted);
        Assert.Single(await RowsAsync(await CustomerOfAsync("hubspot", heidi)), t => t.Action == "deal.won");
    }

    [Fact]
    public async Task A_deal_event_written_between_the_associations_read_and_its_write_makes_the_association_read_again_and_lands_exactly_once()
    {
        var (ivy, deal) = (HubSpotEvents.NewId(), HubSpotEvents.NewId());

        // The association's delivery has read the deal (no history yet) when the deal event's delivery runs completely:
        // it writes the history, finds nobody associated and parks the event. The association must not be recorded on
        // the stale read: it would never bring the event. Its write fails the version check, it reads again, brings it.
        var won = HubSpotDealEvents.DealStage(deal, "closedwon", Start.AddMinutes(2));
        Task<ProcessingReport>? dealDelivery = null;
        var race = services.GetRequiredService<ObjectRace>();
        race.BeforeNextAdd = () => dealDelivery = DeliverHubSpotAsync(won);

        var associated = await DeliverHubSpotAsync(HubSpotEvents.PropertyChange(ivy, "email", Email(ivy), Start), HubSpotDealEvents.ContactToDeal(ivy, deal, Start.AddMinutes(1)));

        Assert.Null(race.BeforeNextAdd);
        var parked = await dealDelivery!;
        Assert.Equal((1, 0), (parked.Parked, parked.Inserted));
        Assert.Equal(3, associated.Inserted);
        var ivyId = await CustomerOfAsync("hubspot", ivy);
        Assert.Single(await RowsAsync(ivyId), t => t.Action == "deal.won");
        Assert.Equal(2, race.Adds);
        Assert.Equal([ivyId], await services.GetRequiredService<IObjectStore>().CustomersAsync(DealId(deal), default));

        // Delivered again (a queue retry of either message): still once.
        Assert.Equal(1, (await DeliverHubSpotAsync(attempt: 2, won)).Duplicates);
        var rows = await RowsAsync(ivyId);
        Assert.Single(rows, t => t.Action == "deal.won");
        Assert.Equal(rows.Count, (await services.GetRequiredService<ICustomerStore>().GetAsync(ivyId, default))!.Journey.TouchpointCount);
    }

    [Fact]
    public async Task After_the_association_is_removed_later_deal_events_no_longer_go_to_that_contact()
    {
        var (dave, erin, deal) = (HubSpotEvents.NewId(), HubSpotEvents.NewId(), HubSpotEvents.NewId());
        await DeliverHubSpotAsync(
            HubSpotEvents.PropertyChange(dave, "email", Email(dave), Start),
            HubSpotEvents.PropertyChange(erin, "email", Email(erin), Start),
            HubSpotDealEvents.ContactToDeal(dave, deal, Start.AddMinutes(1)),
            HubSpotDealEvents.ContactToDeal(erin, deal, Start.AddMinutes(1)));
        await DeliverHubSpotAsync(HubSpotDealEvents.DealStage(deal, "contractsent", Start.AddMinutes(2)));

        await DeliverHubSpotAsync(HubSpotDealEvents.ContactToDeal(erin, deal, Start.AddMinutes(3), removed: true));
        await DeliverHubSpotAsync(HubSpotDealEvents.DealStage(deal, "closedwon", Start.AddMinutes(4)));

        var daveRows = await RowsAsync(await CustomerOfAsync("hubspot", dave));
        var erinRows = await RowsAsync(await CustomerOfAsync("hubspot", erin));
        Assert.Single(daveRows, t => t.Action == "deal.stage_changed");
        Assert.Single(daveRows, t => t.Action == "deal.won");
        Assert.Single(erinRows, t => t.Action == "deal.stage_changed");
        Assert.Single(erinRows, t => t.Action == "association.removed");
        Assert.DoesNotContain(erinRows, t => t.Action == "deal.won");

        // Whoever joins the deal later gets its history: the outcome never depends on the order webhooks arrive in.
        var ivan = HubSpotEvents.NewId();
        await DeliverHubSpotAsync(HubSpotEvents.PropertyChange(ivan, "email", Email(ivan), Start.AddMinutes(5)), HubSpotDealEvents.ContactToDeal(ivan, deal, Start.AddMinutes(5)));
        var ivanRows = await RowsAsync(await CustomerOfAsync("hubspot", ivan));
        Assert.Single(ivanRows, t => t.Action == "deal.stage_changed");
        Assert.Single(ivanRows, t => t.Action == "deal.won");
    }

    [Fact]
    public async Task A_Shopify_refund_naming_only_its_order_lands_on_the_buyer_whether_it_comes_after_the_order_or_before()
    {
        // Order first, refund after.
        var buyer = await ShopifyOrderThenRefundAsync(refundFirst: false);
        Assert.Equal(["order.placed", "order.refunded"], buyer.Select(t => t.Action).Order(StringComparer.Ordinal));

        // Refund first (webhooks arrive in any order): parked by order id, then released by the order.
        var early = await ShopifyOrderThenRefundAsync(refundFirst: true);
        Assert.Equal(["order.placed", "order.refunded"], early.Select(t => t.Action).Order(StringComparer.Ordinal));
        Assert.Equal(early.Single(t => t.Action == "order.placed").Attributes["orderId"], early.Single(t => t.Action == "order.refunded").Attributes["orderId"]);
    }

    [Fact]
    public async Task Erasing_one_deal_contact_leaves_the_other_contact_and_the_deal_touchpoints_on_the_other_intact()
    {
        var (frank, grace, deal) = (HubSpotEvents.NewId(), HubSpotEvents.NewId(), HubSpotEvents.NewId());
        await DeliverHubSpotAsync(HubSpotEvents.PropertyChange(frank, "email", Email(frank), Start), HubSpotDealEvents.ContactToDeal(frank, deal, Start.AddMinutes(1)));
        await DeliverHubSpotAsync(HubSpotEvents.PropertyChange(grace, "email", Email(grace), Start), HubSpotDealEvents.ContactToDeal(grace, deal, Start.AddMinutes(1)));
        await DeliverHubSpotAsync(HubSpotDealEvents.DealStage(deal, "closedwon", Start.AddMinutes(2)));
        var frankId = await CustomerOfAsync("hubspot", frank);
        var graceId = await CustomerOfAsync("hubspot", grace);
        var graceWon = Assert.Single(await RowsAsync(graceId), t => t.Action == "deal.won");

        var erased = await services.GetRequiredService<ErasureService>().EraseAsync(frankId, default);

        Assert.Equal([frankId], erased.CustomerIds);
        Assert.Empty(await RowsAsync(frankId));
        Assert.Equal(graceId, await CustomerOfAsync("hubspot", grace));
        Assert.Equal(graceId, await CustomerOfAsync("email", Email(grace)));
        Assert.Null((await services.GetRequiredService<ICustomerStore>().GetAsync(graceId, default))!.ErasedAt);
        Assert.Equal(graceWon.TouchpointId, Assert.Single(await RowsAsync(graceId), t => t.Action == "deal.won").TouchpointId);
        Assert.NotNull(await azurite.RawPayloadAsync(graceWon.RawRef));

        var associations = services.GetRequiredService<IObjectStore>();
        Assert.Equal([graceId], await associations.CustomersAsync(DealId(deal), default));
        Assert.Empty(await associations.ObjectsOfAsync(frankId, default));

        // The deal id was not suppressed with Frank: later deal events still reach Grace, and only her.
        var lost = await DeliverHubSpotAsync(HubSpotDealEvents.DealStage(deal, "closedlost", Start.AddMinutes(3)));
        Assert.Equal(1, lost.Inserted);
        Assert.Single(await RowsAsync(graceId), t => t.Action == "deal.lost");
        Assert.Empty(await RowsAsync(frankId));
    }

    private async Task<List<Touchpoint>> ShopifyOrderThenRefundAsync(bool refundFirst)
    {
        var run = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000 + Random.Shared.Next(1000)).ToString(CultureInfo.InvariantCulture);
        byte[] Fresh(string fixture) => Encoding.UTF8.GetBytes(Fixture.Text($"shopify/{fixture}.json")
            .Replace("820982911946154508", run, StringComparison.Ordinal)
            .Replace("509562969", run, StringComparison.Ordinal)
            .Replace("706405506930370084", run, StringComparison.Ordinal)
            .Replace("maria.lindqvist@example.com", $"buyer-{run}@example.com", StringComparison.Ordinal)
            .Replace("+46701234567", "+4670" + run[^7..], StringComparison.Ordinal));
        var order = (ShopifyAdapter.OrdersCreate, Fresh("shopify-orders-create"));
        var refund = (ShopifyAdapter.RefundsCreate, Fresh("shopify-refunds-create"));
        foreach (var (topic, body) in refundFirst ? new[] { refund, order } : [order, refund])
        {
            var report = await DeliverAsync("shopify", body, new Dictionary<string, string> { [ShopifyWebhookVerifier.TopicProperty] = topic }, attempt: 1);
            Assert.Equal(refundFirst && topic == ShopifyAdapter.RefundsCreate ? 1 : 0, report.Parked);
        }

        var buyer = await CustomerOfAsync("email", $"buyer-{run}@example.com");
        Assert.Null(await services.GetRequiredService<IIdentityStore>().FindCustomerAsync(new Identity(IdentityTypes.ShopifyOrder, run), default));
        return await RowsAsync(buyer);
    }

    private Task<ProcessingReport> DeliverHubSpotAsync(params Dictionary<string, object?>[] events) => DeliverHubSpotAsync(1, events);

    private Task<ProcessingReport> DeliverHubSpotAsync(int attempt, params Dictionary<string, object?>[] events) =>
        DeliverAsync("hubspot", HubSpotEvents.Batch(events), new Dictionary<string, string>(), attempt);

    /// <summary>As the queue trigger does: the raw bytes archived, then one processing attempt of the queue message.</summary>
    private async Task<ProcessingReport> DeliverAsync(string source, byte[] body, Dictionary<string, string> properties, int attempt)
    {
        var receivedAt = DateTimeOffset.UtcNow;
        var rawRef = await services.GetRequiredService<IRawArchive>().ArchiveAsync(source, body, "application/json", properties, receivedAt, default);
        var message = new IngestionMessage { Source = source, BlobName = rawRef, ReceivedAt = receivedAt, CorrelationId = "objects-" + attempt, Properties = properties };
        return await services.GetRequiredService<DeliveryProcessor>().ProcessAsync(message, attempt, isLastAttempt: false, default);
    }

    private Task<ProcessingReport> DeliverSalesforceAsync(params string[] notifications) =>
        DeliverAsync("salesforce", Encoding.UTF8.GetBytes($"""
            <?xml version="1.0" encoding="UTF-8"?>
            <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
             <soapenv:Body>
              <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
               <OrganizationId>00D5g000004ZkQ1EAK</OrganizationId>
               <ActionId>04k5g000000TuVxAAK</ActionId>
               {string.Concat(notifications)}
              </notifications>
             </soapenv:Body>
            </soapenv:Envelope>
            """), new Dictionary<string, string>(), attempt: 1);

    /// <summary>One Outbound Message notification of <paramref name="type"/> with the given <c>sf:</c> fields.</summary>
    private static string Sobject(string type, string notificationId, string fields) =>
        $"""<Notification><Id>{notificationId}</Id><sObject xsi:type="sf:{type}" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">{fields}</sObject></Notification>""";

    /// <summary>An 18-character Salesforce id with the key prefix of its object (003 Contact, 006 Opportunity…), unique per run.</summary>
    private static string SalesforceId(string prefix) => prefix + HubSpotEvents.NewId().ToString("D15", CultureInfo.InvariantCulture)[^15..];

    private async Task<string> CustomerOfAsync(string type, object value) =>
        await services.GetRequiredService<IIdentityStore>().FindCustomerAsync(Identity.Create(type, Convert.ToString(value, CultureInfo.InvariantCulture))!, default)
        ?? throw new InvalidOperationException($"No customer holds {type}:{value}.");

    private async Task<List<Touchpoint>> RowsAsync(string customerId) =>
        [.. (await services.GetRequiredService<ITimelineStore>().QueryAsync(customerId, new TimelineQuery { Limit = TimelineQuery.MaxLimit }, default)).Items];

    private async Task<IReadOnlyList<TableEntity>> AnswerRowsAsync(string source)
    {
        var rows = new List<TableEntity>();
        var table = azurite.Clients.Tables.GetTableClient(TableSegmentAggregates.TableName);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"Source eq {source} and RowKey ge {FunnelRows.AnswerPrefix} and RowKey lt {"a}"}")))
        {
            rows.Add(row);
        }

        return rows;
    }

    private async Task<IReadOnlyList<Touchpoint>> HistoryAsync(long deal) => (await services.GetRequiredService<IObjectStore>().ReadAsync(DealId(deal), default)).History;

    private static Identity DealId(long deal) => new(IdentityTypes.HubSpotDeal, deal.ToString(CultureInfo.InvariantCulture));

    private static string Email(long contact) => $"contact-{contact}@example.com";

    private static ServiceProvider Build(AzuriteFixture azurite)
    {
        var builder = HubHostBuilder.Create(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Privacy:SuppressionKey"] = "object-attribution-tests-suppression-key-0123",
        });
        builder.AddJourneyHubAzure();
        var services = builder.Services;
        services.AddSingleton(sp => new ObjectRace(ActivatorUtilities.CreateInstance<JourneyHub.Azure.Storage.TableObjectStore>(sp)));
        services.AddSingleton<IObjectStore>(sp => sp.GetRequiredService<ObjectRace>());
        return services.BuildServiceProvider();
    }

    /// <summary>The real object store, with hooks that let a test run a concurrent delivery right before the next history write or association write.</summary>
    private sealed class ObjectRace(IObjectStore inner) : IObjectStore
    {
        private int adds;

        public Func<Task>? BeforeNextRecord { get; set; }

        public Func<Task>? BeforeNextAdd { get; set; }

        /// <summary>Association writes tried, including those refused because the object changed since their read.</summary>
        public int Adds => adds;

        public async Task RecordAsync(Identity objectId, Touchpoint touchpoint, CancellationToken cancellationToken)
        {
            if (BeforeNextRecord is { } concurrent)
            {
                BeforeNextRecord = null;
                await concurrent();
            }

            await inner.RecordAsync(objectId, touchpoint, cancellationToken);
        }

        public async Task<bool> TryAddAsync(Identity objectId, string customerId, ObjectState read, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref adds);
            if (BeforeNextAdd is { } concurrent)
            {
                BeforeNextAdd = null;
                await concurrent();
            }

            return await inner.TryAddAsync(objectId, customerId, read, cancellationToken);
        }

        public Task<ObjectState> ReadAsync(Identity objectId, CancellationToken cancellationToken) => inner.ReadAsync(objectId, cancellationToken);

        public Task<IReadOnlyList<string>> CustomersAsync(Identity objectId, CancellationToken cancellationToken) => inner.CustomersAsync(objectId, cancellationToken);

        public Task RemoveAsync(Identity objectId, string customerId, CancellationToken cancellationToken) => inner.RemoveAsync(objectId, customerId, cancellationToken);

        public Task<IReadOnlyList<Identity>> ObjectsOfAsync(string customerId, CancellationToken cancellationToken) => inner.ObjectsOfAsync(customerId, cancellationToken);
    }
}
