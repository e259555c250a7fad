using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using JourneyHub.Azure.Pull;
using JourneyHub.Azure.Storage;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Schema;
using JourneyHub.IntegrationTests.Infrastructure;

namespace JourneyHub.IntegrationTests.DeadLetters;

/// <summary>
/// What the Functions host moves to a poison queue after the last failed attempt (here put there as the host would)
/// shows up in GET /api/admin/dead-letters with its reason and comes back with POST /api/admin/replay, on Azurite.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PoisonQueueTests(AzuriteFixture azurite) : LocalHostTests(azurite)
{
    private const string HubSpotSecret = "7d1e3a9c-2b4f-4c8d-9e6a-5f0b1c2d3e4f";
    private const string AdminKey = "admin-key-for-poison-tests";
    private const string ReadKey = "read-key-for-poison-tests";
    private const string SuppressionKey = "poison-queue-tests-suppression-key-0123456789";

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Sources__HubSpot__ClientSecret"] = HubSpotSecret,
        ["LocalHost__FunctionKeys__read-api"] = ReadKey,
        ["LocalHost__AdminKey"] = AdminKey,
        ["Privacy__SuppressionKey"] = SuppressionKey,
    };

    [Fact]
    public async Task An_ingestion_message_that_timed_out_on_its_last_attempt_is_listed_and_replayed_onto_the_timeline()
    {
        var contact = HubSpotEvents.NewId();

        // An archived payload: sent signed but broken (so it is archived and dead-lettered), then "fixed" in the archive.
        var broken = Encoding.UTF8.GetBytes("[{\"eventId\": 7, \"objectId\": " + contact.ToString(CultureInfo.InvariantCulture));
        using (var response = await Host.Client.SendAsync(SignedRequests.HubSpot(new Uri(Host.BaseAddress, "/api/webhooks/hubspot"), broken, HubSpotSecret)))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        var parseFailure = await LocalHostProcess.EventuallyAsync(() => OursAsync(broken), d => d is not null);
        var rawRef = parseFailure!.BlobName;
        await Azurite.ReplaceRawPayloadAsync(rawRef, HubSpotEvents.Batch(HubSpotEvents.ContactCreated(contact, DateTimeOffset.UtcNow.AddMinutes(-1))));

        // The host's move to the poison queue after a last attempt that timed out: the message as it was queued.
        var correlationId = "poison-" + Guid.NewGuid().ToString("N");
        var message = new IngestionMessage { Source = "hubspot", BlobName = rawRef, ReceivedAt = DateTimeOffset.UtcNow.AddMinutes(-2), CorrelationId = correlationId };
        await Azurite.Queue(StorageNames.IngestPoisonQueue).SendMessageAsync(JsonSerializer.Serialize(message, JourneyJson.Options));

        var listed = await LocalHostProcess.EventuallyAsync(() => ListAsync("source=hubspot&limit=500"), l => l.Any(d => d.CorrelationId == correlationId));
        var poisoned = listed.Single(d => d.CorrelationId == correlationId);
        Assert.Equal(rawRef, poisoned.BlobName);
        Assert.Contains("journey-ingest-poison", poisoned.Reason, StringComparison.Ordinal);
        Assert.Contains("timed out", poisoned.Reason, StringComparison.Ordinal);
        Assert.NotEqual(parseFailure.Id, poisoned.Id);
        await LocalHostProcess.EventuallyAsync(async () => (await Azurite.Queue(StorageNames.IngestPoisonQueue).PeekMessagesAsync(32)).Value.Length, n => n == 0);

        var replay = await ReplayAsync(new { ids = new[] { poisoned.Id } });
        Assert.Equal(1, replay.GetProperty("queued").GetInt32());
        Assert.Equal(rawRef, replay.GetProperty("payloads")[0].GetProperty("blobName").GetString());

        var customerId = await LocalHostProcess.EventuallyAsync(() => Api.TryCustomerIdAsync($"hubspot:{contact}"), c => c is not null);
        var rows = await LocalHostProcess.EventuallyAsync(() => RowsAsync(customerId!), n => n == 1);
        Assert.Equal(1, rows);
        var after = await LocalHostProcess.EventuallyAsync(() => ListAsync("source=hubspot&limit=500"), l => l.All(d => d.BlobName != rawRef));
        Assert.DoesNotContain(after, d => d.Id == poisoned.Id);
    }

    /// <summary>
    /// A message that carried its bytes and failed every attempt before the processor archived them: the local host's
    /// poison queue listener (the same recorder as in Azure) archives the bytes under the message's reference before it
    /// records the dead letter, so the listed reference exists and its replay stores the touchpoint.
    /// </summary>
    [Fact]
    public async Task A_poisoned_message_that_carries_its_bytes_is_archived_by_the_recorder_and_replayed_onto_the_timeline()
    {
        var contact = HubSpotEvents.NewId();
        var body = HubSpotEvents.Batch(HubSpotEvents.ContactCreated(contact, DateTimeOffset.UtcNow.AddMinutes(-1)));
        var correlationId = "poison-inline-" + Guid.NewGuid().ToString("N");
        var properties = new Dictionary<string, string> { ["correlationId"] = correlationId };
        var rawRef = Azurite.RawArchive.ReferenceFor("hubspot", body, "application/json", properties);
        var message = new IngestionMessage { Source = "hubspot", BlobName = rawRef, ReceivedAt = DateTimeOffset.UtcNow.AddMinutes(-2), CorrelationId = correlationId, Properties = properties, InlineBody = body, ContentType = "application/json" };
        Assert.Null(await Azurite.RawPayloadAsync(rawRef));

        await Azurite.Queue(StorageNames.IngestPoisonQueue).SendMessageAsync(JsonSerializer.Serialize(message, JourneyJson.Options));

        var listed = await LocalHostProcess.EventuallyAsync(() => ListAsync("source=hubspot&limit=500"), l => l.Any(d => d.CorrelationId == correlationId));
        var poisoned = listed.Single(d => d.CorrelationId == correlationId);
        Assert.Equal(rawRef, poisoned.BlobName);
        Assert.Equal(body, await Azurite.RawPayloadAsync(rawRef));

        var replay = await ReplayAsync(new { ids = new[] { poisoned.Id } });
        Assert.Equal(1, replay.GetProperty("queued").GetInt32());
        var customerId = await LocalHostProcess.EventuallyAsync(() => Api.TryCustomerIdAsync($"hubspot:{contact}"), c => c is not null);
        Assert.Equal(1, await LocalHostProcess.EventuallyAsync(() => RowsAsync(customerId!), n => n == 1));
        Assert.DoesNotContain(await LocalHostProcess.EventuallyAsync(() => ListAsync("source=hubspot&limit=500"), l => l.All(d => d.BlobName != rawRef)), d => d.BlobName == rawRef);
    }

    /// <summary>
    /// A person's later deliveries that failed every attempt (one carrying its bytes, one archived before it was queued,
    /// one a batch whose other event fails the whole array), while their customer exists from an earlier delivery: the
    /// recorder's dead letters carry the payloads' people (as keyed hashes), so <c>DELETE /api/customers/{id}</c> finds
    /// them: afterwards neither the dead letters nor the archived bytes of their own deliveries remain, and the batches
    /// they shared with another person (the poisoned one, and one the processor itself dead-lettered because the other
    /// event fails the whole array) are redacted copies without their event, whose dead letters stay for the other person.
    /// </summary>
    [Fact]
    public async Task Erasing_a_person_erases_the_dead_letters_and_archived_bytes_of_their_poisoned_deliveries()
    {
        var contact = HubSpotEvents.NewId();
        var at = DateTimeOffset.UtcNow.AddMinutes(-10);
        using (var response = await Host.Client.SendAsync(SignedRequests.HubSpot(Url("/api/webhooks/hubspot"), HubSpotEvents.Batch(HubSpotEvents.ContactCreated(contact, at)), HubSpotSecret)))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        var customerId = await Api.CustomerIdAsync($"hubspot:{contact}");

        // Another person's event whose time is not a number: read whole, the batch is not an array of HubSpot events.
        var other = HubSpotEvents.NewId();
        var wrongType = HubSpotEvents.ContactCreated(other, at);
        wrongType["occurredAt"] = "yesterday";
        var carried = Poisoned(HubSpotEvents.Batch(HubSpotEvents.PropertyChange(contact, "lifecyclestage", "lead", at.AddMinutes(1))), inline: true);
        var archived = Poisoned(HubSpotEvents.Batch(HubSpotEvents.PropertyChange(contact, "lifecyclestage", "customer", at.AddMinutes(2))), inline: false);
        var partial = Poisoned(HubSpotEvents.Batch(HubSpotEvents.PropertyChange(contact, "lifecyclestage", "evangelist", at.AddMinutes(3)), wrongType), inline: true);
        await Azurite.RawArchive.ArchiveAsync("hubspot", archived.Body, "application/json", archived.Message.Properties, archived.Message.ReceivedAt, default);
        foreach (var poisoned in new[] { carried, archived, partial })
        {
            await Azurite.Queue(StorageNames.IngestPoisonQueue).SendMessageAsync(JsonSerializer.Serialize(poisoned.Message, JourneyJson.Options));
        }

        var processed = HubSpotEvents.Batch(HubSpotEvents.PropertyChange(contact, "lifecyclestage", "other", at.AddMinutes(4)), wrongType);
        using (var response = await Host.Client.SendAsync(SignedRequests.HubSpot(Url("/api/webhooks/hubspot"), processed, HubSpotSecret)))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        var ours = new[] { carried.Message.CorrelationId, archived.Message.CorrelationId, partial.Message.CorrelationId };
        var listed = (await LocalHostProcess.EventuallyAsync(() => ListAsync("source=hubspot&limit=500"), l => ours.All(c => l.Any(d => d.CorrelationId == c))))
            .Where(d => ours.Contains(d.CorrelationId))
            .ToList();
        Assert.Equal(3, listed.Count);
        Assert.All(listed, d => Assert.Contains("journey-ingest-poison", d.Reason, StringComparison.Ordinal));
        Assert.All(listed, d => Assert.DoesNotContain("person is unknown", d.Reason, StringComparison.Ordinal));
        Assert.Equal(carried.Body, await Azurite.RawPayloadAsync(carried.Message.BlobName));
        Assert.Equal(archived.Body, await Azurite.RawPayloadAsync(archived.Message.BlobName));
        Assert.Equal(partial.Body, await Azurite.RawPayloadAsync(partial.Message.BlobName));
        var rejected = await LocalHostProcess.EventuallyAsync(() => OursAsync(processed), d => d is not null);
        Assert.Contains("not a JSON array of events", rejected!.Reason, StringComparison.Ordinal);

        using (var delete = await AdminAsync(HttpMethod.Delete, $"/api/customers/{customerId}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        await LocalHostProcess.EventuallyAsync(
            async () =>
            {
                using var response = await AdminAsync(HttpMethod.Get, $"/api/customers/{customerId}/erasure");
                return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString();
            },
            s => s == "completed");

        var after = await ListAsync("source=hubspot&limit=500");
        foreach (var own in new[] { carried, archived })
        {
            Assert.DoesNotContain(after, d => d.CorrelationId == own.Message.CorrelationId || d.BlobName == own.Message.BlobName);
            Assert.Null(await Azurite.RawPayloadAsync(own.Message.BlobName));
        }

        foreach (var (shared, deadLetterId) in new[] { (partial.Message.BlobName, listed.Single(d => d.CorrelationId == partial.Message.CorrelationId).Id), (rejected.BlobName, rejected.Id) })
        {
            var copy = Encoding.UTF8.GetString((await Azurite.RawPayloadAsync(shared))!);
            Assert.DoesNotContain(contact.ToString(CultureInfo.InvariantCulture), copy, StringComparison.Ordinal);
            Assert.Contains(other.ToString(CultureInfo.InvariantCulture), copy, StringComparison.Ordinal);
            Assert.Contains(after, d => d.Id == deadLetterId);
        }
    }

    /// <summary>
    /// The erasure searched the person index before this dead letter existed: the recorder, which checks its people after
    /// writing it, finds the suppression and queues the payload's redaction, so neither the person's bytes nor their index
    /// row stay behind until retention.
    /// </summary>
    [Fact]
    public async Task A_poisoned_delivery_recorded_after_its_person_was_erased_keeps_neither_their_bytes_nor_their_person_index()
    {
        var contact = HubSpotEvents.NewId();
        var at = DateTimeOffset.UtcNow.AddMinutes(-10);
        using (var response = await Host.Client.SendAsync(SignedRequests.HubSpot(Url("/api/webhooks/hubspot"), HubSpotEvents.Batch(HubSpotEvents.ContactCreated(contact, at)), HubSpotSecret)))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        var customerId = await Api.CustomerIdAsync($"hubspot:{contact}");
        using (var delete = await AdminAsync(HttpMethod.Delete, $"/api/customers/{customerId}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        Assert.Equal("completed", await LocalHostProcess.EventuallyAsync(
            async () =>
            {
                using var response = await AdminAsync(HttpMethod.Get, $"/api/customers/{customerId}/erasure");
                return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString();
            },
            s => s == "completed"));

        var carried = Poisoned(HubSpotEvents.Batch(HubSpotEvents.PropertyChange(contact, "lifecyclestage", "lead", at.AddMinutes(1))), inline: true);
        await Azurite.Queue(StorageNames.IngestPoisonQueue).SendMessageAsync(JsonSerializer.Serialize(carried.Message, JourneyJson.Options));
        Assert.Equal(0, await LocalHostProcess.EventuallyAsync(async () => (await Azurite.Queue(StorageNames.IngestPoisonQueue).GetPropertiesAsync()).Value.ApproximateMessagesCount, n => n == 0));

        // The recorder archived the bytes and wrote the dead letter with its person index; the queued redaction takes them away.
        var personKey = new IdentityKeys(SuppressionKey).Hash(new Identity("hubspot", contact.ToString(CultureInfo.InvariantCulture)));
        var left = await LocalHostProcess.EventuallyAsync(
            async () => (Bytes: await Azurite.RawPayloadAsync(carried.Message.BlobName), Index: await IndexRowsAsync(personKey)),
            l => l.Bytes is null && l.Index.Count == 0);
        Assert.Null(left.Bytes);
        Assert.Empty(left.Index);
        Assert.DoesNotContain(await ListAsync("source=hubspot&limit=500"), d => d.CorrelationId == carried.Message.CorrelationId || d.BlobName == carried.Message.BlobName);
    }

    /// <summary>
    /// A poisoned payload the adapter cannot read names no one: it is still listed, its reason says its person is unknown,
    /// its bytes are archived, and replay takes it back (where the processor dead-letters it with the parse failure).
    /// </summary>
    [Fact]
    public async Task A_poisoned_payload_that_cannot_be_normalized_is_listed_with_its_person_unknown_and_replayable()
    {
        var broken = Encoding.UTF8.GetBytes("[{\"eventId\": 8, \"objectId\": " + HubSpotEvents.NewId().ToString(CultureInfo.InvariantCulture));
        var poisoned = Poisoned(broken, inline: true);
        await Azurite.Queue(StorageNames.IngestPoisonQueue).SendMessageAsync(JsonSerializer.Serialize(poisoned.Message, JourneyJson.Options));

        var listed = await LocalHostProcess.EventuallyAsync(() => ListAsync("source=hubspot&limit=500"), l => l.Any(d => d.CorrelationId == poisoned.Message.CorrelationId));
        var deadLetter = listed.Single(d => d.CorrelationId == poisoned.Message.CorrelationId);
        Assert.Equal(poisoned.Message.BlobName, deadLetter.BlobName);
        Assert.Contains("person is unknown (HubSpot payload is not a JSON array of events", deadLetter.Reason, StringComparison.Ordinal);
        Assert.Equal(broken, await Azurite.RawPayloadAsync(deadLetter.BlobName));

        var replay = await ReplayAsync(new { ids = new[] { deadLetter.Id } });
        Assert.Equal(1, replay.GetProperty("queued").GetInt32());
        Assert.Equal(deadLetter.BlobName, replay.GetProperty("payloads")[0].GetProperty("blobName").GetString());

        // The replay ran: the poison dead letter gave way to the processor's own, with the parse failure, for the same bytes.
        var rerun = await LocalHostProcess.EventuallyAsync(
            () => ListAsync("source=hubspot&limit=500"),
            l => l.All(d => d.Id != deadLetter.Id) && l.Any(d => d.BlobName == deadLetter.BlobName));
        Assert.Contains("not a JSON array of events", rerun.Single(d => d.BlobName == deadLetter.BlobName).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_poisoned_backfill_message_is_listed_with_its_text_and_replay_sends_it_back_to_its_queue()
    {
        var marker = Guid.NewGuid().ToString("N");
        var text = JsonSerializer.Serialize(new { source = "no-such-source", from = "2026-01-01T00:00:00Z", to = "2026-01-02T00:00:00Z", marker });
        await Azurite.Queue(PullStorageNames.BackfillPoisonQueue).CreateIfNotExistsAsync();
        await Azurite.Queue(PullStorageNames.BackfillPoisonQueue).SendMessageAsync(text);

        var listed = await LocalHostProcess.EventuallyAsync(() => ListAsync("source=backfill&limit=500"), l => l.Any(d => d.Reason.Contains(marker, StringComparison.Ordinal)));
        var poisoned = listed.Single(d => d.Reason.Contains(marker, StringComparison.Ordinal));
        Assert.Contains("journey-backfill-poison", poisoned.Reason, StringComparison.Ordinal);
        Assert.Equal("", poisoned.BlobName);

        var replay = await ReplayAsync(new { ids = new[] { poisoned.Id } });
        Assert.Equal(1, replay.GetProperty("queued").GetInt32());
        Assert.Empty(replay.GetProperty("notReplayable").EnumerateArray());

        // Back on journey-backfill, where RunBackfill takes it (an unknown source is acknowledged and dropped), and off the list.
        await LocalHostProcess.EventuallyAsync(async () => (await Azurite.Queue(PullStorageNames.BackfillQueue).GetPropertiesAsync()).Value.ApproximateMessagesCount, n => n == 0);
        Assert.DoesNotContain(await ListAsync("source=backfill&limit=500"), d => d.Id == poisoned.Id);
    }

    /// <summary>A delivery of <paramref name="body"/> as the host moves it to the poison queue after its last failed attempt.</summary>
    /// <param name="inline">The bytes travel in the message (never archived); else the message refers to an archive entry.</param>
    private (IngestionMessage Message, byte[] Body) Poisoned(byte[] body, bool inline)
    {
        var correlationId = "poison-person-" + Guid.NewGuid().ToString("N");
        var properties = new Dictionary<string, string> { ["correlationId"] = correlationId };
        var message = new IngestionMessage
        {
            Source = "hubspot",
            BlobName = Azurite.RawArchive.ReferenceFor("hubspot", body, "application/json", properties),
            ReceivedAt = DateTimeOffset.UtcNow.AddMinutes(-2),
            CorrelationId = correlationId,
            Properties = properties,
            InlineBody = inline ? body : null,
            ContentType = inline ? "application/json" : null,
        };
        return (message, body);
    }

    private async Task<HttpResponseMessage> AdminAsync(HttpMethod method, string url)
    {
        using var request = new HttpRequestMessage(method, new Uri(url, UriKind.Relative));
        request.Headers.Add("x-functions-key", AdminKey);
        return await Host.Client.SendAsync(request);
    }

    private sealed record DeadLetterItem(string Id, string Source, string Reason, string BlobName, string CorrelationId);

    private async Task<List<DeadLetterItem>> ListAsync(string query)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/admin/dead-letters?" + query, UriKind.Relative));
        request.Headers.Add("x-functions-key", AdminKey);
        using var response = await Host.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.Content.ReadFromJsonAsync<JsonElement>();
        return page.GetProperty("items").EnumerateArray()
            .Select(d => new DeadLetterItem(
                d.GetProperty("id").GetString()!,
                d.GetProperty("source").GetString()!,
                d.GetProperty("reason").GetString()!,
                d.GetProperty("blobName").GetString() ?? "",
                d.GetProperty("correlationId").GetString() ?? ""))
            .ToList();
    }

    /// <summary>The dead letter whose archived payload is exactly <paramref name="body"/> (Azurite is shared with other tests).</summary>
    private async Task<DeadLetterItem?> OursAsync(byte[] body)
    {
        foreach (var deadLetter in await ListAsync("source=hubspot&limit=500"))
        {
            if (deadLetter.BlobName.Length > 0 && await Azurite.RawPayloadAsync(deadLetter.BlobName) is { } archived && archived.AsSpan().SequenceEqual(body))
            {
                return deadLetter;
            }
        }

        return null;
    }

    private async Task<JsonElement> ReplayAsync(object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/admin/replay", UriKind.Relative))
        {
            Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-functions-key", AdminKey);
        using var response = await Host.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The rows of the dead letters' person index under one person's keyed hash.</summary>
    private async Task<List<string>> IndexRowsAsync(string personKey)
    {
        var rows = new List<string>();
        await foreach (var row in Azurite.Table(StorageNames.DeadLetterPeopleTable).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {personKey}")))
        {
            rows.Add(row.RowKey);
        }

        return rows;
    }

    private async Task<int> RowsAsync(string customerId) => HubReadApi.Items(await Api.TimelineOfAsync(customerId, "?limit=200")).Count;
}
