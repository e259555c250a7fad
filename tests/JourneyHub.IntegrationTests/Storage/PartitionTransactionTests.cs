using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using JourneyHub.Azure.Configuration;
using JourneyHub.Azure.Storage;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Privacy;
using JourneyHub.Core.Processing;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources.Custom;
using JourneyHub.Core.Timeline;
using JourneyHub.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace JourneyHub.IntegrationTests.Storage;

/// <summary>
/// One customer, one partition, one atomic write: rows and the journey summary are written together, so crashes,
/// retries, merges and erasures racing deliveries never count a row twice, lose one, or write into a dead partition.
/// The processor and the stores are the production ones (AddJourneyHubAzure) on a real Azurite.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PartitionTransactionTests(AzuriteFixture azurite)
{
    private const string Source = "custom:race";

    [Fact]
    public async Task The_summary_row_lives_in_the_customers_timeline_partition_and_no_page_ever_shows_it()
    {
        await using var services = Build();
        var email = UniqueEmail();
        var customerId = await DeliverAsync(services, Event(email, DateTimeOffset.UtcNow.AddHours(-1)));

        var rows = await PartitionAsync(customerId);
        Assert.Contains(rows, r => r.RowKey == PartitionRows.Summary);
        Assert.Equal(2, rows.Count);
        var page = await services.GetRequiredService<ITimelineStore>().QueryAsync(customerId, new TimelineQuery(), default);
        Assert.Single(page.Items);
        Assert.Equal(1, (await services.GetRequiredService<ICustomerStore>().GetAsync(customerId, default))!.Journey.TouchpointCount);
    }

    [Fact]
    public async Task A_crash_right_after_the_transaction_is_retried_with_every_row_once_counted_once_and_published()
    {
        var crash = new CrashOnce();
        var published = new ConcurrentBag<string>();
        await using var services = Build(s =>
        {
            s.AddSingleton<TableTimelineStore>();
            s.AddSingleton<ITimelineStore>(sp => new CrashAfterAppend(sp.GetRequiredService<TableTimelineStore>(), crash));
            s.AddSingleton<ITouchpointPublisher>(new RecordingPublisher(published, null));
        });
        var contact = Random.Shared.NextInt64(1, long.MaxValue).ToString(CultureInfo.InvariantCulture);
        var message = await ArchiveHubSpotAsync(services, contact, 3);
        var handler = services.GetRequiredService<QueueMessageHandler>();

        await Assert.ThrowsAsync<SimulatedCrash>(() => handler.HandleAsync(message, 1, default));
        Assert.Empty(published);
        var retry = await handler.HandleAsync(message, 2, default);

        var customerId = await CustomerOfAsync(services, contact, "hubspot");
        Assert.Equal(3, (await RowsAsync(services, customerId)).Count);
        Assert.Equal(3, (await SummaryAsync(services, customerId)).TouchpointCount);
        Assert.Equal(0, retry.Inserted);
        Assert.Equal(3, retry.Stored);
        Assert.Equal(3, published.Distinct().Count());
    }

    [Fact]
    public async Task A_crash_during_publishing_is_retried_without_a_second_row_or_count_and_everything_is_published()
    {
        var crash = new CrashOnce();
        var published = new ConcurrentBag<string>();
        await using var services = Build(s => s.AddSingleton<ITouchpointPublisher>(new RecordingPublisher(published, crash)));
        var contact = Random.Shared.NextInt64(1, long.MaxValue).ToString(CultureInfo.InvariantCulture);
        var message = await ArchiveHubSpotAsync(services, contact, 4);
        var handler = services.GetRequiredService<QueueMessageHandler>();

        await Assert.ThrowsAsync<SimulatedCrash>(() => handler.HandleAsync(message, 1, default));
        await handler.HandleAsync(message, 2, default);
        var redelivery = await handler.HandleAsync(message, 1, default);

        var customerId = await CustomerOfAsync(services, contact, "hubspot");
        Assert.Equal(4, (await RowsAsync(services, customerId)).Count);
        Assert.Equal(4, (await SummaryAsync(services, customerId)).TouchpointCount);
        Assert.Equal(4, published.Distinct().Count());
        Assert.Equal(0, redelivery.Inserted);
        Assert.Equal(4, redelivery.Duplicates);
    }

    [Fact]
    public async Task A_batch_of_two_thousand_touchpoints_of_one_customer_retried_after_failing_half_way_is_counted_once()
    {
        await using var services = Build();
        var store = services.GetRequiredService<ITimelineStore>();
        var customerId = TouchpointIds.NewCustomerId(DateTimeOffset.UtcNow);
        var start = DateTimeOffset.UtcNow.AddDays(-30);
        var touchpoints = Enumerable.Range(0, 2000).Select(i => Row(customerId, $"{customerId}-{i}", start.AddMinutes(i))).ToList();

        // The first attempt writes the first 10 transactions (990 rows), then the process "dies".
        var partial = await store.AppendAsync(customerId, touchpoints.Take(990).ToList(), AppendOptions.Default, default);
        Assert.Equal(990, partial.Inserted.Count);
        var retry = await store.AppendAsync(customerId, touchpoints, new AppendOptions { RowsMayExist = true }, default);

        Assert.Equal(1010, retry.Inserted.Count);
        Assert.Equal(990, retry.Duplicates.Count);
        var summary = await SummaryAsync(services, customerId);
        Assert.Equal(2000, summary.TouchpointCount);
        Assert.Equal(start, summary.FirstTouchAt);
        Assert.Equal(2000, (await RowsAsync(services, customerId)).Count);
    }

    [Fact]
    public async Task A_merge_racing_many_deliveries_to_both_sides_loses_no_row_leaves_none_behind_and_keeps_the_summary_exact()
    {
        await using var services = Build();
        var handler = services.GetRequiredService<QueueMessageHandler>();
        for (var round = 0; round < 20; round++)
        {
            var email = UniqueEmail();
            var externalId = "ext-" + Guid.NewGuid().ToString("N");
            var a = await DeliverAsync(services, Event(email, DateTimeOffset.UtcNow.AddDays(-3)));
            var b = await DeliverAsync(services, Event(null, DateTimeOffset.UtcNow.AddDays(-2), externalId));
            Assert.NotEqual(a, b);

            var messages = new List<string>();
            for (var i = 0; i < 12; i++)
            {
                messages.Add(await ArchiveAsync(services, Event(i % 2 == 0 ? email : null, DateTimeOffset.UtcNow.AddMinutes(-i), i % 2 == 0 ? null : externalId)));
            }

            messages.Insert(6, await ArchiveAsync(services, Event(email, DateTimeOffset.UtcNow.AddHours(-1), externalId)));
            await Task.WhenAll(messages.Select(m => Task.Run(() => handler.HandleAsync(m, 1, default))));

            var survivor = await CustomerOfAsync(services, email);
            Assert.Equal(survivor, await CustomerOfAsync(services, externalId, "custom:race"));
            var loser = survivor == a ? b : a;
            var rows = await RowsAsync(services, survivor);
            Assert.Equal(2 + messages.Count, rows.Count);
            Assert.Empty(await RowsAsync(services, loser));
            var summary = await SummaryAsync(services, survivor);
            AssertSameSummary(rows.Aggregate(new JourneyState(), (j, t) => j.Apply(t)), summary);
            var tombstone = await services.GetRequiredService<ICustomerStore>().GetAsync(loser, default);
            Assert.Equal(survivor, tombstone!.MergedInto);
        }
    }

    [Fact]
    public async Task An_erasure_racing_deliveries_leaves_nothing_of_the_person_and_later_events_are_suppressed()
    {
        await using var services = Build();
        var handler = services.GetRequiredService<QueueMessageHandler>();
        var erasure = services.GetRequiredService<ErasureService>();
        var email = UniqueEmail();
        var customerId = await DeliverAsync(services, Event(email, DateTimeOffset.UtcNow.AddDays(-1)));
        var messages = new List<string>();
        for (var i = 0; i < 16; i++)
        {
            messages.Add(await ArchiveAsync(services, Event(email, DateTimeOffset.UtcNow.AddMinutes(-i))));
        }

        await erasure.RequestAsync(customerId, default);
        var racing = messages.Select(m => Task.Run(() => handler.HandleAsync(m, 1, default))).ToList();
        await erasure.EraseAsync(customerId, default);
        await Task.WhenAll(racing);

        Assert.Null(await services.GetRequiredService<IIdentityStore>().FindCustomerAsync(Identity.Create("email", email)!, default));
        var left = await PartitionAsync(customerId);
        var tombstone = Assert.Single(left);
        Assert.Equal(PartitionRows.Summary, tombstone.RowKey);
        Assert.Null(await services.GetRequiredService<JourneyHub.Core.Api.CustomerReader>().FindAsync(customerId, default));

        var laterMessage = await ArchiveAsync(services, Event(email, DateTimeOffset.UtcNow));
        var archive = services.GetRequiredService<IRawArchive>();
        Assert.NotNull(await archive.ReadAsync(JsonSerializer.Deserialize<IngestionMessage>(laterMessage, JourneyJson.Options)!, default));
        var later = await handler.HandleAsync(laterMessage, 1, default);
        Assert.Equal(1, later.Suppressed);
        Assert.Equal(0, later.Inserted);
        Assert.Null(await services.GetRequiredService<IIdentityStore>().FindCustomerAsync(Identity.Create("email", email)!, default));

        // The suppressed event's raw payload is erased too: nothing refers to it, and it holds the erased person's data.
        Assert.Null(await archive.ReadAsync(JsonSerializer.Deserialize<IngestionMessage>(laterMessage, JourneyJson.Options)!, default));
    }

    [Fact]
    public async Task An_event_without_a_time_of_its_own_delivered_twice_is_stored_once()
    {
        await using var services = Build();
        var handler = services.GetRequiredService<QueueMessageHandler>();
        var email = UniqueEmail();
        var webhookId = "msg_" + Guid.NewGuid().ToString("N");
        var body = JsonSerializer.Serialize(new { type = "touchpoint.created", data = new { sourceSystem = "pos", channel = "in_store", action = "store.visited", person = new { email } } });

        var first = await handler.HandleAsync(await ArchiveAsync(services, body, webhookId, DateTimeOffset.UtcNow.AddMinutes(-5)), 1, default);
        var second = await handler.HandleAsync(await ArchiveAsync(services, body, webhookId, DateTimeOffset.UtcNow), 1, default);

        Assert.Equal(1, first.Inserted);
        Assert.Equal(0, second.Inserted);
        Assert.Equal(1, second.Duplicates);
        var customerId = await CustomerOfAsync(services, email);
        Assert.Single(await RowsAsync(services, customerId));
        Assert.Equal(1, (await SummaryAsync(services, customerId)).TouchpointCount);
    }

    [Fact]
    public async Task A_write_that_takes_its_customer_for_new_when_another_delivery_wrote_first_reads_the_summary_and_counts_both()
    {
        await using var services = Build();
        var timeline = services.GetRequiredService<ITimelineStore>();
        var customerId = TouchpointIds.NewCustomerId(DateTimeOffset.UtcNow);
        var at = DateTimeOffset.UtcNow.AddHours(-1);
        var isNew = new AppendOptions { CustomerIsNew = true };

        // The delivery that minted the id writes without reading a summary; a concurrent one that found the new links
        // wrote first, so the new customer's summary exists when the second "first" write arrives.
        var first = await timeline.AppendAsync(customerId, [Row(customerId, "first-" + Guid.NewGuid().ToString("N"), at)], isNew, default);
        var second = await timeline.AppendAsync(customerId, [Row(customerId, "second-" + Guid.NewGuid().ToString("N"), at.AddMinutes(1))], isNew, default);

        Assert.Equal((1, 1), (first.Inserted.Count, second.Inserted.Count));
        Assert.Equal(1, second.Before.TouchpointCount);
        Assert.Equal(2, (await SummaryAsync(services, customerId)).TouchpointCount);
        Assert.Equal(2, (await RowsAsync(services, customerId)).Count);
    }

    [Fact]
    public async Task Concurrent_appends_for_one_customer_in_one_process_take_turns_instead_of_failing_each_others_summary_etag()
    {
        var counter = new RecordedRequests();
        var tableOptions = new TableClientOptions();
        tableOptions.AddPolicy(counter, HttpPipelinePosition.PerCall);
        await using var services = Build(s => s.AddSingleton(StorageClients.From(
            new TableServiceClient(azurite.ConnectionString, tableOptions),
            new BlobServiceClient(azurite.ConnectionString),
            new QueueServiceClient(azurite.ConnectionString, new QueueClientOptions { MessageEncoding = StorageClients.MessageEncoding }))));
        var timeline = services.GetRequiredService<ITimelineStore>();
        var customerId = TouchpointIds.NewCustomerId(DateTimeOffset.UtcNow);
        var at = DateTimeOffset.UtcNow.AddHours(-3);
        await timeline.AppendAsync(customerId, [Row(customerId, "first-" + Guid.NewGuid().ToString("N"), at)], new AppendOptions { CustomerIsNew = true }, default);
        counter.Clear();

        // Twelve deliveries of one customer at once, as a queue batch brings them: each is one transaction, none is
        // refused for a summary another one moved, and none reads the summary (each starts from the one cached before it).
        var appends = Enumerable.Range(0, 12)
            .Select(i => Task.Run(() => timeline.AppendAsync(customerId, [Row(customerId, $"next-{i}-{Guid.NewGuid():N}", at.AddMinutes(i + 1))], AppendOptions.Default, default)))
            .ToList();
        var results = await Task.WhenAll(appends);

        Assert.All(results, r => Assert.Single(r.Inserted));
        Assert.Equal((12, 0), (counter.Entries.Count(r => r.IsTransaction), counter.Entries.Count(r => r.IsRead)));
        Assert.Equal(13, (await SummaryAsync(services, customerId)).TouchpointCount);
        Assert.Equal(13, (await RowsAsync(services, customerId)).Count);
    }

    [Fact]
    public async Task Two_copies_of_one_object_event_meet_on_one_customer_as_one_row_counted_once_in_one_batch_or_in_two()
    {
        await using var services = Build();
        var timeline = services.GetRequiredService<ITimelineStore>();
        var customerId = TouchpointIds.NewCustomerId(DateTimeOffset.UtcNow);
        var at = DateTimeOffset.UtcNow.AddHours(-2);
        var deal = Row(customerId, "deal-won-" + Guid.NewGuid().ToString("N"), at);

        // The copies two contacts of one deal received (keyed by each association), as a merge brings them together;
        // one without a time of its own too, whose row key moves with every receipt.
        Touchpoint CopyFor(string key, DateTimeOffset occurredAt, bool noOwnTime) => deal with
        {
            SourceEventId = deal.SourceEventId + ":" + key,
            TouchpointId = TouchpointIds.For(deal.Source, deal.SourceEventId + ":" + key),
            OccurredAt = occurredAt,
            OccurredAtIsReceiptTime = noOwnTime,
            CopyOf = deal.TouchpointId,
        };
        var other = Row(customerId, "page-" + Guid.NewGuid().ToString("N"), at.AddMinutes(1));

        var together = await timeline.AppendAsync(customerId, [CopyFor("cus_a", at, false), other, CopyFor("cus_b", at, false)], AppendOptions.Default, default);
        var later = await timeline.AppendAsync(customerId, [CopyFor("cus_c", at.AddMinutes(5), true)], new AppendOptions { RowsMayExist = true }, default);
        var alone = await timeline.AppendAsync(customerId, [CopyFor("cus_d", at.AddMinutes(9), true)], AppendOptions.Default, default);

        Assert.Equal((2, 1), (together.Inserted.Count, together.Duplicates.Count));
        Assert.Equal((0, 1), (later.Inserted.Count, later.Duplicates.Count));
        Assert.Equal((0, 1), (alone.Inserted.Count, alone.Duplicates.Count));
        var rows = (await timeline.QueryAsync(customerId, new TimelineQuery(), default)).Items;
        var copy = Assert.Single(rows, r => r.SourceEventId.StartsWith(deal.SourceEventId, StringComparison.Ordinal));
        Assert.Equal(deal.TouchpointId, copy.CopyOf);
        Assert.Equal(TouchpointIds.For(deal.Source, deal.SourceEventId + ":cus_a"), copy.TouchpointId);
        Assert.Equal(2, (await SummaryAsync(services, customerId)).TouchpointCount);

        // What a retry reports (and publishes again) is the copy the timeline holds, not the one that was turned away.
        Assert.All(new[] { together.Duplicates[0], later.Duplicates[0], alone.Duplicates[0] }, d => Assert.Equal((copy.TouchpointId, copy.OccurredAt), (d.TouchpointId, d.OccurredAt)));

        // The marker is not a touchpoint: deleting the partition (a merge, an erasure) reports the two rows.
        Assert.Equal(2, await timeline.DeleteCustomerAsync(customerId, default));
    }

    [Fact]
    public async Task A_customer_whose_identities_outgrow_one_table_property_keeps_taking_events()
    {
        // The most a sender can give one customer: identity values of the longest accepted length (512 characters),
        // the per-type limit of them, over many types. As one JSON property that is far beyond the 64 KiB a table
        // property holds; the summary row splits it, and every later event of the customer still lands.
        await using var services = Build();
        var store = services.GetRequiredService<ITimelineStore>();
        var customerId = TouchpointIds.NewCustomerId(DateTimeOffset.UtcNow);
        var identities = Enumerable.Range(0, 16)
            .SelectMany(type => Enumerable.Range(0, 5).Select(n => new Identity($"custom:source{type}", $"{n}-" + new string('x', 510))))
            .ToList();
        var start = DateTimeOffset.UtcNow.AddHours(-2);

        await store.AppendAsync(customerId, [Row(customerId, $"{customerId}-first", start)], new AppendOptions { Identities = identities }, default);
        var second = await store.AppendAsync(customerId, [Row(customerId, $"{customerId}-second", start.AddMinutes(5))], new AppendOptions(), default);

        Assert.Single(second.Inserted);
        var summaryRow = (await PartitionAsync(customerId)).Single(r => r.RowKey == PartitionRows.Summary);
        Assert.True(summaryRow.ContainsKey("Identities_1"), "the identities should be split over several properties");
        Assert.All(summaryRow.Select(p => p.Value).OfType<string>(), text => Assert.True(text.Length <= 32_768, $"a property of {text.Length} characters"));
        var record = await services.GetRequiredService<ICustomerStore>().GetAsync(customerId, default);
        Assert.Equal(identities, record!.Identities);
        Assert.Equal(2, record.Journey.TouchpointCount);
    }

    [Fact]
    public async Task A_custom_event_with_the_worst_values_a_sender_can_send_is_stored_within_the_documented_bounds()
    {
        await using var services = Build();
        var email = UniqueEmail();
        var body = JsonSerializer.Serialize(new
        {
            type = "touchpoint.created",
            data = new
            {
                sourceSystem = "race",
                channel = "web",
                action = "page." + new string('a', 5_000),
                summary = new string('s', 5_000),
                occurredAt = DateTimeOffset.UtcNow.AddHours(-1),
                person = new { email, externalIds = Enumerable.Range(0, 40).Select(i => $"ext-{i}-" + new string('x', 400)).ToArray() },
                attributes = Enumerable.Range(0, 300).ToDictionary(i => $"field{i:000}", _ => new string('v', 3_000)),
            },
        });

        var customerId = await DeliverAsync(services, body);

        var row = Assert.Single(await RowsAsync(services, customerId));
        Assert.Equal(TouchpointBounds.MaxActionChars, row.Action.Length);
        Assert.InRange(row.Summary.Length, 1, TouchpointBounds.MaxSummaryChars);
        Assert.InRange(row.Identities.Count, 1, TouchpointBounds.MaxIdentities);
        Assert.InRange(row.Attributes.Count, 2, TouchpointBounds.MaxAttributes + 1);
        Assert.All(row.Attributes.Values, v => Assert.InRange(v.Length, 0, TouchpointBounds.MaxAttributeValueChars));
        Assert.True(row.Attributes.ContainsKey(TouchpointBounds.CorrelationIdAttribute));

        // The customer keeps taking events after it.
        await DeliverAsync(services, Event(email, DateTimeOffset.UtcNow.AddMinutes(-30)));
        Assert.Equal(2, (await SummaryAsync(services, customerId)).TouchpointCount);
    }

    private static void AssertSameSummary(JourneyState expected, JourneyState actual)
    {
        Assert.Equal(expected.TouchpointCount, actual.TouchpointCount);
        Assert.Equal(expected.FirstTouchAt, actual.FirstTouchAt);
        Assert.Equal(expected.LastTouchAt, actual.LastTouchAt);
        Assert.Equal(expected.CurrentStage, actual.CurrentStage);
        Assert.Equal(expected.ByChannel.OrderBy(p => p.Key), actual.ByChannel.OrderBy(p => p.Key));
        Assert.Equal(expected.ByKind.OrderBy(p => p.Key), actual.ByKind.OrderBy(p => p.Key));
        Assert.Equal(expected.Stages.OrderBy(p => p.Key).Select(p => (p.Key, p.Value.First, p.Value.Last, p.Value.Count)), actual.Stages.OrderBy(p => p.Key).Select(p => (p.Key, p.Value.First, p.Value.Last, p.Value.Count)));
        Assert.Equal(expected.ActiveDays, actual.ActiveDays);
    }

    private ServiceProvider Build(Action<IServiceCollection>? configure = null)
    {
        var builder = HubHostBuilder.Create(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Privacy:SuppressionKey"] = "partition-transaction-tests-suppression-key-0123",
            ["Sources:Custom:race:Secret"] = "whsec_" + Convert.ToBase64String(Encoding.UTF8.GetBytes("race-secret-race-secret-race-sec")),
        });
        builder.AddJourneyHubAzure();
        var services = builder.Services;
        configure?.Invoke(services);
        return services.BuildServiceProvider();
    }

    private static string UniqueEmail() => $"p-{Guid.NewGuid():N}@example.com";

    private static string Event(string? email, DateTimeOffset at, string? externalId = null)
    {
        var person = new Dictionary<string, object?>();
        if (email is not null)
        {
            person["email"] = email;
        }

        if (externalId is not null)
        {
            person["externalIds"] = externalId;
        }

        return JsonSerializer.Serialize(new
        {
            type = "touchpoint.created",
            data = new { sourceSystem = "race", channel = "web", action = "page.viewed", stage = "consideration", occurredAt = at, person },
        });
    }

    /// <summary>One HubSpot delivery with <paramref name="events"/> events of one contact (one queue message, several touchpoints).</summary>
    private static async Task<string> ArchiveHubSpotAsync(ServiceProvider services, string contact, int events)
    {
        var start = DateTimeOffset.UtcNow.AddHours(-events).ToUnixTimeMilliseconds();
        var entries = Enumerable.Range(0, events).Select(i => JsonSerializer.Serialize(i == 0
            ? new Dictionary<string, object> { ["eventId"] = Random.Shared.Next(), ["occurredAt"] = start, ["subscriptionType"] = "contact.creation", ["objectId"] = long.Parse(contact, CultureInfo.InvariantCulture) }
            : new Dictionary<string, object>
            {
                ["eventId"] = Random.Shared.Next(),
                ["occurredAt"] = start + (i * 60_000),
                ["subscriptionType"] = "contact.propertyChange",
                ["objectId"] = long.Parse(contact, CultureInfo.InvariantCulture),
                ["propertyName"] = "lifecyclestage",
                ["propertyValue"] = i % 2 == 0 ? "lead" : "customer",
            }));
        var body = Encoding.UTF8.GetBytes("[" + string.Join(',', entries) + "]");
        var receivedAt = DateTimeOffset.UtcNow;
        var blobName = await services.GetRequiredService<IRawArchive>().ArchiveAsync("hubspot", body, "application/json", ImmutableDictionary<string, string>.Empty, receivedAt, default);
        return JsonSerializer.Serialize(new IngestionMessage { Source = "hubspot", BlobName = blobName, ReceivedAt = receivedAt, CorrelationId = "crash-" + contact }, JourneyJson.Options);
    }

    private static Task<string> ArchiveAsync(ServiceProvider services, string body) =>
        ArchiveAsync(services, body, "msg_" + Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow);

    private static async Task<string> ArchiveAsync(ServiceProvider services, string body, string webhookId, DateTimeOffset receivedAt)
    {
        var properties = ImmutableDictionary<string, string>.Empty.Add(CustomWebhookVerifier.WebhookIdProperty, webhookId);
        var blobName = await services.GetRequiredService<IRawArchive>().ArchiveAsync(Source, Encoding.UTF8.GetBytes(body), "application/json", properties, receivedAt, default);
        return JsonSerializer.Serialize(new IngestionMessage { Source = Source, BlobName = blobName, ReceivedAt = receivedAt, CorrelationId = webhookId, Properties = properties }, JourneyJson.Options);
    }

    private static async Task<string> DeliverAsync(ServiceProvider services, string body)
    {
        var report = await services.GetRequiredService<QueueMessageHandler>().HandleAsync(await ArchiveAsync(services, body), 1, default);
        return Assert.Single(report.Customers);
    }

    private static async Task<string> CustomerOfAsync(ServiceProvider services, string value, string type = "email")
    {
        var identity = type == "email" ? Identity.Create("email", value)! : new Identity(type, value);
        var linked = await services.GetRequiredService<IIdentityStore>().FindCustomerAsync(identity, default);
        var record = await services.GetRequiredService<ICustomerStore>().FindSurvivorAsync(linked!, default);
        return record!.CustomerId;
    }

    private static async Task<JourneyState> SummaryAsync(ServiceProvider services, string customerId) =>
        (await services.GetRequiredService<ICustomerStore>().GetAsync(customerId, default))!.Journey;

    private static async Task<List<Touchpoint>> RowsAsync(ServiceProvider services, string customerId)
    {
        var store = services.GetRequiredService<ITimelineStore>();
        var rows = new List<Touchpoint>();
        string? cursor = null;
        do
        {
            var page = await store.QueryAsync(customerId, new TimelineQuery { Limit = TimelineQuery.MaxLimit, Cursor = cursor }, default);
            rows.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return rows;
    }

    private async Task<List<TableEntity>> PartitionAsync(string customerId)
    {
        var rows = new List<TableEntity>();
        await foreach (var entity in azurite.Table(StorageNames.TimelineTable).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {customerId}")))
        {
            rows.Add(entity);
        }

        return rows;
    }

    private static Touchpoint Row(string customerId, string eventId, DateTimeOffset at) => new()
    {
        TouchpointId = TouchpointIds.For("test", eventId),
        CustomerId = customerId,
        Source = "test",
        SourceEventId = eventId,
        OccurredAt = at,
        Channel = Channel.Web,
        Kind = TouchpointKind.Direct,
        Stage = JourneyStage.Awareness,
        Action = "page.viewed",
        Summary = "Viewed a page",
    };

    private sealed class SimulatedCrash() : Exception("simulated crash");

    private sealed class CrashOnce
    {
        private int fired;

        public void Maybe()
        {
            if (Interlocked.Exchange(ref fired, 1) == 0)
            {
                throw new SimulatedCrash();
            }
        }
    }

    /// <summary>The transaction commits, then the process "dies" before the aggregates and the publish.</summary>
    private sealed class CrashAfterAppend(ITimelineStore inner, CrashOnce crash) : ITimelineStore
    {
        public async Task<AppendResult> AppendAsync(string customerId, IReadOnlyList<Touchpoint> touchpoints, AppendOptions options, CancellationToken cancellationToken)
        {
            var result = await inner.AppendAsync(customerId, touchpoints, options, cancellationToken);
            crash.Maybe();
            return result;
        }

        public Task<TimelinePage> QueryAsync(string customerId, TimelineQuery query, CancellationToken cancellationToken) => inner.QueryAsync(customerId, query, cancellationToken);

        public Task<StoredTimelinePage> ReadPageAsync(string customerId, TimelineQuery query, CancellationToken cancellationToken) => inner.ReadPageAsync(customerId, query, cancellationToken);

        public Task<int> DeleteCustomerAsync(string customerId, CancellationToken cancellationToken) => inner.DeleteCustomerAsync(customerId, cancellationToken);

        public Task<IReadOnlySet<string>?> StoredRawRefsAsync(string customerId, IReadOnlyList<Touchpoint> touchpoints, CancellationToken cancellationToken) => inner.StoredRawRefsAsync(customerId, touchpoints, cancellationToken);
    }

    /// <summary>Records what reaches the topic; with a crash, the first publish "dies" half-way (some sent, then a failure).</summary>
    private sealed class RecordingPublisher(ConcurrentBag<string> published, CrashOnce? crash) : ITouchpointPublisher
    {
        public Task PublishAsync(IReadOnlyList<Touchpoint> touchpoints, CancellationToken cancellationToken)
        {
            foreach (var (touchpoint, index) in touchpoints.Select((t, i) => (t, i)))
            {
                if (index == 1)
                {
                    crash?.Maybe();
                }

                published.Add(touchpoint.TouchpointId);
            }

            return Task.CompletedTask;
        }
    }
}
