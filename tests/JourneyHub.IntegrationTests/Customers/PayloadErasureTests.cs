using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using JourneyHub.Azure.Configuration;
using JourneyHub.Azure.Customers;
using JourneyHub.Azure.Storage;
using JourneyHub.Core.Admin;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Privacy;
using JourneyHub.Core.Processing;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Timeline;
using JourneyHub.IntegrationTests.Infrastructure;
using JourneyHub.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace JourneyHub.IntegrationTests.Customers;

/// <summary>
/// Erasure that touches no one else (issue 12), with the production processor, erasure, stores and replay on an Azurite of
/// its own (the replays go through the ingestion queue, which no other test may drain meanwhile): a multi-person raw
/// payload becomes a redacted copy whose other events replay into the same rows, and the person's dead-lettered and
/// rejected events go with them, found by keyed hashes.
/// </summary>
public sealed class PayloadErasureTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private const string SuppressionKey = "payload-erasure-tests-suppression-key-0123456789";
    private static readonly DateTimeOffset ReceivedAt = new(2025, 3, 14, 14, 22, 10, TimeSpan.Zero);
    private readonly ServiceProvider services = Build(azurite);

    public void Dispose() => services.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Erasing_one_person_of_a_HubSpot_batch_leaves_a_redacted_copy_whose_other_events_replay_into_the_same_rows(bool largeEnoughForABlob)
    {
        var (maria, okonkwo, deal) = (HubSpotEvents.NewId(), HubSpotEvents.NewId(), HubSpotEvents.NewId());
        var email = $"okonkwo-{okonkwo}@example.org";
        var events = FixtureBatch(maria, okonkwo, deal, email);

        // An event no adapter reads: its dead letter names no one and must survive the erasure, replayable.
        events.Add(new Dictionary<string, object?> { ["eventId"] = HubSpotEvents.NewId(), ["occurredAt"] = 1741962125000, ["subscriptionType"] = "company.creation", ["objectId"] = HubSpotEvents.NewId() });
        if (largeEnoughForABlob)
        {
            events.Add(HubSpotEvents.PropertyChange(maria, "notes", new string('n', StorageRawArchive.MaxTableBytes + 1000), ReceivedAt));
        }

        var rawRef = await DeliverAsync(JsonSerializer.SerializeToUtf8Bytes(events));
        Assert.Equal(largeEnoughForABlob, !StorageRawArchive.TryTableKey(rawRef, out _));
        var mariaId = await CustomerOfAsync(IdentityTypes.HubSpot, maria);
        var okonkwoId = await CustomerOfAsync(IdentityTypes.HubSpot, okonkwo);
        var mariaRows = await RowIdsAsync(mariaId);
        // Creation, lifecycle, association, merge, and the deal's creation brought by the association (+ the notes).
        Assert.Equal(largeEnoughForABlob ? 6 : 5, mariaRows.Count);
        var unread = Assert.Single(await DeadLettersOfAsync(rawRef));
        Assert.Equal(6, unread.EntryIndex);

        var erased = await services.GetRequiredService<ErasureService>().EraseAsync(okonkwoId, default);

        Assert.Equal(1, erased.RawPayloads);
        var copy = (await services.GetRequiredService<IRawPayloadRedaction>().GetAsync(rawRef, default))!;
        Assert.Equal("erasure of customer " + okonkwoId, copy.Redaction!.Reason);
        var text = Encoding.UTF8.GetString(copy.Payload.Body.Span);
        Assert.DoesNotContain(okonkwo.ToString(CultureInfo.InvariantCulture), text, StringComparison.Ordinal);
        Assert.DoesNotContain(email, text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(maria.ToString(CultureInfo.InvariantCulture), text, StringComparison.Ordinal);
        Assert.Equal("true", await StoredRedactedFlagAsync(rawRef));

        // The other dead letter of the payload stays, its entry number cleared (the copy has one entry less).
        var kept = Assert.Single(await DeadLettersOfAsync(rawRef));
        Assert.Equal(unread.Id, kept.Id);
        Assert.Null(kept.EntryIndex);

        // Replay through the operator's path: the copy is read from the archive (no signature involved), Maria's events
        // are found stored, nothing is duplicated, and the unread event is dead-lettered again with its new number.
        var replay = await services.GetRequiredService<DeadLetterAdmin>().ReplayAsync(new ReplayRequest { Ids = [kept.Id] }, default);
        Assert.Equal(1, replay.Queued);
        var report = Assert.Single(await ProcessQueuedAsync());
        Assert.Equal((0, mariaRows.Count), (report.Inserted, report.Duplicates));
        Assert.Equal(mariaRows, await RowIdsAsync(mariaId));
        Assert.Equal(5, Assert.Single(await DeadLettersOfAsync(rawRef)).EntryIndex);
        Assert.Null(await services.GetRequiredService<IIdentityStore>().FindCustomerAsync(new Identity(IdentityTypes.HubSpot, okonkwo.ToString(CultureInfo.InvariantCulture)), default));
        Assert.Empty(await RowIdsAsync(okonkwoId));
    }

    [Fact]
    public async Task A_persons_rejected_events_are_erased_with_them_and_the_dead_letters_hold_only_keyed_hashes()
    {
        var (frank, grace) = (HubSpotEvents.NewId(), HubSpotEvents.NewId());
        var frankText = frank.ToString(CultureInfo.InvariantCulture);
        await DeliverAsync(HubSpotEvents.Batch(HubSpotEvents.ContactCreated(frank, ReceivedAt)));

        // Frank's event of a kind the hub does not read: alone in one payload, and next to Grace's in another.
        var alone = await DeliverAsync(HubSpotEvents.Batch(PrivacyDeletion(frank)));
        var mixed = await DeliverAsync(HubSpotEvents.Batch(PrivacyDeletion(frank), HubSpotEvents.ContactCreated(grace, ReceivedAt)));

        // A payload no adapter can read names no one: it cannot be attributed and stays (docs: what cannot be known).
        var unreadable = await DeliverAsync("not json"u8.ToArray());
        var graceId = await CustomerOfAsync(IdentityTypes.HubSpot, grace);
        var graceRows = await RowIdsAsync(graceId);
        Assert.Single(await DeadLettersOfAsync(alone));
        Assert.Single(await DeadLettersOfAsync(mixed));
        await foreach (var entity in azurite.Table(StorageNames.DeadLettersTable).QueryAsync<TableEntity>())
        {
            Assert.DoesNotContain(frankText, string.Join('|', entity.Select(p => Convert.ToString(p.Value, CultureInfo.InvariantCulture))), StringComparison.Ordinal);
        }

        var erased = await services.GetRequiredService<ErasureService>().EraseAsync(await CustomerOfAsync(IdentityTypes.HubSpot, frank), default);

        Assert.Equal(3, erased.RawPayloads);
        Assert.Null(await azurite.RawPayloadAsync(alone));
        Assert.Empty(await DeadLettersOfAsync(alone));
        Assert.Empty(await DeadLettersOfAsync(mixed));
        var copy = Encoding.UTF8.GetString((await azurite.RawPayloadAsync(mixed))!);
        Assert.DoesNotContain(frankText, copy, StringComparison.Ordinal);
        Assert.Contains(grace.ToString(CultureInfo.InvariantCulture), copy, StringComparison.Ordinal);
        Assert.Equal(graceRows, await RowIdsAsync(graceId));
        Assert.NotNull(await azurite.RawPayloadAsync(unreadable));
        Assert.Single(await DeadLettersOfAsync(unreadable));
    }

    [Fact]
    public async Task A_payload_that_failed_whole_records_its_peoples_keyed_hashes_and_erasing_one_leaves_it_replayable_for_the_other()
    {
        var (frank, grace) = (HubSpotEvents.NewId(), HubSpotEvents.NewId());
        var body = HubSpotEvents.Batch(HubSpotEvents.ContactCreated(frank, ReceivedAt), HubSpotEvents.ContactCreated(grace, ReceivedAt));
        var rawRef = await services.GetRequiredService<IRawArchive>().ArchiveAsync("hubspot", body, "application/json", new Dictionary<string, string>(), ReceivedAt, default);
        var message = new IngestionMessage { Source = "hubspot", BlobName = rawRef, ReceivedAt = ReceivedAt, CorrelationId = "whole-" + frank };
        await using (var failing = Build(azurite, s => s.AddSingleton<ITouchpointPublisher>(new UnavailablePublisher())))
        {
            // The last attempt fails after the rows were written (the topic is down): one dead letter for the whole payload.
            Assert.Equal(1, (await failing.GetRequiredService<DeliveryProcessor>().ProcessAsync(message, 5, isLastAttempt: true, default)).DeadLettered);
        }

        var keys = new IdentityKeys(SuppressionKey);
        var (frankId, graceId) = (new Identity(IdentityTypes.HubSpot, frank.ToString(CultureInfo.InvariantCulture)), new Identity(IdentityTypes.HubSpot, grace.ToString(CultureInfo.InvariantCulture)));
        var deadLetter = Assert.Single(await DeadLettersOfAsync(rawRef));
        Assert.Null(deadLetter.EntryIndex);
        Assert.Equal(new[] { keys.Hash(frankId), keys.Hash(graceId) }.Order(StringComparer.Ordinal), (await HashesOfAsync(deadLetter.Id)).Order(StringComparer.Ordinal));
        Assert.Equal([deadLetter.Id], (await services.GetRequiredService<IDeadLetterErasure>().FindAsync([frankId], default)).Select(d => d.Id));

        await services.GetRequiredService<ErasureService>().EraseAsync(await CustomerOfAsync(IdentityTypes.HubSpot, frank), default);

        // Grace's failure too: the dead letter stays, without Frank's hash, and replays the copy into her row.
        Assert.Equal([keys.Hash(graceId)], await HashesOfAsync(deadLetter.Id));
        Assert.Empty(await services.GetRequiredService<IDeadLetterErasure>().FindAsync([frankId], default));
        var graceRows = await RowIdsAsync(await CustomerOfAsync(IdentityTypes.HubSpot, grace));
        Assert.Single(graceRows);
        Assert.Equal(1, (await services.GetRequiredService<DeadLetterAdmin>().ReplayAsync(new ReplayRequest { Ids = [deadLetter.Id] }, default)).Queued);
        var report = Assert.Single(await ProcessQueuedAsync());
        Assert.Equal((0, 1, 0), (report.Inserted, report.Duplicates, report.DeadLettered));
        Assert.Empty(await DeadLettersOfAsync(rawRef));
        Assert.Equal(graceRows, await RowIdsAsync(await CustomerOfAsync(IdentityTypes.HubSpot, grace)));
    }

    [Fact]
    public async Task A_later_delivery_mixing_an_erased_person_and_another_keeps_only_the_others_events_in_the_archive_once_the_erasure_queue_ran()
    {
        var (frank, grace) = (HubSpotEvents.NewId(), HubSpotEvents.NewId());
        var frankText = frank.ToString(CultureInfo.InvariantCulture);
        var frankEmail = $"frank-{frank}@example.com";
        await DeliverAsync(HubSpotEvents.Batch(HubSpotEvents.PropertyChange(frank, "email", frankEmail, ReceivedAt)));
        await services.GetRequiredService<ErasureService>().EraseAsync(await CustomerOfAsync(IdentityTypes.HubSpot, frank), default);
        await DrainErasureQueueAsync();

        // Frank's property change is suppressed, his event of a kind the hub does not read is rejected (a dead letter with
        // his keyed hash), Grace's creation is stored.
        var later = await DeliverAsync(HubSpotEvents.Batch(
            HubSpotEvents.PropertyChange(frank, "email", frankEmail, ReceivedAt.AddMinutes(5)),
            HubSpotEvents.ContactCreated(grace, ReceivedAt.AddMinutes(5)),
            PrivacyDeletion(frank)));
        var graceId = await CustomerOfAsync(IdentityTypes.HubSpot, grace);
        var graceRows = await RowIdsAsync(graceId);
        Assert.Single(graceRows);
        Assert.Single(await DeadLettersOfAsync(later));

        // The delivery left the redaction to the erasure queue: one work item that names Frank by keyed hashes only.
        Assert.Contains(frankEmail, Encoding.UTF8.GetString((await azurite.RawPayloadAsync(later))!), StringComparison.OrdinalIgnoreCase);
        var keys = services.GetRequiredService<IdentityKeys>();
        var work = Assert.Single(await PeekErasureQueueAsync());
        Assert.DoesNotContain(frankText, work, StringComparison.Ordinal);
        Assert.DoesNotContain(frankEmail, work, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(later, work, StringComparison.Ordinal);
        Assert.Contains(keys.Hash(new Identity(IdentityTypes.HubSpot, frankText)), work, StringComparison.Ordinal);

        Assert.Equal([work], await DrainErasureQueueAsync());

        var copy = (await services.GetRequiredService<IRawPayloadRedaction>().GetAsync(later, default))!;
        var text = Encoding.UTF8.GetString(copy.Payload.Body.Span);
        Assert.Equal(RawPayloadEraser.LaterDeliveryReason, copy.Redaction!.Reason);
        Assert.DoesNotContain(frankEmail, text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(frankText, text, StringComparison.Ordinal);
        Assert.Contains(grace.ToString(CultureInfo.InvariantCulture), text, StringComparison.Ordinal);
        Assert.Empty(await DeadLettersOfAsync(later));
        Assert.Null(await services.GetRequiredService<IIdentityStore>().FindCustomerAsync(new Identity(IdentityTypes.Email, frankEmail), default));

        // A redelivered work item finds none of Frank's entries left: the copy stays as it is.
        await services.GetRequiredService<ErasureQueueHandler>().HandleAsync(work, default);
        var again = (await services.GetRequiredService<IRawPayloadRedaction>().GetAsync(later, default))!;
        Assert.Equal(copy.Version, again.Version);
        Assert.Equal(copy.Payload.Body.ToArray(), again.Payload.Body.ToArray());

        // Grace's event replays from the copy into the row she has.
        var replay = new IngestionMessage { Source = "hubspot", BlobName = later, ReceivedAt = ReceivedAt, CorrelationId = "replay-" + grace, ReplayOf = "dl_replay" };
        var report = await services.GetRequiredService<DeliveryProcessor>().ProcessAsync(replay, 1, isLastAttempt: false, default);
        Assert.Equal((0, 1, 0, 0), (report.Inserted, report.Duplicates, report.Rejected, report.Suppressed));
        Assert.Equal(graceRows, await RowIdsAsync(graceId));
        Assert.Empty(await PeekErasureQueueAsync());
    }

    [Fact]
    public async Task A_redaction_work_item_that_failed_every_attempt_is_a_dead_letter_naming_no_one_and_its_replay_redacts_the_payload()
    {
        var (frank, grace) = (HubSpotEvents.NewId(), HubSpotEvents.NewId());
        var frankText = frank.ToString(CultureInfo.InvariantCulture);
        await DeliverAsync(HubSpotEvents.Batch(HubSpotEvents.ContactCreated(frank, ReceivedAt)));
        await services.GetRequiredService<ErasureService>().EraseAsync(await CustomerOfAsync(IdentityTypes.HubSpot, frank), default);
        await DrainErasureQueueAsync();
        var later = await DeliverAsync(HubSpotEvents.Batch(HubSpotEvents.ContactCreated(frank, ReceivedAt.AddMinutes(1)), HubSpotEvents.ContactCreated(grace, ReceivedAt.AddMinutes(1))));
        var work = Assert.Single(await PeekErasureQueueAsync());

        // What the Functions host does after the last failed attempt: the message lands in the poison queue, whose
        // trigger records it as a dead letter. The listing quotes the message: it must name no one.
        await azurite.Queue(CustomerStorage.ErasureQueue).ClearMessagesAsync();
        await services.GetRequiredService<PoisonMessageRecorder>().RecordAsync(CustomerStorage.ErasureQueue, "erasure", work, ReceivedAt, default);
        var listed = Assert.Single(await services.GetRequiredService<IDeadLetterStore>().ListAsync("erasure", null, null, 1000, default), d => d.Message == work);
        Assert.DoesNotContain(frankText, listed.Reason + listed.Message, StringComparison.Ordinal);
        Assert.Contains(frankText, Encoding.UTF8.GetString((await azurite.RawPayloadAsync(later))!), StringComparison.Ordinal);

        Assert.Equal(1, (await services.GetRequiredService<DeadLetterAdmin>().ReplayAsync(new ReplayRequest { Ids = [listed.Id] }, default)).Queued);
        Assert.Equal([work], await DrainErasureQueueAsync());

        var copy = Encoding.UTF8.GetString((await azurite.RawPayloadAsync(later))!);
        Assert.DoesNotContain(frankText, copy, StringComparison.Ordinal);
        Assert.Contains(grace.ToString(CultureInfo.InvariantCulture), copy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redaction_work_item_deletes_a_payload_of_a_source_deleted_whole_only_when_the_payload_names_one_of_its_people()
    {
        var run = Guid.NewGuid().ToString("N");
        var body = JsonSerializer.SerializeToUtf8Bytes(new { type = "touchpoint.created", data = new { externalId = "k-" + run, channel = "web", person = new { email = $"ada-{run}@example.com" } } });
        var rawRef = await services.GetRequiredService<IRawArchive>().ArchiveAsync("custom:kiosk", body, "application/json", new Dictionary<string, string>(), ReceivedAt, default);
        var keys = services.GetRequiredService<IdentityKeys>();
        var eraser = services.GetRequiredService<RawPayloadEraser>();

        // A key of someone the payload does not name (a stale or replayed item): a source that cannot be redacted entry
        // by entry must not lose its payload for nobody.
        var stranger = new PayloadRedactionRequest(rawRef, [keys.Hash(Identity.Create(IdentityTypes.Email, $"bob-{run}@example.com")!)]);
        Assert.Equal(PayloadErasure.Kept, await eraser.RedactAsync(stranger, default));
        Assert.Equal(body, await azurite.RawPayloadAsync(rawRef));

        var ada = new PayloadRedactionRequest(rawRef, [keys.Hash(Identity.Create(IdentityTypes.Email, $"ada-{run}@example.com")!)]);
        Assert.Equal(PayloadErasure.Deleted, await eraser.RedactAsync(ada, default));
        Assert.Null(await azurite.RawPayloadAsync(rawRef));
        Assert.Equal(PayloadErasure.Gone, await eraser.RedactAsync(ada, default));
    }

    [Fact]
    public async Task Erasing_one_contact_of_a_Salesforce_Outbound_Message_keeps_the_other_Notification_replayable()
    {
        var run = HubSpotEvents.NewId().ToString(CultureInfo.InvariantCulture);
        var (maria, okonkwo) = ("0035g" + run[^13..], "0035h" + run[^13..]);
        var body = Encoding.UTF8.GetBytes(Fixture.Text("salesforce/salesforce-outbound-message.xml")
            .Replace("0035g00000XyZ12AAB", maria, StringComparison.Ordinal)
            .Replace("0035g00000XyZ77AAB", okonkwo, StringComparison.Ordinal)
            .Replace("maria.lindqvist@example.com", $"maria-{run}@example.com", StringComparison.Ordinal)
            .Replace("j.okonkwo@example.org", $"okonkwo-{run}@example.org", StringComparison.Ordinal)
            .Replace("04l5g00000RfT3", "04l" + run[^11..], StringComparison.Ordinal)
            .Replace("+46 70 123 45 67", "+46 70 " + run[^7..], StringComparison.Ordinal));
        var rawRef = await DeliverAsync(body, "salesforce", "text/xml");
        var okonkwoId = await CustomerOfAsync(IdentityTypes.Salesforce, okonkwo);
        var okonkwoRows = await RowIdsAsync(okonkwoId);
        Assert.NotEmpty(okonkwoRows);

        await services.GetRequiredService<ErasureService>().EraseAsync(await CustomerOfAsync(IdentityTypes.Salesforce, maria), default);

        var copy = Encoding.UTF8.GetString((await azurite.RawPayloadAsync(rawRef))!);
        Assert.DoesNotContain(maria, copy, StringComparison.Ordinal);
        Assert.DoesNotContain($"maria-{run}@example.com", copy, StringComparison.Ordinal);
        Assert.Contains(okonkwo, copy, StringComparison.Ordinal);

        // The replay path (ReplayOf set, bytes read from the archive): the other contact's rows are found, none added.
        var replay = new IngestionMessage { Source = "salesforce", BlobName = rawRef, ReceivedAt = ReceivedAt, CorrelationId = "replay-" + run, ReplayOf = "dl_replay" };
        var report = await services.GetRequiredService<DeliveryProcessor>().ProcessAsync(replay, 1, isLastAttempt: false, default);
        Assert.Equal((0, okonkwoRows.Count, 0), (report.Inserted, report.Duplicates, report.Rejected));
        Assert.Equal(okonkwoRows, await RowIdsAsync(okonkwoId));
    }

    [Fact]
    public async Task A_redelivery_in_other_bytes_leaves_no_copy_that_erasure_cannot_find_and_the_same_bytes_again_keep_their_one_entry()
    {
        // HubSpot counts its attempts in the body: a retried event is the same touchpoint in other bytes.
        var (contact, eventId) = (HubSpotEvents.NewId(), HubSpotEvents.NewId());
        byte[] Attempt(int number)
        {
            var created = HubSpotEvents.ContactCreated(contact, ReceivedAt, eventId);
            created["attemptNumber"] = number;
            return HubSpotEvents.Batch(created);
        }

        var archive = services.GetRequiredService<IRawPayloadRedaction>();
        var first = await DeliverAsync(Attempt(0));
        Assert.Equal(first, await DeliverAsync(Attempt(0)));
        Assert.NotNull(await archive.GetAsync(first, default));

        var retried = await DeliverAsync(Attempt(1));
        Assert.NotEqual(first, retried);
        Assert.Null(await archive.GetAsync(retried, default));
        Assert.NotNull(await archive.GetAsync(first, default));
        var customerId = await CustomerOfAsync(IdentityTypes.HubSpot, contact);
        var row = Assert.Single((await services.GetRequiredService<ITimelineStore>().QueryAsync(customerId, new TimelineQuery(), default)).Items);
        Assert.Equal(first, row.RawRef);

        // With a new event beside it, the payload stays: the new row refers to it, so erasure finds it.
        var mixed = await DeliverAsync(HubSpotEvents.Batch(
            JsonSerializer.Deserialize<List<Dictionary<string, object?>>>(Attempt(2))![0],
            HubSpotEvents.PropertyChange(contact, "lifecyclestage", "lead", ReceivedAt.AddMinutes(1))));
        Assert.NotNull(await archive.GetAsync(mixed, default));

        var erased = await services.GetRequiredService<ErasureService>().EraseAsync(customerId, default);
        Assert.Equal(2, erased.RawPayloads);
        Assert.Null(await archive.GetAsync(first, default));
        Assert.Null(await archive.GetAsync(mixed, default));
    }

    /// <summary>The golden HubSpot batch (tests/Fixtures) with this test's own ids: Maria's creation, lifecycle, association with a deal and merge, the deal's creation, and Okonkwo's e-mail.</summary>
    private static List<Dictionary<string, object?>> FixtureBatch(long maria, long okonkwo, long deal, string email)
    {
        var text = Fixture.Text("hubspot/hubspot-webhook-batch.json")
            .Replace("81273645012", maria.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("80911223344", HubSpotEvents.NewId().ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("80455566677", okonkwo.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("19283746501", deal.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("j.okonkwo@example.org", email, StringComparison.Ordinal);
        var events = JsonSerializer.Deserialize<List<Dictionary<string, object?>>>(text)!;
        foreach (var e in events)
        {
            // Fresh event ids too, so the touchpoints are this run's own.
            e["eventId"] = HubSpotEvents.NewId();
        }

        return events;
    }

    private static Dictionary<string, object?> PrivacyDeletion(long contact) => new()
    {
        ["eventId"] = HubSpotEvents.NewId(),
        ["occurredAt"] = ReceivedAt.ToUnixTimeMilliseconds(),
        ["subscriptionType"] = "contact.privacyDeletion",
        ["objectId"] = contact,
    };

    /// <summary>As the intake and the queue trigger do: archive the bytes, then one processing attempt.</summary>
    private async Task<string> DeliverAsync(byte[] body, string source = "hubspot", string contentType = "application/json")
    {
        var properties = new Dictionary<string, string>();
        var rawRef = await services.GetRequiredService<IRawArchive>().ArchiveAsync(source, body, contentType, properties, ReceivedAt, default);
        var message = new IngestionMessage { Source = source, BlobName = rawRef, ReceivedAt = ReceivedAt, CorrelationId = "erase-" + Guid.NewGuid().ToString("N"), Properties = properties };
        await services.GetRequiredService<DeliveryProcessor>().ProcessAsync(message, 1, isLastAttempt: false, default);
        return rawRef;
    }

    private async Task<List<string>> PeekErasureQueueAsync() =>
        [.. (await azurite.Queue(CustomerStorage.ErasureQueue).PeekMessagesAsync(32)).Value.Select(m => m.MessageText)];

    /// <summary>Plays the erasure queue trigger (ProcessErasure) for what is queued; the texts handled.</summary>
    private async Task<List<string>> DrainErasureQueueAsync()
    {
        var queue = azurite.Queue(CustomerStorage.ErasureQueue);
        await queue.CreateIfNotExistsAsync();
        var handled = new List<string>();
        foreach (var message in (await queue.ReceiveMessagesAsync(32)).Value)
        {
            await services.GetRequiredService<ErasureQueueHandler>().HandleAsync(message.MessageText, default);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            handled.Add(message.MessageText);
        }

        return handled;
    }

    /// <summary>Plays the queue trigger for what a replay queued.</summary>
    private async Task<List<ProcessingReport>> ProcessQueuedAsync()
    {
        var queue = azurite.Queue(StorageNames.IngestQueue);
        var reports = new List<ProcessingReport>();
        foreach (var message in (await queue.ReceiveMessagesAsync(32)).Value)
        {
            reports.Add(await services.GetRequiredService<QueueMessageHandler>().HandleAsync(message.MessageText, message.DequeueCount, default));
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
        }

        return reports;
    }

    private async Task<string?> StoredRedactedFlagAsync(string rawRef)
    {
        if (StorageRawArchive.TryTableKey(rawRef, out var key))
        {
            var entity = (await azurite.Table(StorageNames.RawPayloadsTable).GetEntityAsync<TableEntity>(key.PartitionKey, key.RowKey)).Value;
            return entity.GetBoolean("Redacted") is true ? "true" : null;
        }

        return (await azurite.RawContainer.GetBlobClient(rawRef).GetPropertiesAsync()).Value.Metadata.TryGetValue("redacted", out var flag) ? flag : null;
    }

    /// <summary>The keyed hashes a dead letter names: its people rows in the person index.</summary>
    private async Task<List<string>> HashesOfAsync(string id)
    {
        var hashes = new List<string>();
        await foreach (var row in azurite.Table(StorageNames.DeadLetterPeopleTable).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {TableDeadLetterStore.PeoplePartition(id)}")))
        {
            hashes.Add(row.RowKey);
        }

        return hashes;
    }

    private async Task<List<DeadLetter>> DeadLettersOfAsync(string rawRef) =>
        [.. (await services.GetRequiredService<IDeadLetterStore>().ListAsync("hubspot", null, null, 1000, default)).Where(d => d.BlobName == rawRef)];

    private Task<string> CustomerOfAsync(string type, long value) => CustomerOfAsync(type, value.ToString(CultureInfo.InvariantCulture));

    private async Task<string> CustomerOfAsync(string type, string value) =>
        await services.GetRequiredService<IIdentityStore>().FindCustomerAsync(Identity.Create(type, value)!, default)
        ?? throw new InvalidOperationException($"No customer holds {type}:{value}.");

    private async Task<List<string>> RowIdsAsync(string customerId) =>
        [.. (await services.GetRequiredService<ITimelineStore>().QueryAsync(customerId, new TimelineQuery { Limit = TimelineQuery.MaxLimit }, default)).Items.Select(t => t.TouchpointId).Order(StringComparer.Ordinal)];

    private static ServiceProvider Build(AzuriteFixture azurite, Action<IServiceCollection>? configure = null)
    {
        var builder = HubHostBuilder.Create(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Privacy:SuppressionKey"] = SuppressionKey,
        });
        builder.AddJourneyHubAzure();
        configure?.Invoke(builder.Services);
        return builder.Services.BuildServiceProvider();
    }

    private sealed class UnavailablePublisher : ITouchpointPublisher
    {
        public Task PublishAsync(IReadOnlyList<Touchpoint> touchpoints, CancellationToken cancellationToken) => throw new IOException("topic unavailable");
    }
}
