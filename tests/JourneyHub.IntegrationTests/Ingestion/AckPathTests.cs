using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using JourneyHub.Azure.Configuration;
using JourneyHub.Azure.Storage;
using JourneyHub.Core.Admin;
using JourneyHub.Core.Api;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Privacy;
using JourneyHub.Core.Processing;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Timeline;
using JourneyHub.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace JourneyHub.IntegrationTests.Ingestion;

/// <summary>An Azurite of its own: these tests read and clear the ingestion queue, which no other test may consume meanwhile.</summary>
[CollectionDefinition(Name)]
public sealed class AckPathCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Ack path";
}

/// <summary>
/// The acknowledgement path on a real Azurite: a small body travels only inside a never-expiring queue message until the
/// processor archives it (table entities, group-committed per partition); a large one is archived first (table entity or
/// blob) and referenced. Crashes between the steps, the poison path, replay and erasure of table-archived payloads.
/// </summary>
[Collection(AckPathCollection.Name)]
public sealed class AckPathTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string SuppressionKey = "ack-path-tests-suppression-key-0123456789";

    /// <summary>How long a message whose attempt failed stays invisible before it is tried again.</summary>
    private static readonly TimeSpan FailedAttemptVisibility = TimeSpan.FromSeconds(1);

    public async Task InitializeAsync()
    {
        var queue = azurite.Queue(StorageNames.IngestQueue);
        await queue.CreateIfNotExistsAsync();
        await queue.ClearMessagesAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_small_payload_is_stored_in_a_never_expiring_queue_message_and_archived_byte_for_byte_by_the_processor()
    {
        await using var services = Build();
        var body = Review(Guid.NewGuid().ToString("N"), consumerId: "c-" + Guid.NewGuid().ToString("N"), padding: 2_000);

        var result = await Intake(services).AcceptAsync(SourceId.Trustpilot, Webhook(body), default);

        // Acknowledged: the exact bytes are in the queue message, which never expires.
        Assert.Equal(IntakeStatus.Accepted, result.Status);
        Assert.True(StorageRawArchive.TryTableKey(result.BlobName!, out var key));
        Assert.Equal(StorageRawArchive.PartitionOf(key.RowKey), key.PartitionKey);
        var peeked = Assert.Single((await azurite.Queue(StorageNames.IngestQueue).PeekMessagesAsync(32)).Value);
        var message = JsonSerializer.Deserialize<IngestionMessage>(peeked.MessageText, JourneyJson.Options)!;
        Assert.Equal(result.BlobName, message.BlobName);
        Assert.Equal(body, message.InlineBody);
        Assert.Equal("application/json", message.ContentType);
        Assert.True(peeked.ExpiresOn > DateTimeOffset.UtcNow.AddYears(100), $"the message expires on {peeked.ExpiresOn:O}");

        // Sent as is (no base64 around the JSON), as host.json's messageEncoding "none" expects.
        Assert.StartsWith("{", peeked.MessageText, StringComparison.Ordinal);

        // Not archived yet: the message is the one stored copy until the processor's first step.
        var table = azurite.Table(StorageNames.RawPayloadsTable);
        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>(key.PartitionKey, key.RowKey)).HasValue);

        Assert.Equal(1, await ProcessQueuedAsync(services));

        // The archive holds the exact bytes under the reference: one entity, one chunk, with the sender's facts.
        var entity = (await table.GetEntityAsync<TableEntity>(key.PartitionKey, key.RowKey)).Value;
        Assert.Equal(body, StorageRawArchive.BodyOf(entity));
        Assert.Equal(("trustpilot", "application/json", 1), (entity.GetString("Source"), entity.GetString("ContentType"), entity.GetInt32("Chunks")));
        Assert.Equal(message.ReceivedAt, entity.GetDateTimeOffset("ReceivedAt"));
        Assert.Equal(body, (await services.GetRequiredService<IRawArchive>().ReadAsync(message with { InlineBody = null }, default))!.Body.ToArray());
    }

    [Fact]
    public async Task Reading_a_message_with_inline_bytes_does_no_storage_io()
    {
        // Storage that does not exist: any request would fail (and the bootstrap would try to create tables first).
        var unreachable = new StorageClients(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:9/b;QueueEndpoint=http://127.0.0.1:9/q;TableEndpoint=http://127.0.0.1:9/t;",
        }).Build());
        using var bootstrap = new StorageBootstrap(unreachable);
        var archive = new StorageRawArchive(unreachable, bootstrap);
        var body = Review("r1", "c1", padding: 10);
        var message = new IngestionMessage { Source = "trustpilot", BlobName = "table:" + new string('0', 64), ReceivedAt = DateTimeOffset.UtcNow, CorrelationId = "c", InlineBody = body };

        var payload = await archive.ReadAsync(message, default).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(body, payload!.Body.ToArray());
        Assert.Equal(message.BlobName, payload.BlobName);
    }

    [Fact]
    public async Task A_payload_above_the_inline_limit_but_within_the_table_limit_is_archived_in_chunks_and_read_from_the_table()
    {
        await using var services = Build();
        var body = Review(Guid.NewGuid().ToString("N"), "c-" + Guid.NewGuid().ToString("N"), padding: 200_000);

        var result = await Intake(services).AcceptAsync(SourceId.Trustpilot, Webhook(body), default);

        Assert.Equal(IntakeStatus.Accepted, result.Status);
        Assert.StartsWith(StorageRawArchive.TableReferencePrefix, result.BlobName, StringComparison.Ordinal);
        var (message, _) = Assert.Single(await QueuedAsync());
        Assert.Null(message.InlineBody);
        Assert.True(StorageRawArchive.TryTableKey(result.BlobName!, out var key));
        var entity = (await azurite.Table(StorageNames.RawPayloadsTable).GetEntityAsync<TableEntity>(key.PartitionKey, key.RowKey)).Value;
        Assert.Equal(4, entity.GetInt32("Chunks"));
        Assert.Equal(body, (await services.GetRequiredService<IRawArchive>().ReadAsync(message, default))!.Body.ToArray());
    }

    [Fact]
    public async Task A_large_payload_goes_to_a_blob_and_the_message_only_points_at_it()
    {
        await using var services = Build();
        var body = Review(Guid.NewGuid().ToString("N"), "c-" + Guid.NewGuid().ToString("N"), padding: StorageRawArchive.MaxTableBytes + 1_000);

        var result = await Intake(services).AcceptAsync(SourceId.Trustpilot, Webhook(body), default);

        Assert.Equal(IntakeStatus.Accepted, result.Status);
        Assert.False(StorageRawArchive.TryTableKey(result.BlobName!, out _));
        Assert.StartsWith("trustpilot/", result.BlobName, StringComparison.Ordinal);
        var (message, _) = Assert.Single(await QueuedAsync());
        Assert.Null(message.InlineBody);
        Assert.Equal(body, (await azurite.RawContainer.GetBlobClient(result.BlobName).DownloadContentAsync()).Value.Content.ToArray());
        Assert.Equal(body, (await services.GetRequiredService<IRawArchive>().ReadAsync(message, default))!.Body.ToArray());
    }

    [Fact]
    public async Task A_redelivery_of_the_same_bytes_lands_on_the_same_archive_entry_and_other_bytes_do_not()
    {
        await using var services = Build();
        var archive = services.GetRequiredService<IRawArchive>();
        var body = Review(Guid.NewGuid().ToString("N"), "c1", padding: 10);
        var first = new Dictionary<string, string> { ["webhook-id"] = "msg_1", ["correlationId"] = "a", ["traceparent"] = "00-1-2-01" };
        var retry = new Dictionary<string, string> { ["webhook-id"] = "msg_1", ["correlationId"] = "b" };
        var otherEvent = new Dictionary<string, string> { ["webhook-id"] = "msg_2", ["correlationId"] = "c" };

        var a = await archive.ArchiveAsync("custom:shop", body, "application/json", first, DateTimeOffset.UtcNow, default);
        var b = await archive.ArchiveAsync("custom:shop", body, "application/json", retry, DateTimeOffset.UtcNow, default);

        Assert.Equal(a, b);
        Assert.NotEqual(a, archive.ReferenceFor("custom:shop", body, "application/json", otherEvent));
        Assert.NotEqual(a, archive.ReferenceFor("custom:web", body, "application/json", first));
        Assert.NotEqual(a, archive.ReferenceFor("custom:shop", body.Append((byte)' ').ToArray(), "application/json", first));
    }

    /// <summary>
    /// The sender is told 503 when its one write, the enqueue, fails, and retries. "enqueue": nothing was stored; "reply":
    /// queued, the reply lost, so the same bytes come twice. Every case ends with the row stored once, counted once, and
    /// pointing at the archived bytes.
    /// </summary>
    [Theory]
    [InlineData("enqueue")]
    [InlineData("reply")]
    public async Task A_crash_on_the_ack_path_and_the_senders_retry_store_every_row_once(string crashAfter)
    {
        var faults = new AckFaults(crashAfter);
        await using var services = Build(s =>
        {
            s.AddSingleton<StorageRawArchive>();
            s.AddSingleton<StorageIngestionQueue>();
            s.AddSingleton<IRawArchive>(sp => new CrashingArchive(sp.GetRequiredService<StorageRawArchive>(), faults));
            s.AddSingleton<IIngestionQueue>(sp => new CrashingQueue(sp.GetRequiredService<StorageIngestionQueue>(), faults));
        });
        var consumer = "c-" + Guid.NewGuid().ToString("N");
        var body = Review(Guid.NewGuid().ToString("N"), consumer, padding: 10);

        var first = await Intake(services).AcceptAsync(SourceId.Trustpilot, Webhook(body), default);
        var firstQueued = await ProcessQueuedAsync(services);
        var retried = await Intake(services).AcceptAsync(SourceId.Trustpilot, Webhook(body), default);
        var retryQueued = await ProcessQueuedAsync(services);

        Assert.Equal(crashAfter == "reply" ? IntakeStatus.Accepted : IntakeStatus.StorageUnavailable, first.Status);
        Assert.Equal(crashAfter == "reply" ? 1 : 0, firstQueued);
        Assert.Equal(IntakeStatus.Accepted, retried.Status);
        Assert.Equal(1, retryQueued);
        var reader = services.GetRequiredService<CustomerReader>();
        var customer = await reader.LookupAsync(new Identity(IdentityTypes.Trustpilot, consumer), default);
        var timeline = await reader.TimelineAsync(customer!.CustomerId, new TimelineQuery { Limit = 50 }, default);
        var row = Assert.Single(timeline!.Items).ToTouchpoint();
        Assert.Equal(1, (await reader.JourneyAsync(customer.CustomerId, DateTimeOffset.UtcNow, default))!.TouchpointCount);
        Assert.Equal(retried.BlobName, row.RawRef);
        var archived = await services.GetRequiredService<IRawArchive>().ReadAsync(Reference(row.RawRef), default);
        Assert.Equal(body, archived!.Body.ToArray());
    }

    [Fact]
    public async Task A_crash_after_the_enqueue_before_the_archive_write_is_retried_from_the_message_archived_once_and_stored_once()
    {
        var faults = new AckFaults("load");
        await using var services = Build(s =>
        {
            s.AddSingleton<StorageRawArchive>();
            s.AddSingleton<IRawArchive>(sp => new CrashingArchive(sp.GetRequiredService<StorageRawArchive>(), faults));
        });
        var consumer = "c-" + Guid.NewGuid().ToString("N");
        var body = Review(Guid.NewGuid().ToString("N"), consumer, padding: 10);
        var accepted = await Intake(services).AcceptAsync(SourceId.Trustpilot, Webhook(body), default);
        Assert.Equal(IntakeStatus.Accepted, accepted.Status);

        // The first attempt dies at the archive write: nothing downstream happened, the message stays.
        var failed = await ProcessQueuedAsync(services);
        Assert.Equal((0, 1), (failed, faults.Fired));
        Assert.Null(await azurite.RawPayloadAsync(accepted.BlobName!));
        Assert.Null(await services.GetRequiredService<CustomerReader>().LookupAsync(new Identity(IdentityTypes.Trustpilot, consumer), default));

        // Its redelivery archives the bytes from the message and stores the row.
        var (retried, _) = Assert.Single(await QueuedAsync(afterVisibility: true));
        Assert.Equal(body, retried.InlineBody);
        Assert.Equal(1, await ProcessQueuedAsync(services));

        Assert.Equal([body], (await azurite.RawPayloadsAsync("trustpilot")).Where(p => p.RawRef == accepted.BlobName).Select(p => p.Body));
        var reader = services.GetRequiredService<CustomerReader>();
        var customer = await reader.LookupAsync(new Identity(IdentityTypes.Trustpilot, consumer), default);
        var row = Assert.Single((await reader.TimelineAsync(customer!.CustomerId, new TimelineQuery { Limit = 50 }, default))!.Items).ToTouchpoint();
        Assert.Equal(accepted.BlobName, row.RawRef);
        Assert.Equal(1, (await reader.JourneyAsync(customer.CustomerId, DateTimeOffset.UtcNow, default))!.TouchpointCount);
    }

    /// <summary>
    /// A message whose archive write fails on every attempt, the last included: never a dead letter pointing at nothing.
    /// The host moves it, bytes and all, to the poison queue; the recorder archives them and records the dead letter;
    /// replay re-queues the reference and stores the touchpoint.
    /// </summary>
    [Fact]
    public async Task A_message_whose_archive_write_fails_every_attempt_goes_to_the_poison_queue_whose_recorder_archives_it_for_replay()
    {
        var consumer = "c-" + Guid.NewGuid().ToString("N");
        var body = Review(Guid.NewGuid().ToString("N"), consumer, padding: 10);
        string text;
        string rawRef;
        await using (var failing = Build(s =>
        {
            s.AddSingleton<StorageRawArchive>();
            s.AddSingleton<IRawArchive>(sp => new CrashingArchive(sp.GetRequiredService<StorageRawArchive>(), new AckFaults("load", always: true)));
        }))
        {
            rawRef = (await Intake(failing).AcceptAsync(SourceId.Trustpilot, Webhook(body), default)).BlobName!;
            (_, text) = Assert.Single(await QueuedAsync());
            var handler = failing.GetRequiredService<QueueMessageHandler>();
            for (var attempt = 1; attempt <= failing.GetRequiredService<IOptions<IngestionOptions>>().Value.MaxDequeueCount; attempt++)
            {
                await Assert.ThrowsAsync<IOException>(() => handler.HandleAsync(text, attempt, default));
            }

            Assert.DoesNotContain(await failing.GetRequiredService<IDeadLetterStore>().ListAsync("trustpilot", null, null, 1000, default), d => d.BlobName == rawRef);
            await azurite.Queue(StorageNames.IngestQueue).ClearMessagesAsync();
        }

        // What the Functions host does after the last failed attempt: the message, as it was, on the poison queue.
        await using var services = Build();
        Assert.Null(await azurite.RawPayloadAsync(rawRef));
        await services.GetRequiredService<PoisonMessageRecorder>().RecordAsync(StorageNames.IngestQueue, null, text, DateTimeOffset.UtcNow, default);

        Assert.Equal(body, await azurite.RawPayloadAsync(rawRef));
        var deadLetter = Assert.Single(await services.GetRequiredService<IDeadLetterStore>().ListAsync("trustpilot", null, null, 1000, default), d => d.BlobName == rawRef);
        Assert.Equal(1, (await services.GetRequiredService<DeadLetterAdmin>().ReplayAsync(new ReplayRequest { Ids = [deadLetter.Id] }, default)).Queued);
        Assert.Equal(1, await ProcessQueuedAsync(services));
        var reader = services.GetRequiredService<CustomerReader>();
        var customer = await reader.LookupAsync(new Identity(IdentityTypes.Trustpilot, consumer), default);
        var row = Assert.Single((await reader.TimelineAsync(customer!.CustomerId, new TimelineQuery { Limit = 50 }, default))!.Items).ToTouchpoint();
        Assert.Equal(rawRef, row.RawRef);
        Assert.DoesNotContain(await services.GetRequiredService<IDeadLetterStore>().ListAsync("trustpilot", null, null, 1000, default), d => d.BlobName == rawRef);
    }

    /// <summary>
    /// When the poison recorder cannot archive the bytes either, the message goes back to its work queue, never expiring,
    /// to become visible after a pause: the bytes' only stored copy never reaches a second poison queue whose copy would
    /// expire after seven days. Once storage is back, the next attempt stores the touchpoint.
    /// </summary>
    [Fact]
    public async Task A_poison_message_whose_bytes_the_recorder_cannot_archive_goes_back_to_its_work_queue_never_expiring()
    {
        var consumer = "c-" + Guid.NewGuid().ToString("N");
        var body = Review(Guid.NewGuid().ToString("N"), consumer, padding: 10);
        await using var failing = Build(s =>
        {
            s.AddSingleton<StorageRawArchive>();
            s.AddSingleton<IRawArchive>(sp => new CrashingArchive(sp.GetRequiredService<StorageRawArchive>(), new AckFaults("load", always: true)));
        });
        var rawRef = (await Intake(failing).AcceptAsync(SourceId.Trustpilot, Webhook(body), default)).BlobName!;
        var (_, text) = Assert.Single(await QueuedAsync());
        var queue = azurite.Queue(StorageNames.IngestQueue);
        await queue.ClearMessagesAsync();

        await failing.GetRequiredService<PoisonMessageRecorder>().RecordAsync(StorageNames.IngestQueue, null, text, DateTimeOffset.UtcNow, default);

        Assert.DoesNotContain(await failing.GetRequiredService<IDeadLetterStore>().ListAsync("trustpilot", null, null, 1000, default), d => d.BlobName == rawRef);
        Assert.Empty((await queue.PeekMessagesAsync(32)).Value);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var waiting = Assert.Single((await queue.PeekMessagesAsync(32)).Value, m => m.MessageText == text);
        Assert.True(waiting.ExpiresOn > DateTimeOffset.UtcNow.AddYears(100), $"the message expires on {waiting.ExpiresOn:O}");

        // Storage back: the next attempt archives the bytes and stores the touchpoint.
        await using var services = Build();
        Assert.Equal(1, await ProcessQueuedAsync(services));
        Assert.Equal(body, await azurite.RawPayloadAsync(rawRef));
        Assert.NotNull(await services.GetRequiredService<CustomerReader>().LookupAsync(new Identity(IdentityTypes.Trustpilot, consumer), default));
    }

    /// <summary>
    /// Concurrent archive writes share entity-group transactions, one in flight per partition: every entry is stored
    /// byte for byte in fewer transactions than writes, and entries already there (a retry, a redelivery) are dropped
    /// from the transaction and left as they were, however many of them come at once.
    /// </summary>
    [Fact]
    public async Task Concurrent_archive_writes_are_group_committed_and_entries_already_there_are_left_as_they_were()
    {
        var requests = new RequestLog();
        var observed = ObservedClients(requests);
        using var bootstrap = new StorageBootstrap(observed);
        var archive = new StorageRawArchive(observed, bootstrap);
        var firstSeen = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var messages = Enumerable.Range(0, 60).Select(i => Carrying(archive, Review("r-" + Guid.NewGuid().ToString("N"), "c" + i, padding: i * 100))).ToList();
        var present = messages.Where((_, i) => i % 6 == 0).ToList();
        foreach (var message in present)
        {
            await archive.ArchiveInlineBodyAsync(message with { ReceivedAt = firstSeen }, default);
        }

        requests.Clear();

        // Every message once, and a third of them twice at the same moment (a retried request's two messages).
        var writes = messages.Concat(messages.Where((_, i) => i % 3 == 1)).ToList();
        await Task.WhenAll(writes.Select(m => Task.Run(() => archive.ArchiveInlineBodyAsync(m, default))));

        var transactions = requests.Entries.Count(e => e.Method == "POST" && e.Path.EndsWith("$batch", StringComparison.Ordinal));
        Assert.Equal(requests.Entries.Count, transactions);
        Assert.True(transactions < writes.Count - present.Count, $"{transactions} transactions for {writes.Count} writes");
        foreach (var message in messages)
        {
            var stored = (await archive.GetAsync(message.BlobName, default))!;
            Assert.Equal(message.InlineBody, stored.Payload.Body.ToArray());
            Assert.Equal(present.Contains(message) ? firstSeen : message.ReceivedAt, stored.Payload.ReceivedAt);
        }
    }

    [Fact]
    public async Task Erasure_deletes_the_table_archived_payloads_of_the_person()
    {
        await using var services = Build();
        var consumer = "c-" + Guid.NewGuid().ToString("N");
        var bodies = new[] { Review(Guid.NewGuid().ToString("N"), consumer, 10), Review(Guid.NewGuid().ToString("N"), consumer, 100_000) };
        foreach (var body in bodies)
        {
            Assert.Equal(IntakeStatus.Accepted, (await Intake(services).AcceptAsync(SourceId.Trustpilot, Webhook(body), default)).Status);
        }

        Assert.Equal(2, await ProcessQueuedAsync(services));
        var reader = services.GetRequiredService<CustomerReader>();
        var customerId = (await reader.LookupAsync(new Identity(IdentityTypes.Trustpilot, consumer), default))!.CustomerId;
        var rawRefs = (await reader.TimelineAsync(customerId, new TimelineQuery { Limit = 50 }, default))!.Items.Select(t => t.ToTouchpoint().RawRef).ToList();
        Assert.Equal(2, rawRefs.Distinct().Count());
        Assert.All(rawRefs, r => Assert.StartsWith(StorageRawArchive.TableReferencePrefix, r, StringComparison.Ordinal));
        var archive = services.GetRequiredService<IRawArchive>();
        Assert.All(await Task.WhenAll(rawRefs.Select(r => archive.ReadAsync(Reference(r), default))), Assert.NotNull);

        await services.GetRequiredService<ErasureService>().EraseAsync(customerId, default);

        Assert.All(await Task.WhenAll(rawRefs.Select(r => archive.ReadAsync(Reference(r), default))), Assert.Null);
        foreach (var rawRef in rawRefs)
        {
            Assert.True(StorageRawArchive.TryTableKey(rawRef, out var key));
            Assert.False((await azurite.Table(StorageNames.RawPayloadsTable).GetEntityIfExistsAsync<TableEntity>(key.PartitionKey, key.RowKey)).HasValue);
        }
    }

    /// <summary>
    /// Erasure meets a payload that is still only in its queue message: the load step archives it, the person's identity
    /// is suppressed, and the same processor deletes the entry it wrote moments before. Nothing of the person remains.
    /// </summary>
    [Fact]
    public async Task A_payload_still_queued_when_its_person_is_erased_is_archived_by_the_load_step_and_erased_by_the_processor()
    {
        CrashingArchive? archive = null;
        await using var services = Build(s =>
        {
            s.AddSingleton<StorageRawArchive>();
            s.AddSingleton<IRawArchive>(sp => archive = new CrashingArchive(sp.GetRequiredService<StorageRawArchive>(), new AckFaults("none")));
        });
        var consumer = "c-" + Guid.NewGuid().ToString("N");
        Assert.Equal(IntakeStatus.Accepted, (await Intake(services).AcceptAsync(SourceId.Trustpilot, Webhook(Review(Guid.NewGuid().ToString("N"), consumer, 10)), default)).Status);
        Assert.Equal(1, await ProcessQueuedAsync(services));
        var reader = services.GetRequiredService<CustomerReader>();
        var customerId = (await reader.LookupAsync(new Identity(IdentityTypes.Trustpilot, consumer), default))!.CustomerId;
        var queued = await Intake(services).AcceptAsync(SourceId.Trustpilot, Webhook(Review(Guid.NewGuid().ToString("N"), consumer, 10)), default);

        await services.GetRequiredService<ErasureService>().EraseAsync(customerId, default);
        var (message, _) = Assert.Single(await QueuedAsync());
        Assert.Equal(queued.BlobName, message.BlobName);
        Assert.Null(await azurite.RawPayloadAsync(queued.BlobName!));

        var report = await services.GetRequiredService<QueueMessageHandler>().HandleAsync(JsonSerializer.Serialize(message, JourneyJson.Options), 1, default);

        Assert.Equal((0, 1), (report.Inserted, report.Suppressed));
        Assert.Equal(["archive " + queued.BlobName, "delete " + queued.BlobName], archive!.Calls.Where(c => c.EndsWith(queued.BlobName!, StringComparison.Ordinal)));
        Assert.Null(await azurite.RawPayloadAsync(queued.BlobName!));
        Assert.Null(await reader.LookupAsync(new Identity(IdentityTypes.Trustpilot, consumer), default));
        await azurite.Queue(StorageNames.IngestQueue).ClearMessagesAsync();
    }

    [Fact]
    public async Task A_dead_letter_of_a_table_archived_payload_replays_from_the_table()
    {
        var consumer = "c-" + Guid.NewGuid().ToString("N");
        var body = Review(Guid.NewGuid().ToString("N"), consumer, padding: 10);
        string rawRef;
        await using (var failing = Build(s => s.AddSingleton<ITouchpointPublisher>(new UnavailablePublisher())))
        {
            rawRef = (await Intake(failing).AcceptAsync(SourceId.Trustpilot, Webhook(body), default)).BlobName!;
            var handler = failing.GetRequiredService<QueueMessageHandler>();
            var (_, text) = Assert.Single(await QueuedAsync());
            var report = await handler.HandleAsync(text, dequeueCount: 5, default);
            Assert.Equal(1, report.DeadLettered);
            await azurite.Queue(StorageNames.IngestQueue).ClearMessagesAsync();
        }

        await using var services = Build();
        var deadLetter = Assert.Single(await services.GetRequiredService<IDeadLetterStore>().ListAsync("trustpilot", null, null, 1000, default), d => d.BlobName == rawRef);
        var replay = await services.GetRequiredService<DeadLetterAdmin>().ReplayAsync(new ReplayRequest { Ids = [deadLetter.Id] }, default);

        Assert.Equal(1, replay.Queued);
        var (replayed, _) = Assert.Single(await QueuedAsync());
        Assert.Null(replayed.InlineBody);
        Assert.Equal(rawRef, replayed.BlobName);
        Assert.Equal(1, await ProcessQueuedAsync(services));
        var reader = services.GetRequiredService<CustomerReader>();
        var customer = await reader.LookupAsync(new Identity(IdentityTypes.Trustpilot, consumer), default);
        var row = Assert.Single((await reader.TimelineAsync(customer!.CustomerId, new TimelineQuery { Limit = 50 }, default))!.Items).ToTouchpoint();
        Assert.Equal(rawRef, row.RawRef);
        Assert.DoesNotContain(await services.GetRequiredService<IDeadLetterStore>().ListAsync("trustpilot", null, null, 1000, default), d => d.BlobName == rawRef);
    }

    [Fact]
    public async Task Identity_table_keys_are_hmacs_under_the_secret_so_the_table_gives_no_phone_number_away_and_the_person_stays_suppressed()
    {
        var phone = Identity.Create(IdentityTypes.Phone, "+4670" + RandomNumberGenerator.GetInt32(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture))!;
        var email = Identity.Create(IdentityTypes.Email, $"erased-{Guid.NewGuid():N}@example.com")!;
        await using (var services = Build())
        {
            await services.GetRequiredService<IIdentityStore>().SuppressAndUnlinkAsync([phone, email], [], default);
        }

        // Nothing in the table is the identity, or a plain hash anyone could compute by trying every number.
        var stored = new List<string>();
        await foreach (var entity in azurite.Table(StorageNames.IdentitiesTable).QueryAsync<TableEntity>())
        {
            stored.Add(entity.PartitionKey);
            stored.Add(entity.RowKey);
            stored.AddRange(entity.Select(p => Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture) ?? ""));
        }

        foreach (var identity in new[] { phone, email })
        {
            var guessable = new[]
            {
                identity.Value,
                identity.Type + ":" + identity.Value,
                Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity.Type + ":" + identity.Value))),
                Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity.Value))),
            };
            Assert.DoesNotContain(stored, value => guessable.Any(g => value.Contains(g, StringComparison.OrdinalIgnoreCase)));
        }

        Assert.Contains(Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(SuppressionKey), Encoding.UTF8.GetBytes(phone.Type + ":" + phone.Value))), stored);

        // The same person is still recognised by a freshly started app with the same key, alone or among other identities.
        await using (var restarted = Build())
        {
            Assert.True((await restarted.GetRequiredService<IIdentityStore>().LookupAsync(phone, default)).IsSuppressed);
            var resolver = restarted.GetRequiredService<IdentityResolver>();
            Assert.True((await resolver.AssignAsync([Identity.Create(IdentityTypes.Email, $"new-{Guid.NewGuid():N}@example.com")!, phone], "test", default)).IsSuppressed);
            Assert.False((await resolver.AssignAsync([Identity.Create(IdentityTypes.Email, $"other-{Guid.NewGuid():N}@example.com")!], "test", default)).IsSuppressed);
        }

        // Under another key the rows mean nothing: the key, not the identity alone, makes the partition key.
        await using var otherKey = Build(suppressionKey: "a-different-suppression-key-0123456789abcdef");
        Assert.False((await otherKey.GetRequiredService<IIdentityStore>().LookupAsync(phone, default)).IsSuppressed);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_redaction_replaces_an_entry_in_one_conditional_write_keeping_its_facts_and_a_stale_version_changes_nothing(bool largeEnoughForABlob)
    {
        var requests = new RequestLog();
        var observed = ObservedClients(requests);
        using var bootstrap = new StorageBootstrap(observed);
        var archive = new StorageRawArchive(observed, bootstrap);
        var body = Review("r-" + Guid.NewGuid().ToString("N"), "c1", padding: largeEnoughForABlob ? StorageRawArchive.MaxTableBytes + 100 : 10);
        var facts = new Dictionary<string, string> { ["webhookId"] = "msg_" + Guid.NewGuid().ToString("N"), ["note"] = "a fact with spaces & ü" };
        var receivedAt = new DateTimeOffset(2025, 3, 14, 14, 22, 10, TimeSpan.Zero);
        var rawRef = await archive.ArchiveAsync("trustpilot", body, "application/json; charset=utf-8", facts, receivedAt, default);
        Assert.Equal(largeEnoughForABlob, !StorageRawArchive.TryTableKey(rawRef, out _));
        var read = (await archive.GetAsync(rawRef, default))!;
        var copy = "{\"events\":[]}"u8.ToArray();
        var mark = new RedactionMark(receivedAt.AddDays(3), "erasure of customer cus_test");

        requests.Clear();
        Assert.True(await archive.ReplaceAsync(read, copy, mark, default));

        // One storage call: the write itself, conditional on the version the caller read (no second read before it).
        var write = Assert.Single(requests.Entries);
        Assert.Equal("PUT", write.Method);
        Assert.Equal(read.Version.Trim('"'), write.IfMatch?.Trim('"'));

        var replaced = (await archive.GetAsync(rawRef, default))!;
        Assert.Equal(copy, replaced.Payload.Body.ToArray());
        Assert.Equal(mark, replaced.Redaction);
        Assert.Equal(("trustpilot", receivedAt, "application/json; charset=utf-8"), (replaced.Payload.Source, replaced.Payload.ReceivedAt, replaced.ContentType));
        Assert.Equal(facts["webhookId"], replaced.Payload.Properties["webhookId"]);
        Assert.Equal(facts["note"], replaced.Payload.Properties["note"]);
        Assert.Equal(copy, (await archive.ReadAsync(new IngestionMessage { Source = "trustpilot", BlobName = rawRef, ReceivedAt = receivedAt, CorrelationId = "c" }, default))!.Body.ToArray());

        // The version read before the replace is stale now: a second replace from it writes nothing.
        Assert.False(await archive.ReplaceAsync(read, "{}"u8.ToArray(), mark with { Reason = "late" }, default));
        Assert.Equal(copy, (await archive.GetAsync(rawRef, default))!.Payload.Body.ToArray());

        // Gone meanwhile: nothing is written back.
        await archive.DeleteAsync(rawRef, default);
        Assert.False(await archive.ReplaceAsync(replaced, copy, mark, default));
        Assert.Null(await archive.GetAsync(rawRef, default));
    }

    [Fact]
    public async Task The_identity_table_and_the_dead_letters_hash_a_person_with_the_one_registered_identity_keys()
    {
        await using var services = Build();
        var keys = services.GetRequiredService<IdentityKeys>();
        Assert.Same(keys, services.GetRequiredService<IdentityKeys>());
        var person = Identity.Create(IdentityTypes.Email, $"one-key-{Guid.NewGuid():N}@example.com")!;
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(SuppressionKey), Encoding.UTF8.GetBytes(person.Type + ":" + person.Value)));
        Assert.Equal(expected, keys.Hash(person));

        await services.GetRequiredService<IIdentityStore>().SuppressAndUnlinkAsync([person], [], default);
        var deadLetterId = "one-key-" + Guid.NewGuid().ToString("N");
        await services.GetRequiredService<IDeadLetterStore>().AddAsync(
            new DeadLetter { Id = deadLetterId, Source = "hubspot", BlobName = "hubspot/one-key", Reason = "test", FailedAt = DateTimeOffset.UtcNow, ReceivedAt = DateTimeOffset.UtcNow, Identities = [person] },
            default);

        Assert.NotNull((await azurite.Table(StorageNames.IdentitiesTable).GetEntityAsync<TableEntity>(expected, TableIdentityStore.LinkRow)).Value.GetDateTimeOffset("SuppressedAt"));
        Assert.True((await azurite.Table(StorageNames.DeadLetterPeopleTable).GetEntityIfExistsAsync<TableEntity>(expected, deadLetterId)).HasValue);
        Assert.True((await azurite.Table(StorageNames.DeadLetterPeopleTable).GetEntityIfExistsAsync<TableEntity>(TableDeadLetterStore.PeoplePartition(deadLetterId), expected)).HasValue);
        Assert.Equal([deadLetterId], (await services.GetRequiredService<IDeadLetterErasure>().FindAsync([person], default)).Select(d => d.Id));
    }

    [Fact]
    public void The_suppression_key_is_required_and_an_unresolved_key_vault_reference_is_refused()
    {
        foreach (var (key, expected) in new[] { ((string?)null, "required"), ("too-short", "at least 32"), ("@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/privacy-suppression-key/)", "Key Vault") })
        {
            using var services = Build(suppressionKey: key);
            var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<SuppressionKeyOptions>>().Value);
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>Clients on this Azurite whose every request is logged (method and If-Match), after the SDK's own retries.</summary>
    private StorageClients ObservedClients(RequestLog log)
    {
        var tables = new global::Azure.Data.Tables.TableClientOptions();
        tables.AddPolicy(log, global::Azure.Core.HttpPipelinePosition.PerRetry);
        var blobs = new global::Azure.Storage.Blobs.BlobClientOptions();
        blobs.AddPolicy(log, global::Azure.Core.HttpPipelinePosition.PerRetry);
        var queues = new global::Azure.Storage.Queues.QueueClientOptions { MessageEncoding = StorageClients.MessageEncoding };
        queues.AddPolicy(log, global::Azure.Core.HttpPipelinePosition.PerRetry);
        return StorageClients.From(
            new global::Azure.Data.Tables.TableServiceClient(azurite.ConnectionString, tables),
            new global::Azure.Storage.Blobs.BlobServiceClient(azurite.ConnectionString, blobs),
            new global::Azure.Storage.Queues.QueueServiceClient(azurite.ConnectionString, queues));
    }

    private sealed class RequestLog : global::Azure.Core.Pipeline.HttpPipelineSynchronousPolicy
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<(string Method, string Path, string? IfMatch)> entries = new();

        public IReadOnlyList<(string Method, string Path, string? IfMatch)> Entries => [.. entries];

        public void Clear() => entries.Clear();

        public override void OnSendingRequest(global::Azure.Core.HttpMessage message) =>
            entries.Enqueue((message.Request.Method.Method, message.Request.Uri.Path, message.Request.Headers.TryGetValue("If-Match", out var ifMatch) ? ifMatch : null));
    }

    private ServiceProvider Build(Action<IServiceCollection>? configure = null, string? suppressionKey = SuppressionKey)
    {
        var builder = HubHostBuilder.Create(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Privacy:SuppressionKey"] = suppressionKey,

            // A poisoned message sent back to wait becomes visible within the test.
            ["Ingestion:ArchiveRetryPause"] = "00:00:01",
        });
        builder.AddJourneyHubAzure();
        var services = builder.Services;
        configure?.Invoke(services);
        return services.BuildServiceProvider();
    }

    private static WebhookIntake Intake(IServiceProvider services) => services.GetRequiredService<WebhookIntake>();

    private static InboundWebhook Webhook(byte[] body) =>
        new("POST", "https://hub.example.com/api/webhooks/trustpilot", new Dictionary<string, string>(), body, "application/json");

    private static IngestionMessage Reference(string rawRef) =>
        new() { Source = "trustpilot", BlobName = rawRef, ReceivedAt = DateTimeOffset.UtcNow, CorrelationId = "read" };

    /// <param name="afterVisibility">Wait until a message a failed attempt left behind is visible again.</param>
    private async Task<List<(IngestionMessage Message, string Text)>> QueuedAsync(bool afterVisibility = false)
    {
        var queue = azurite.Queue(StorageNames.IngestQueue);
        if (afterVisibility)
        {
            await Task.Delay(FailedAttemptVisibility + TimeSpan.FromMilliseconds(500));
        }

        var messages = (await queue.PeekMessagesAsync(32)).Value;
        return [.. messages.Select(m => (JsonSerializer.Deserialize<IngestionMessage>(m.MessageText, JourneyJson.Options)!, m.MessageText))];
    }

    /// <summary>
    /// Plays the queue trigger for everything queued now: handle, then delete; a message whose attempt failed stays, to
    /// be visible again after <see cref="FailedAttemptVisibility"/>. Returns how many messages it processed.
    /// </summary>
    private async Task<int> ProcessQueuedAsync(IServiceProvider services)
    {
        var queue = azurite.Queue(StorageNames.IngestQueue);
        var handler = services.GetRequiredService<QueueMessageHandler>();
        var processed = 0;
        foreach (var message in (await queue.ReceiveMessagesAsync(32, FailedAttemptVisibility)).Value)
        {
            try
            {
                await handler.HandleAsync(message.MessageText, message.DequeueCount, default);
            }
            catch (IOException)
            {
                continue;
            }

            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            processed++;
        }

        return processed;
    }

    /// <summary>A message as the ack path queues a small body: the bytes inside, under the reference the archive derives.</summary>
    private static IngestionMessage Carrying(IRawArchive archive, byte[] body)
    {
        var properties = new Dictionary<string, string> { ["correlationId"] = Guid.NewGuid().ToString("N") };
        return new IngestionMessage
        {
            Source = "trustpilot",
            BlobName = archive.ReferenceFor("trustpilot", body, "application/json", properties),
            ReceivedAt = DateTimeOffset.UtcNow,
            CorrelationId = properties["correlationId"],
            Properties = properties,
            InlineBody = body,
            ContentType = "application/json",
        };
    }


    private static byte[] Review(string reviewId, string consumerId, int padding) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        events = new[]
        {
            new
            {
                eventName = "service-review-created",
                version = "1",
                eventData = new
                {
                    id = reviewId,
                    title = "Review",
                    text = new string('x', padding),
                    stars = 4,
                    createdAt = "2025-03-15T09:00:00.000Z",
                    consumer = new { id = consumerId, name = "C" },
                },
            },
        },
    });

    /// <param name="crashAfter">"enqueue" (the ack path's queue write), "load" (the processor's archive write), "reply" (only the reply is lost), or "none".</param>
    /// <param name="always">Fail every call at that point, not only the first.</param>
    private sealed class AckFaults(string crashAfter, bool always = false)
    {
        private int fired;

        public int Fired => fired;

        public bool Fire(string point) => point == crashAfter && (Interlocked.Increment(ref fired) == 1 || always);
    }

    /// <summary>The real archive, failing where <see cref="AckFaults"/> says, and recording what went through.</summary>
    private sealed class CrashingArchive(IRawArchive inner, AckFaults faults) : IRawArchive
    {
        public string ReferenceFor(string source, ReadOnlyMemory<byte> body, string contentType, IReadOnlyDictionary<string, string> properties) =>
            inner.ReferenceFor(source, body, contentType, properties);

        public Task<string> ArchiveAsync(string source, ReadOnlyMemory<byte> body, string contentType, IReadOnlyDictionary<string, string> properties, DateTimeOffset receivedAt, CancellationToken cancellationToken) =>
            inner.ArchiveAsync(source, body, contentType, properties, receivedAt, cancellationToken);

        /// <summary>The processor's archive writes and deletes that went through, in order ("archive &lt;rawRef&gt;", "delete &lt;rawRef&gt;").</summary>
        public System.Collections.Concurrent.ConcurrentQueue<string> Calls { get; } = new();

        public async Task<bool> ArchiveInlineBodyAsync(IngestionMessage message, CancellationToken cancellationToken)
        {
            if (faults.Fire("load"))
            {
                throw new IOException("simulated archive failure");
            }

            var stored = await inner.ArchiveInlineBodyAsync(message, cancellationToken);
            if (message.InlineBody is not null)
            {
                Calls.Enqueue("archive " + message.BlobName);
            }

            return stored;
        }

        public Task<RawPayload?> ReadAsync(IngestionMessage message, CancellationToken cancellationToken) => inner.ReadAsync(message, cancellationToken);

        public async Task DeleteAsync(string rawRef, CancellationToken cancellationToken)
        {
            await inner.DeleteAsync(rawRef, cancellationToken);
            Calls.Enqueue("delete " + rawRef);
        }
    }

    private sealed class CrashingQueue(IIngestionQueue inner, AckFaults faults) : IIngestionQueue
    {
        public bool CanCarry(IngestionMessage message) => inner.CanCarry(message);

        public async Task EnqueueAsync(IngestionMessage message, CancellationToken cancellationToken)
        {
            if (faults.Fire("enqueue"))
            {
                throw new IOException("simulated queue failure");
            }

            await inner.EnqueueAsync(message, cancellationToken);
        }
    }

    private sealed class UnavailablePublisher : ITouchpointPublisher
    {
        public Task PublishAsync(IReadOnlyList<Touchpoint> touchpoints, CancellationToken cancellationToken) => throw new IOException("topic unavailable");
    }
}
