using System.Globalization;
using System.Text;
using System.Text.Json;
using JourneyHub.Core.Admin;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Privacy;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Sources.HubSpot;
using JourneyHub.Testing.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace JourneyHub.UnitTests.Admin;

/// <summary>
/// The poison recorder's dead letter of an ingestion message names the people of its payload, read by the processor's
/// normalize step, so that an erasure finds it (the store keeps their keyed hashes); a payload that cannot be read or
/// normalized still becomes a dead letter, whose reason says its person is unknown. On Azurite, end to end: PoisonQueueTests.
/// </summary>
public sealed class PoisonMessageRecorderTests : IDisposable
{
    private const string WorkQueue = "journey-ingest";
    private static readonly DateTimeOffset At = new(2025, 6, 2, 8, 0, 0, TimeSpan.Zero);

    private readonly InMemoryRawArchive archive = new();
    private readonly IDeadLetterStore deadLetters = Substitute.For<IDeadLetterStore>();
    private readonly IWorkQueueSender workQueues = Substitute.For<IWorkQueueSender>();
    private readonly IIdentityStore identities = Substitute.For<IIdentityStore>();
    private readonly IErasureQueue erasureQueue = Substitute.For<IErasureQueue>();
    private readonly IIdentityKeys keys = Substitute.For<IIdentityKeys>();
    private readonly List<string> steps = [];
    private readonly FakeTimeProvider clock = new(At);
    private readonly BlockingAdapter blocking = new();
    private readonly List<DeadLetter> recorded = [];

    public PoisonMessageRecorderTests()
    {
        deadLetters.AddAsync(Arg.Do<DeadLetter>(d => { recorded.Add(d); steps.Add("dead letter " + d.BlobName); }), Arg.Any<CancellationToken>()).Returns(Task.CompletedTask);
        identities.LookupAsync(Arg.Any<Identity>(), Arg.Any<CancellationToken>()).Returns(new IdentityLookup(null, IsSuppressed: false));
        keys.Hash(Arg.Any<Identity>()).Returns(call => "key-of-" + call.Arg<Identity>().Type + ":" + call.Arg<Identity>().Value);
        erasureQueue.EnqueueAsync(Arg.Do<PayloadRedactionRequest>(r => steps.Add($"redaction {r.RawRef} {string.Join(",", r.ErasedKeys)}")), Arg.Any<CancellationToken>()).Returns(Task.CompletedTask);
    }

    public void Dispose() => blocking.Release();

    [Fact]
    public async Task A_poisoned_batch_names_the_people_of_its_touchpoints_and_of_its_rejected_entries()
    {
        var (first, second, rejected) = (HubSpotEvents.NewId(), HubSpotEvents.NewId(), HubSpotEvents.NewId());
        var unknownKind = HubSpotEvents.ContactCreated(rejected, At);
        unknownKind["subscriptionType"] = "contact.somethingNew";
        var message = Carrying(
            HubSpotEvents.ContactCreated(first, At),
            HubSpotEvents.PropertyChange(second, "email", "Ada.Poison@Example.com", At),
            unknownKind);

        await Recorder().RecordAsync(WorkQueue, null, Text(message), At, default);

        var deadLetter = Assert.Single(recorded);
        Assert.Equal(message.BlobName, deadLetter.BlobName);
        Assert.Equal(
            new[] { Contact(first), Contact(second), new Identity("email", "ada.poison@example.com"), Contact(rejected) }.OrderBy(ByText, StringComparer.Ordinal),
            deadLetter.Identities.OrderBy(ByText, StringComparer.Ordinal));
        Assert.DoesNotContain("unknown", deadLetter.Reason, StringComparison.Ordinal);
        Assert.True(archive.Entries.ContainsKey(message.BlobName), "the bytes are archived under the dead letter's reference");
    }

