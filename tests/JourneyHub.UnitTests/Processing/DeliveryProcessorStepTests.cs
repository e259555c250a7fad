using JourneyHub.Core;
using JourneyHub.Core.Admin;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Journey.Segments;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Privacy;
using JourneyHub.Core.Processing;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources;
using JourneyHub.Testing;
using JourneyHub.Testing.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace JourneyHub.UnitTests.Processing;

/// <summary>
/// The processor's steps (load → normalize → enrich → assign → write and apply → publish) with the real HubSpot adapter,
/// resolver and bounds, and in-memory or substituted ports: what each step hands the next, and what a retry, a replay,
/// an erased payload or a followed tombstone change. The same paths on Azurite: PartitionTransactionTests, PipelineStorageTests.
/// </summary>
public sealed class DeliveryProcessorStepTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2025, 6, 2, 8, 0, 0, TimeSpan.Zero);

    private readonly InMemoryRawArchive archive = new();
    private readonly IIdentityStore identities = Substitute.For<IIdentityStore>();
    private readonly ICustomerStore customers = Substitute.For<ICustomerStore>();
    private readonly ICustomerMerger merger = Substitute.For<ICustomerMerger>();
    private readonly IIdentityLinkCache links = Substitute.For<IIdentityLinkCache>();
    private readonly ITimelineStore timeline = Substitute.For<ITimelineStore>();
    private readonly IDeadLetterStore deadLetters = Substitute.For<IDeadLetterStore>();
    private readonly ITouchpointPublisher publisher = Substitute.For<ITouchpointPublisher>();
    private readonly ICustomerAggregates aggregates = Substitute.For<ICustomerAggregates>();
    private readonly IObjectStore objectStore = Substitute.For<IObjectStore>();
    private readonly ITouchpointEnricher enricher = Substitute.For<ITouchpointEnricher>();
    private readonly IErasureQueue erasureQueue = Substitute.For<IErasureQueue>();
    private readonly IIdentityKeys identityKeys = Substitute.For<IIdentityKeys>();
    private readonly List<(string CustomerId, IReadOnlyList<Touchpoint> Touchpoints, AppendOptions Options)> appended = [];
    private ServiceProvider? services;

    public DeliveryProcessorStepTests()
    {
        identities.LookupAsync(Arg.Any<Identity>(), Arg.Any<CancellationToken>()).Returns(new IdentityLookup(null, IsSuppressed: false));
        identities.ClaimAsync(Arg.Any<Identity>(), Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(call => new IdentityClaim(call.Arg<string>()));
        customers.GetAsync(Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns((CustomerRecord?)null);
        enricher.Source.Returns(SourceId.HubSpot);
        identityKeys.Hash(Arg.Any<Identity>()).Returns(call => "key-of-" + call.Arg<Identity>().Type + "-" + call.Arg<Identity>().Value.Length);
        enricher.EnrichAsync(Arg.Any<IReadOnlyList<Touchpoint>>(), Arg.Any<CancellationToken>()).Returns(call => call.Arg<IReadOnlyList<Touchpoint>>());

        // Every row new unless a test says otherwise; the calls are recorded because the processor's lists are its own.
        timeline.AppendAsync(Arg.Any<string>(), Arg.Any<IReadOnlyList<Touchpoint>>(), Arg.Any<AppendOptions>(), Arg.Any<CancellationToken>())
            .Returns(call =>
            {
                var (customerId, touchpoints, options) = (call.ArgAt<string>(0), call.ArgAt<IReadOnlyList<Touchpoint>>(1), call.ArgAt<AppendOptions>(2));
                appended.Add((customerId, touchpoints, options));
                return new AppendResult { CustomerId = customerId, Inserted = touchpoints };
            });

        // Rows found stored hold the payload they were given (a redelivery of the same bytes), unless a test says otherwise.
        timeline.StoredRawRefsAsync(Arg.Any<string>(), Arg.Any<IReadOnlyList<Touchpoint>>(), Arg.Any<CancellationToken>())
            .Returns(call => (IReadOnlySet<string>?)call.Arg<IReadOnlyList<Touchpoint>>().Select(t => t.RawRef).ToHashSet(StringComparer.Ordinal));
    }

    public void Dispose() => services?.Dispose();

    [Fact]
    public async Task A_batch_is_normalized_stamped_assigned_to_one_customer_written_once_and_published()
    {
        var contact = HubSpotEvents.NewId();
        var message = await ArchiveAsync(
            HubSpotEvents.ContactCreated(contact, At),
            HubSpotEvents.PropertyChange(contact, "lifecyclestage", "lead", At.AddMinutes(5)));

        var report = await Processor().ProcessAsync(message, attempt: 1, isLastAttempt: false, default);

        var (customerId, touchpoints, options) = Assert.Single(appended);
        Assert.StartsWith("cus_", customerId, StringComparison.Ordinal);
        Assert.Equal(2, touchpoints.Count);
        Assert.All(touchpoints, t =>
        {
            Assert.Equal(customerId, t.CustomerId);
            Assert.Equal(message.BlobName, t.RawRef);
            Assert.Equal(message.ReceivedAt, t.ReceivedAt);
            Assert.Equal(message.CorrelationId, t.Attributes["correlationId"]);
        });
        Assert.Contains(new Identity("hubspot", contact.ToString(System.Globalization.CultureInfo.InvariantCulture)), options.Identities);
        Assert.False(options.RowsMayExist);
        await publisher.Received(1).PublishAsync(Arg.Is<IReadOnlyList<Touchpoint>>(l => l.Count == 2), Arg.Any<CancellationToken>());
        await aggregates.Received(1).ApplyAsync(customerId, Arg.Any<JourneyState?>(), Arg.Any<JourneyState>(), Arg.Any<IReadOnlyList<Touchpoint>>(), Arg.Any<CancellationToken>());
        Assert.Equal((2, 0, 2, 0), (report.Inserted, report.Duplicates, report.Stored, report.DeadLettered));

        // One resolution for the two events of one person: the second costs no lookup of its own.
        await identities.Received(1).LookupAsync(Arg.Any<Identity>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_rejected_entry_becomes_a_dead_letter_with_its_index_and_the_other_entries_are_still_stored()
    {
        var contact = HubSpotEvents.NewId();
        var unknown = HubSpotEvents.ContactCreated(contact, At);
        unknown["subscriptionType"] = "contact.teleported";
        var message = await ArchiveAsync(HubSpotEvents.ContactCreated(contact, At), unknown);

        var report = await Processor().ProcessAsync(message, 1, false, default);

        await deadLetters.Received(1).AddAsync(
            Arg.Is<DeadLetter>(d => d.Id == DeadLetterIds.ForRejectedEntry(message.BlobName, 1) && d.EntryIndex == 1 && d.Reason.Contains("contact.teleported") && d.BlobName == message.BlobName),
            Arg.Any<CancellationToken>());
        Assert.Single(Assert.Single(appended).Touchpoints);
        Assert.Equal((1, 1), (report.Inserted, report.Rejected));
    }

    /// <summary>The normalize step (PayloadNormalizer, which the poison recorder runs too): a batch the adapter cannot read whole is one dead letter that names the people of the events it reads alone, so erasing one of them finds it.</summary>
    [Fact]
    public async Task A_batch_whose_one_event_fails_the_whole_array_is_dead_lettered_with_the_people_of_the_events_read_alone()
    {
        var (first, broken) = (HubSpotEvents.NewId(), HubSpotEvents.NewId());
        var wrongType = HubSpotEvents.ContactCreated(broken, At);
        wrongType["occurredAt"] = "yesterday";
        var message = await ArchiveAsync(HubSpotEvents.ContactCreated(first, At), wrongType);

        var report = await Processor().ProcessAsync(message, 1, false, default);

        var person = new Identity("hubspot", first.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await deadLetters.Received(1).AddAsync(
            Arg.Is<DeadLetter>(d => d.Id == DeadLetterIds.ForPayload(message.BlobName) && d.EntryIndex == null && d.Reason.Contains("not a JSON array") && d.Identities.SequenceEqual(new[] { person })),
            Arg.Any<CancellationToken>());
        Assert.Empty(appended);
        Assert.Equal((0, 1), (report.Inserted, report.Rejected));
    }

    [Fact]
    public async Task A_failing_enricher_holds_the_events_back_until_the_last_attempt_which_stores_what_the_payload_says()
    {
        enricher.EnrichAsync(Arg.Any<IReadOnlyList<Touchpoint>>(), Arg.Any<CancellationToken>()).ThrowsAsync(new HttpRequestException("HubSpot is down"));
        var message = await ArchiveAsync(HubSpotEvents.ContactCreated(HubSpotEvents.NewId(), At));

        await Assert.ThrowsAsync<HttpRequestException>(() => Processor().ProcessAsync(message, 1, isLastAttempt: false, default));
        Assert.Empty(appended);
        await publisher.DidNotReceiveWithAnyArgs().PublishAsync(default!, default);

        var last = await Processor().ProcessAsync(message, 5, isLastAttempt: true, default);

        Assert.Equal(1, last.Inserted);
        Assert.Single(appended);
        await deadLetters.DidNotReceiveWithAnyArgs().AddAsync(default!, default);
    }

    [Fact]
    public async Task What_the_enricher_adds_is_bounded_like_what_the_payload_said()
    {
        enricher.EnrichAsync(Arg.Any<IReadOnlyList<Touchpoint>>(), Arg.Any<CancellationToken>())
            .Returns(call => call.Arg<IReadOnlyList<Touchpoint>>().Select(t => t with { Action = new string('a', 5_000), Summary = new string('s', 50_000) }).ToList());
        var message = await ArchiveAsync(HubSpotEvents.ContactCreated(HubSpotEvents.NewId(), At));

        await Processor().ProcessAsync(message, 1, false, default);

        var stored = Assert.Single(Assert.Single(appended).Touchpoints);
        Assert.Equal(TouchpointBounds.MaxActionChars, stored.Action.Length);
        Assert.True(stored.Summary.Length <= TouchpointBounds.MaxSummaryChars, $"summary of {stored.Summary.Length} characters");
    }

    [Fact]
    public async Task A_touchpoint_left_without_any_identity_is_dead_lettered_as_such_and_nothing_is_written()
    {
        enricher.EnrichAsync(Arg.Any<IReadOnlyList<Touchpoint>>(), Arg.Any<CancellationToken>())
            .Returns(call => call.Arg<IReadOnlyList<Touchpoint>>().Select(t => t with { Identities = [] }).ToList());
        var message = await ArchiveAsync(HubSpotEvents.ContactCreated(HubSpotEvents.NewId(), At));

        await Processor().ProcessAsync(message, 1, false, default);

        await deadLetters.Received(1).AddAsync(
            Arg.Is<DeadLetter>(d => d.Id == DeadLetterIds.ForTouchpointWithoutIdentity(message.BlobName, 0) && d.Reason.Contains("no identity")),
            Arg.Any<CancellationToken>());
        Assert.Empty(appended);
    }

    [Fact]
    public async Task A_retry_looks_rows_up_first_and_reports_and_publishes_the_rows_it_finds_as_stored()
    {
        timeline.AppendAsync(Arg.Any<string>(), Arg.Any<IReadOnlyList<Touchpoint>>(), Arg.Any<AppendOptions>(), Arg.Any<CancellationToken>())
            .Returns(call =>
            {
                appended.Add((call.ArgAt<string>(0), call.ArgAt<IReadOnlyList<Touchpoint>>(1), call.ArgAt<AppendOptions>(2)));
                return new AppendResult { CustomerId = call.ArgAt<string>(0), Duplicates = call.ArgAt<IReadOnlyList<Touchpoint>>(1) };
            });
        var message = await ArchiveAsync(HubSpotEvents.ContactCreated(HubSpotEvents.NewId(), At));

        var first = await Processor().ProcessAsync(message, attempt: 1, isLastAttempt: false, default);
        await publisher.DidNotReceiveWithAnyArgs().PublishAsync(default!, default);

        var retry = await Processor().ProcessAsync(message, attempt: 2, isLastAttempt: false, default);

        Assert.Equal((0, 1, 0), (first.Inserted, first.Duplicates, first.Stored));
        Assert.Equal((0, 1, 1), (retry.Inserted, retry.Duplicates, retry.Stored));
        Assert.Equal([false, true], appended.Select(a => a.Options.RowsMayExist));

        // A customer minted by the first attempt needs no summary read; the retry cannot know what that attempt wrote.
        Assert.Equal([true, false], appended.Select(a => a.Options.CustomerIsNew));
        await publisher.Received(1).PublishAsync(Arg.Is<IReadOnlyList<Touchpoint>>(l => l.Count == 1), Arg.Any<CancellationToken>());

        // The attempt that crashed may have stopped before the aggregates: the retry applies them without a "before".
        await aggregates.Received(1).ApplyAsync(Arg.Any<string>(), Arg.Is<JourneyState?>(s => s == null), Arg.Any<JourneyState>(), Arg.Any<IReadOnlyList<Touchpoint>>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_replay_clears_the_payloads_dead_letters_before_it_runs_and_counts_as_a_retry()
    {
        var message = await ArchiveAsync(HubSpotEvents.ContactCreated(HubSpotEvents.NewId(), At)) with { ReplayOf = "dl-1" };

        await Processor().ProcessAsync(message, 1, false, default);

        await deadLetters.Received(1).RemoveForBlobAsync(message.BlobName, Arg.Any<CancellationToken>());
        Assert.True(Assert.Single(appended).Options.RowsMayExist);
    }

    [Fact]
    public async Task A_payload_erased_from_the_archive_is_a_dead_letter_at_once_not_a_retry()
    {
        var message = new IngestionMessage { Source = SourceId.HubSpot.Name, BlobName = "hubspot/erased", ReceivedAt = At, CorrelationId = "c-erased" };

        var report = await Processor().ProcessAsync(message, 1, isLastAttempt: false, default);

        Assert.Equal(1, report.DeadLettered);
        await deadLetters.Received(1).AddAsync(Arg.Is<DeadLetter>(d => d.Id == DeadLetterIds.ForPayload("hubspot/erased") && d.Reason.Contains("no longer exists")), Arg.Any<CancellationToken>());
        Assert.Empty(appended);
    }

    [Fact]
    public async Task Bytes_the_message_carries_are_archived_under_its_reference_before_anything_else()
    {
        var message = Carrying(HubSpotEvents.ContactCreated(HubSpotEvents.NewId(), At));
        enricher.EnrichAsync(Arg.Any<IReadOnlyList<Touchpoint>>(), Arg.Any<CancellationToken>())
            .Returns(call =>
            {
                // By the time a later step runs, the entry exists: whatever it records may point at it.
                Assert.Equal(message.InlineBody, archive.Entries[message.BlobName].Body);
                return call.Arg<IReadOnlyList<Touchpoint>>();
            });

        var report = await Processor().ProcessAsync(message, 1, false, default);

        Assert.Equal(1, report.Inserted);
        var archived = Assert.Single(archive.Entries);
        Assert.Equal((message.BlobName, "application/json", message.ReceivedAt), (archived.Key, archived.Value.ContentType, archived.Value.ReceivedAt));
        Assert.Equal(message.InlineBody, archived.Value.Body);
    }

    [Fact]
    public async Task A_failed_archive_write_is_thrown_even_on_the_last_attempt_so_the_message_and_its_bytes_go_to_the_poison_queue()
    {
        var message = Carrying(HubSpotEvents.ContactCreated(HubSpotEvents.NewId(), At));
        archive.FailWith = new IOException("table service unavailable");

        await Assert.ThrowsAsync<IOException>(() => Processor().ProcessAsync(message, 5, isLastAttempt: true, default));

        // No dead letter would point at an entry that does not exist, and nothing downstream ran.
        await deadLetters.DidNotReceiveWithAnyArgs().AddAsync(default!, default);
        await enricher.DidNotReceiveWithAnyArgs().EnrichAsync(default!, default);
        Assert.Empty(appended);
        Assert.Empty(archive.Entries);
    }

    /// <summary>
    /// A redelivery in other bytes whose events were all stored from another payload is erased once processed; its retry
    /// (the attempt before crashed after that erasure) archives the carried bytes again, so it erases them again.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_superseded_redelivery_carried_in_its_message_leaves_no_archive_entry_on_any_attempt(int attempt)
    {
        var message = Carrying(HubSpotEvents.ContactCreated(HubSpotEvents.NewId(), At));
        timeline.AppendAsync(Arg.Any<string>(), Arg.Any<IReadOnlyList<Touchpoint>>(), Arg.Any<AppendOptions>(), Arg.Any<CancellationToken>())
            .Returns(call => new AppendResult { CustomerId = call.ArgAt<string>(0), Duplicates = call.ArgAt<IReadOnlyList<Touchpoint>>(1) });
        timeline.StoredRawRefsAsync(Arg.Any<string>(), Arg.Any<IReadOnlyList<Touchpoint>>(), Arg.Any<CancellationToken>())
            .Returns((IReadOnlySet<string>?)new HashSet<string>(["table:raw-0/the-first-payload"], StringComparer.Ordinal));

        var report = await Processor().ProcessAsync(message, attempt, isLastAttempt: false, default);

        Assert.Equal(1, report.Duplicates);
        Assert.Empty(archive.Entries);
    }

    /// <summary>
    /// A resent duplicate in the same bytes finds its entry archived already: an earlier delivery of those bytes owns it, so
    /// the rows are not read to find out whether anything names it, and the entry stays.
    /// </summary>
    [Fact]
    public async Task A_redelivery_of_bytes_archived_already_costs_no_read_of_the_rows_and_keeps_the_entry()
    {
        var message = Carrying(HubSpotEvents.ContactCreated(HubSpotEvents.NewId(), At));
        await archive.ArchiveInlineBodyAsync(message, default);
        timeline.AppendAsync(Arg.Any<string>(), Arg.Any<IReadOnlyList<Touchpoint>>(), Arg.Any<AppendOptions>(), Arg.Any<CancellationToken>())
            .Returns(call => new AppendResult { CustomerId = call.ArgAt<string>(0), Duplicates = call.ArgAt<IReadOnlyList<Touchpoint>>(1) });

        var report = await Processor().ProcessAsync(message, 1, isLastAttempt: false, default);

        Assert.Equal(1, report.Duplicates);
        await timeline.DidNotReceiveWithAnyArgs().StoredRawRefsAsync(default!, default!, default);
        Assert.True(archive.Entries.ContainsKey(message.BlobName));
    }

    [Fact]
    public async Task A_payload_whose_every_event_belongs_to_an_erased_person_is_suppressed_and_its_bytes_are_erased()
    {
        identities.LookupAsync(Arg.Any<Identity>(), Arg.Any<CancellationToken>()).Returns(new IdentityLookup(null, IsSuppressed: true));
        var message = await ArchiveAsync(HubSpotEvents.ContactCreated(HubSpotEvents.NewId(), At));
        Assert.True(archive.Entries.ContainsKey(message.BlobName));

        var report = await Processor().ProcessAsync(message, 1, false, default);

        Assert.Equal((0, 1), (report.Inserted, report.Suppressed));
        Assert.Empty(appended);
        Assert.False(archive.Entries.ContainsKey(message.BlobName));
        await identities.DidNotReceiveWithAnyArgs().ClaimAsync(default!, default!, default);
    }

    [Fact]
    public async Task A_payload_mixing_an_erased_person_and_another_queues_a_redaction_naming_the_erased_person_by_keyed_hash_only()
    {
        var (frank, grace) = (HubSpotEvents.NewId(), HubSpotEvents.NewId());
        var frankId = new Identity("hubspot", frank.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var frankEmail = new Identity("email", $"frank-{frank}@example.com");
        identities.LookupAsync(Arg.Any<Identity>(), Arg.Any<CancellationToken>()).Returns(call => new IdentityLookup(null, IsSuppressed: call.Arg<Identity>() == frankId));
        var message = await ArchiveAsync(HubSpotEvents.PropertyChange(frank, "email", frankEmail.Value, At), HubSpotEvents.ContactCreated(grace, At));
        var before = archive.Entries[message.BlobName].Body.ToArray();
        identityKeys.Hash(frankId).Returns("key-of-frank");
        identityKeys.Hash(frankEmail).Returns("key-of-frank-email");
        var queued = new List<PayloadRedactionRequest>();
        await erasureQueue.EnqueueAsync(Arg.Do<PayloadRedactionRequest>(queued.Add), Arg.Any<CancellationToken>());

        var report = await Processor().ProcessAsync(message, 1, false, default);

        // Grace's event is stored; Frank's is suppressed and his entry waits for the erasure queue, named by hashes only.
        Assert.Equal((1, 1), (report.Inserted, report.Suppressed));
        Assert.Single(Assert.Single(appended).Touchpoints);
        var request = Assert.Single(queued);
        Assert.Equal(message.BlobName, request.RawRef);
        Assert.Equal(["key-of-frank", "key-of-frank-email"], request.ErasedKeys);
        Assert.Equal(before, archive.Entries[message.BlobName].Body.ToArray());
        await erasureQueue.DidNotReceiveWithAnyArgs().EnqueueAsync(default(string)!, default);
    }

    [Fact]
    public async Task A_rejected_entry_of_an_erased_person_queues_the_redaction_of_the_payload_once_its_dead_letter_is_written()
    {
        // The rejected entry is never assigned, so no suppression check meets its person; its dead letter names him.
        var (frank, grace) = (HubSpotEvents.NewId(), HubSpotEvents.NewId());
        var frankId = new Identity("hubspot", frank.ToString(System.Globalization.CultureInfo.InvariantCulture));
        identities.LookupAsync(Arg.Any<Identity>(), Arg.Any<CancellationToken>()).Returns(call => new IdentityLookup(null, IsSuppressed: call.Arg<Identity>() == frankId));
        identityKeys.Hash(frankId).Returns("key-of-frank");
        var unknownKind = HubSpotEvents.ContactCreated(frank, At);
        unknownKind["subscriptionType"] = "contact.somethingNew";
        var message = await ArchiveAsync(unknownKind, HubSpotEvents.ContactCreated(grace, At));
        var written = new List<string>();
        await deadLetters.AddAsync(Arg.Do<DeadLetter>(d => written.Add("dead letter " + string.Join(",", d.Identities))), Arg.Any<CancellationToken>());
        await erasureQueue.EnqueueAsync(Arg.Do<PayloadRedactionRequest>(r => written.Add("redaction " + string.Join(",", r.ErasedKeys))), Arg.Any<CancellationToken>());

        var report = await Processor().ProcessAsync(message, 1, false, default);

        Assert.Equal((1, 1, 0), (report.Inserted, report.Rejected, report.Suppressed));
        Assert.Equal([$"dead letter {frankId}", "redaction key-of-frank"], written);
    }

    [Fact]
    public async Task A_payload_without_erased_people_queues_no_redaction()
    {
        var message = await ArchiveAsync(HubSpotEvents.ContactCreated(HubSpotEvents.NewId(), At), HubSpotEvents.ContactCreated(HubSpotEvents.NewId(), At));

        var report = await Processor().ProcessAsync(message, 1, false, default);

        Assert.Equal((2, 0), (report.Inserted, report.Suppressed));
        await erasureQueue.DidNotReceiveWithAnyArgs().EnqueueAsync(default(PayloadRedactionRequest)!, default);
    }

    [Fact]
    public async Task Rows_that_followed_a_merge_tombstone_forget_the_cached_links_and_finish_the_merge_of_the_loser()
    {
        identities.LookupAsync(Arg.Any<Identity>(), Arg.Any<CancellationToken>()).Returns(new IdentityLookup("cus_loser", IsSuppressed: false));
        timeline.AppendAsync(Arg.Any<string>(), Arg.Any<IReadOnlyList<Touchpoint>>(), Arg.Any<AppendOptions>(), Arg.Any<CancellationToken>())
            .Returns(call => new AppendResult { CustomerId = "cus_survivor", FollowedFrom = "cus_loser", Inserted = call.ArgAt<IReadOnlyList<Touchpoint>>(1) });
        var contact = HubSpotEvents.NewId();
        var message = await ArchiveAsync(HubSpotEvents.ContactCreated(contact, At));

        var report = await Processor().ProcessAsync(message, 1, false, default);

        Assert.Equal(["cus_survivor"], report.Customers);
        links.Received(1).Forget(Arg.Is<IEnumerable<Identity>>(ids => ids.Any(i => i.Type == "hubspot")));
        await merger.Received(1).SettleAsync("cus_loser", Arg.Any<CancellationToken>());
        await aggregates.Received(1).ApplyAsync("cus_survivor", Arg.Any<JourneyState?>(), Arg.Any<JourneyState>(), Arg.Any<IReadOnlyList<Touchpoint>>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Identities_linked_while_the_customer_was_being_erased_are_suppressed_and_unlinked_when_the_write_meets_the_tombstone()
    {
        // A known customer gets a new identity; its erasure starts between the resolver's claim and the write.
        var contact = HubSpotEvents.NewId();
        var email = new Identity("email", $"jane-{contact}@example.com");
        var hubspot = new Identity("hubspot", contact.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var owners = new Dictionary<Identity, string> { [email] = "cus_erased" };
        identities.LookupAsync(Arg.Any<Identity>(), Arg.Any<CancellationToken>()).Returns(call => new IdentityLookup(owners.GetValueOrDefault(call.Arg<Identity>()), IsSuppressed: false));
        identities.ClaimAsync(Arg.Any<Identity>(), Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(call => new IdentityClaim(owners[call.Arg<Identity>()] = call.Arg<string>()));
        merger.SettleAsync("cus_erased", Arg.Any<CancellationToken>()).Returns("cus_erased");
        customers.GetAsync("cus_erased", Arg.Any<CancellationToken>()).Returns(new CustomerRecord { CustomerId = "cus_erased", CreatedAt = At, Identities = [email] });
        timeline.AppendAsync(Arg.Any<string>(), Arg.Any<IReadOnlyList<Touchpoint>>(), Arg.Any<AppendOptions>(), Arg.Any<CancellationToken>())
            .Returns(call => new AppendResult { CustomerId = call.ArgAt<string>(0), Erased = call.ArgAt<IReadOnlyList<Touchpoint>>(1) });
        var created = HubSpotEvents.PropertyChange(contact, "email", email.Value, At);
        var deal = new Identity("hubspot-deal", "d-" + contact.ToString(System.Globalization.CultureInfo.InvariantCulture));
        objectStore.ObjectsOfAsync("cus_erased", Arg.Any<CancellationToken>()).Returns([deal]);

        var report = await Processor().ProcessAsync(await ArchiveAsync(created), 1, false, default);

        Assert.Equal((0, 1), (report.Inserted, report.Suppressed));
        await objectStore.Received(1).RemoveAsync(deal, "cus_erased", Arg.Any<CancellationToken>());
        await identities.Received(1).ClaimAsync(hubspot, "cus_erased", Arg.Any<CancellationToken>());
        await identities.Received(1).SuppressAndUnlinkAsync(
            Arg.Is<IReadOnlyCollection<Identity>>(l => l.Count == 1 && l.Contains(hubspot)),
            Arg.Is<IReadOnlyCollection<string>>(ids => ids.SequenceEqual(new[] { "cus_erased" })),
            Arg.Any<CancellationToken>());
        await publisher.DidNotReceiveWithAnyArgs().PublishAsync(default!, default);
    }

    private async Task<IngestionMessage> ArchiveAsync(params Dictionary<string, object?>[] events)
    {
        var body = HubSpotEvents.Batch(events);
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        var reference = await archive.ArchiveAsync(SourceId.HubSpot.Name, body, "application/json", properties, At, default);
        return new IngestionMessage { Source = SourceId.HubSpot.Name, BlobName = reference, ReceivedAt = At.AddSeconds(1), CorrelationId = "c-" + reference[^8..], Properties = properties };
    }

    /// <summary>A message as the ack path sends a small body: the bytes inside, not archived yet.</summary>
    private IngestionMessage Carrying(params Dictionary<string, object?>[] events)
    {
        var body = HubSpotEvents.Batch(events);
        var properties = new Dictionary<string, string>(StringComparer.Ordinal) { ["correlationId"] = "c-carried" };
        var reference = archive.ReferenceFor(SourceId.HubSpot.Name, body, "application/json", properties);
        return new IngestionMessage { Source = SourceId.HubSpot.Name, BlobName = reference, ReceivedAt = At, CorrelationId = "c-carried", Properties = properties, InlineBody = body, ContentType = "application/json" };
    }

    private DeliveryProcessor Processor()
    {
        if (services is null)
        {
            var builder = HubHostBuilder.Create();
            builder.AddJourneyHubCore();
            services = builder.Services.AddSingleton(enricher).BuildServiceProvider();
        }

        var resolver = new IdentityResolver(identities, customers, merger, Substitute.For<IIdentityConflictStore>(), new IdentityGuard(new IdentityOptions()), TimeProvider.System, NullLogger<IdentityResolver>.Instance);
        var objects = new ObjectAttribution(objectStore, customers, NullLogger<ObjectAttribution>.Instance);
        var personas = Substitute.For<IOptionsMonitor<PersonaOptions>>();
        personas.CurrentValue.Returns(new PersonaOptions());
        return new DeliveryProcessor(services.GetRequiredService<SourceRegistry>(), archive, new PayloadRedactionQueue(identityKeys, erasureQueue, identities, NullLogger<PayloadRedactionQueue>.Instance), resolver, objects, merger, links, timeline, deadLetters, publisher, aggregates, new PersonaRules(personas), TimeProvider.System, NullLogger<DeliveryProcessor>.Instance);
    }
}