    [Fact]
    public async Task A_payload_archived_before_is_read_back_for_its_people()
    {
        var contact = HubSpotEvents.NewId();
        var body = HubSpotEvents.Batch(HubSpotEvents.ContactCreated(contact, At));
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        var reference = await archive.ArchiveAsync(SourceId.HubSpot.Name, body, "application/json", properties, At, default);
        var message = new IngestionMessage { Source = SourceId.HubSpot.Name, BlobName = reference, ReceivedAt = At, CorrelationId = "c-archived", Properties = properties };

        await Recorder().RecordAsync(WorkQueue, null, Text(message), At, default);

        Assert.Equal(new[] { Contact(contact) }, Assert.Single(recorded).Identities);
    }

    [Fact]
    public async Task A_payload_that_cannot_be_normalized_is_still_a_replayable_dead_letter_whose_person_is_unknown()
    {
        var contact = HubSpotEvents.NewId();
        var broken = Encoding.UTF8.GetBytes("[{\"eventId\": 7, \"objectId\": " + contact.ToString(CultureInfo.InvariantCulture));
        var message = Carrying(broken);

        await Recorder().RecordAsync(WorkQueue, null, Text(message), At, default);

        var deadLetter = Assert.Single(recorded);
        Assert.Empty(deadLetter.Identities);
        Assert.Equal(message.BlobName, deadLetter.BlobName);
        Assert.Contains("person is unknown (HubSpot payload is not a JSON array of events", deadLetter.Reason, StringComparison.Ordinal);
        Assert.Equal(broken, archive.Entries[message.BlobName].Body);
    }

    [Fact]
    public async Task An_adapter_that_throws_on_the_payload_leaves_a_dead_letter_whose_person_is_unknown()
    {
        var message = Carrying(Encoding.UTF8.GetBytes("{\"form_response\":{}}")) with { Source = SourceId.Typeform.Name };

        await Recorder().RecordAsync(WorkQueue, null, Text(message), At, default);

        var deadLetter = Assert.Single(recorded);
        Assert.Empty(deadLetter.Identities);
        Assert.Contains("person is unknown (The typeform payload could not be parsed: entry 3 is not what the adapter expected)", deadLetter.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_batch_whose_one_event_fails_the_whole_array_names_the_people_of_the_events_read_alone()
    {
        var (first, second, broken) = (HubSpotEvents.NewId(), HubSpotEvents.NewId(), HubSpotEvents.NewId());
        var wrongType = HubSpotEvents.ContactCreated(broken, At);
        wrongType["occurredAt"] = "yesterday";
        var message = Carrying(HubSpotEvents.ContactCreated(first, At), wrongType, HubSpotEvents.PropertyChange(second, "lifecyclestage", "lead", At));

        await Recorder().RecordAsync(WorkQueue, null, Text(message), At, default);

        var deadLetter = Assert.Single(recorded);
        Assert.Equal(new[] { Contact(first), Contact(second) }.OrderBy(ByText, StringComparer.Ordinal), deadLetter.Identities.OrderBy(ByText, StringComparer.Ordinal));
        Assert.DoesNotContain("unknown", deadLetter.Reason, StringComparison.Ordinal);
        Assert.Contains("Read whole, the payload fails (HubSpot payload is not a JSON array of events", deadLetter.Reason, StringComparison.Ordinal);
        Assert.EndsWith("its people were read entry by entry.", deadLetter.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_adapter_that_throws_on_one_event_of_a_batch_leaves_a_dead_letter_naming_the_people_of_the_others()
    {
        var (first, second) = (HubSpotEvents.NewId(), HubSpotEvents.NewId());
        var message = Carrying(HubSpotEvents.ContactCreated(first, At), HubSpotEvents.PropertyChange(second, "boom", "x", At));

        await Recorder(sources: new SourceRegistry([new ThrowingOnBoom()], [], [], [])).RecordAsync(WorkQueue, null, Text(message), At, default);

        var deadLetter = Assert.Single(recorded);
        Assert.Equal(new[] { Contact(first) }, deadLetter.Identities);
        Assert.Contains("Read whole, the payload fails (The hubspot payload could not be parsed: boom)", deadLetter.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_payload_erased_before_it_was_recorded_names_no_one_and_says_so()
    {
        var message = new IngestionMessage { Source = SourceId.HubSpot.Name, BlobName = "hubspot/erased", ReceivedAt = At, CorrelationId = "c-erased" };

        await Recorder().RecordAsync(WorkQueue, null, Text(message), At, default);

        var deadLetter = Assert.Single(recorded);
        Assert.Empty(deadLetter.Identities);
        Assert.Contains("person is unknown (its archived payload no longer exists)", deadLetter.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_source_without_an_adapter_names_no_one_and_says_so()
    {
        var message = Carrying(HubSpotEvents.Batch(HubSpotEvents.ContactCreated(HubSpotEvents.NewId(), At))) with { Source = "zendesk" };

        await Recorder().RecordAsync(WorkQueue, null, Text(message), At, default);

        Assert.Contains("person is unknown (No source adapter for 'zendesk'.)", Assert.Single(recorded).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Normalizing_that_outlasts_its_budget_is_given_up_and_the_dead_letter_is_recorded_without_a_person()
    {
        var message = Carrying(Encoding.UTF8.GetBytes("{\"id\":\"order-1\"}")) with { Source = blocking.Source.Name };

        var recording = Recorder().RecordAsync(WorkQueue, null, Text(message), At, default);
        Assert.True(await blocking.Started.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.False(recording.IsCompleted);
        clock.Advance(PoisonMessageRecorder.NormalizeBudget);
        await recording.WaitAsync(TimeSpan.FromSeconds(30));

        var deadLetter = Assert.Single(recorded);
        Assert.Empty(deadLetter.Identities);
        Assert.Contains("person is unknown (normalizing the payload took longer than 10 s)", deadLetter.Reason, StringComparison.Ordinal);
        Assert.True(archive.Entries.ContainsKey(message.BlobName));
    }

    [Fact]
    public async Task A_second_recording_while_a_normalization_still_runs_starts_no_other_and_names_no_one()
    {
        var recorder = Recorder();
        var first = Carrying(Encoding.UTF8.GetBytes("{\"id\":\"order-1\"}")) with { Source = blocking.Source.Name };
        var recording = recorder.RecordAsync(WorkQueue, null, Text(first), At, default);
        Assert.True(await blocking.Started.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        clock.Advance(PoisonMessageRecorder.NormalizeBudget);
        await recording.WaitAsync(TimeSpan.FromSeconds(30));

        // The same pathological payload again (the host redelivers it): the first run still blocks a pool thread.
        await recorder.RecordAsync(WorkQueue, null, Text(first with { CorrelationId = "c-again" }), At, default).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, blocking.Entered);
        Assert.Equal(2, recorded.Count);
        Assert.Empty(recorded[1].Identities);
        Assert.Contains("person is unknown (an earlier normalization is still running)", recorded[1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_poisoned_delivery_naming_an_erased_person_queues_the_redaction_of_its_payload_after_its_dead_letter_is_written()
    {
        // The erasure ran before the recording (or searched the person index before the dead letter existed).
        var (erased, other) = (HubSpotEvents.NewId(), HubSpotEvents.NewId());
        identities.LookupAsync(Contact(erased), Arg.Any<CancellationToken>()).Returns(new IdentityLookup(null, IsSuppressed: true));
        var message = Carrying(HubSpotEvents.ContactCreated(erased, At), HubSpotEvents.ContactCreated(other, At));

        await Recorder().RecordAsync(WorkQueue, null, Text(message), At, default);

        Assert.Equal(new[] { Contact(erased), Contact(other) }.OrderBy(ByText, StringComparer.Ordinal), Assert.Single(recorded).Identities.OrderBy(ByText, StringComparer.Ordinal));
        Assert.Equal([$"dead letter {message.BlobName}", $"redaction {message.BlobName} key-of-{ByText(Contact(erased))}"], steps);
    }

    [Fact]
    public async Task A_person_suppressed_but_linked_again_to_a_customer_is_not_erased_from_the_dead_letter()
    {
        var contact = HubSpotEvents.NewId();
        identities.LookupAsync(Contact(contact), Arg.Any<CancellationToken>()).Returns(new IdentityLookup("cus_new", IsSuppressed: true));

        await Recorder().RecordAsync(WorkQueue, null, Text(Carrying(HubSpotEvents.ContactCreated(contact, At))), At, default);

        Assert.Single(recorded);
        await erasureQueue.DidNotReceiveWithAnyArgs().EnqueueAsync(default(PayloadRedactionRequest)!, default);
    }

    [Fact]
    public async Task A_payload_that_cannot_be_read_back_sends_the_message_back_to_its_work_queue_instead_of_recording_it_without_its_person()
    {
        var reading = Substitute.For<IRawArchive>();
        reading.ReadAsync(Arg.Any<IngestionMessage>(), Arg.Any<CancellationToken>()).Returns(Task.FromException<RawPayload?>(new IOException("storage unavailable")));
        var message = new IngestionMessage { Source = SourceId.HubSpot.Name, BlobName = "hubspot/unreadable", ReceivedAt = At, CorrelationId = "c-unreadable" };
        var text = Text(message);

        await Recorder(reading).RecordAsync(WorkQueue, null, text, At, default);

        Assert.Empty(recorded);
        await workQueues.Received(1).SendAsync(WorkQueue, text, TimeSpan.FromMinutes(1), Arg.Any<CancellationToken>());
    }

    private PoisonMessageRecorder Recorder(IRawArchive? reading = null, SourceRegistry? sources = null) => new(
        deadLetters,
        reading ?? archive,
        workQueues,
        new PayloadRedactionQueue(keys, erasureQueue, identities, NullLogger<PayloadRedactionQueue>.Instance),
        sources ?? new SourceRegistry([new HubSpotAdapter(), blocking, new ThrowingAdapter()], [], [], []),
        Options.Create(new IngestionOptions()),
        clock,
        NullLogger<PoisonMessageRecorder>.Instance);

    /// <summary>A message as the ack path sends a small body: the bytes inside, never archived (every attempt failed before).</summary>
    private IngestionMessage Carrying(params Dictionary<string, object?>[] events) => Carrying(HubSpotEvents.Batch(events));

    private IngestionMessage Carrying(byte[] body)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal) { ["correlationId"] = "c-poisoned" };
        var reference = archive.ReferenceFor(SourceId.HubSpot.Name, body, "application/json", properties);
        return new IngestionMessage { Source = SourceId.HubSpot.Name, BlobName = reference, ReceivedAt = At, CorrelationId = "c-poisoned", Properties = properties, InlineBody = body, ContentType = "application/json" };
    }

    private static string Text(IngestionMessage message) => JsonSerializer.Serialize(message, JourneyJson.Options);

    private static Identity Contact(long id) => new("hubspot", id.ToString(CultureInfo.InvariantCulture));

    private static string ByText(Identity identity) => identity.Type + ":" + identity.Value;

    /// <summary>An adapter that does not return until released: a payload whose normalizing would never end.</summary>
    private sealed class BlockingAdapter : ISourceAdapter
    {
        private volatile bool released;

        public SourceId Source => SourceId.Shopify;

        private int entered;

        public TaskCompletionSource<bool> Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Entered => Volatile.Read(ref entered);

        public NormalizationResult Normalize(RawPayload payload)
        {
            Interlocked.Increment(ref entered);
            Started.TrySetResult(true);
            while (!released)
            {
                Thread.Sleep(10);
            }

            return new NormalizationResult([], []);
        }

        public void Release() => released = true;
    }

    /// <summary>An adapter with a bug that throws instead of rejecting the entry.</summary>
    private sealed class ThrowingAdapter : ISourceAdapter
    {
        public SourceId Source => SourceId.Typeform;

        public NormalizationResult Normalize(RawPayload payload) => throw new InvalidOperationException("entry 3 is not what the adapter expected");
    }

    /// <summary>The HubSpot adapter with a bug: it throws on a batch that holds a change of the property "boom".</summary>
    private sealed class ThrowingOnBoom : ISourceAdapter
    {
        private readonly HubSpotAdapter adapter = new();

        public SourceId Source => SourceId.HubSpot;

        public NormalizationResult Normalize(RawPayload payload) =>
            payload.Body.Span.IndexOf("\"boom\""u8) >= 0 ? throw new InvalidOperationException("boom") : adapter.Normalize(payload);
    }
}
