using JourneyHub.Core.Admin;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Telemetry;
using Microsoft.Extensions.Logging;

namespace JourneyHub.Core.Processing;

/// <summary>
/// One queue message → touchpoints on customer timelines, in named steps: load (archive the bytes the message carries, then
/// read them) → normalize → enrich → assign customers → write and apply → publish. Safe to run again for the same message: a row and its effect on the journey summary are
/// one transaction, so a retry finds what an earlier attempt stored and applies nothing twice. A retry (or a replay) treats
/// rows it finds as stored: they are counted and published again, and the topic's duplicate detection drops repeats.
/// </summary>
public sealed partial class DeliveryProcessor(
    Sources.SourceRegistry sources,
    IRawArchive archive,
    Privacy.PayloadRedactionQueue redactions,
    IdentityResolver resolver,
    ObjectAttribution objects,
    ICustomerMerger merger,
    IIdentityLinkCache links,
    ITimelineStore timeline,
    IDeadLetterStore deadLetters,
    ITouchpointPublisher publisher,
    Journey.ICustomerAggregates aggregates,
    Journey.PersonaRules personas,
    TimeProvider clock,
    ILogger<DeliveryProcessor> logger)
{
    /// <param name="attempt">1 for the first delivery of the queue message.</param>
    /// <param name="isLastAttempt">After this attempt the queue gives up; failures are dead-lettered instead of thrown.</param>
    public async Task<ProcessingReport> ProcessAsync(IngestionMessage message, int attempt, bool isLastAttempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var activity = JourneyHubTelemetry.StartProcessing(message.Source, message.CorrelationId, message.Properties);
        activity?.SetTag("journeyhub.attempt", attempt);

        // Load, first part: bytes that travelled inside the message are archived before anything else, so whatever the
        // later steps leave behind (rows, dead letters, a redaction) refers to an entry that exists. Until this write has
        // succeeded the message is their only stored copy, so it stays outside the dead-letter net below: a failure is
        // thrown even on the last attempt, and the host moves the message, bytes and all, to the poison queue, whose
        // recorder archives them before it records the dead letter (PoisonMessageRecorder). Concurrent messages' writes
        // share table transactions; one already archived (a retry, a redelivery) is left as it is.
        var archivedNow = await archive.ArchiveInlineBodyAsync(message, cancellationToken);

        // Whose events the payload holds, once normalized: a failure of the whole payload is recorded with them, so erasing
        // one of those people finds it.
        var named = new HashSet<Identity>();
        try
        {
            if (message.ReplayOf is not null)
            {
                // A replay starts clean: whatever still fails is dead-lettered again below, with today's reason.
                await deadLetters.RemoveForBlobAsync(message.BlobName, cancellationToken);
            }

            return await ProcessCoreAsync(message, attempt, isLastAttempt, archivedNow, named, cancellationToken);
        }
        catch (PermanentIngestionException ex)
        {
            await DeadLetterPayloadAsync(message, ex.Message, [.. named, .. ex.Identities], cancellationToken);
            return ProcessingReport.Empty with { DeadLettered = 1 };
        }
        catch (Exception ex) when (isLastAttempt && ex is not OperationCanceledException)
        {
            LogGivingUp(ex, message.Source, message.BlobName, attempt);
            await DeadLetterPayloadAsync(message, $"Failed after {attempt} attempts: {ex.GetType().Name}: {ex.Message}", [.. named], cancellationToken);
            return ProcessingReport.Empty with { DeadLettered = 1 };
        }
    }

    /// <param name="archivedNow">This attempt stored the bytes the message carries (false: it carries none, or they were archived already).</param>
    private async Task<ProcessingReport> ProcessCoreAsync(IngestionMessage message, int attempt, bool isLastAttempt, bool archivedNow, HashSet<Identity> named, CancellationToken cancellationToken)
    {
        var raw = await LoadAsync(message, cancellationToken);
        var normalized = await NormalizeAsync(message, raw, cancellationToken);
        named.UnionWith(normalized.Identities);

        // Written before looked up, like any dead letter that names people; their redaction joins the suppressed events' below.
        var erasedInRejections = normalized.Rejected.Count > 0 ? await redactions.ErasedAmongAsync(normalized.Rejected.SelectMany(r => r.Identities), cancellationToken) : [];
        var touchpoints = await EnrichAsync(message, normalized.Touchpoints, isLastAttempt, cancellationToken);
        var assigned = await AssignCustomersAsync(message, touchpoints, cancellationToken);
        var isRetry = attempt > 1 || message.ReplayOf is not null;
        var written = await WriteAndApplyAsync(assigned.ByCustomer, isRetry, cancellationToken);
        await PublishAsync(written.Stored, cancellationToken);

        var suppressed = assigned.Suppressed + written.Erased;
        if (touchpoints.Count > 0 && suppressed == touchpoints.Count && normalized.Rejected.Count == 0)
        {
            // Every event of the payload belongs to an erased person: no row, dead letter or object history refers to
            // the bytes, so they are erased too instead of keeping the person's data in the archive. Last, so that a
            // crash before it only repeats the suppression.
            await archive.DeleteAsync(message.BlobName, cancellationToken);
            LogSuppressedPayloadErased(message.Source, message.BlobName);
        }
        else if (suppressed == 0 && normalized.Rejected.Count == 0 && await IsSupersededAsync(message, archivedNow, touchpoints, written, cancellationToken))
        {
            // A redelivery whose bytes differ from the payload its events were stored from (HubSpot counts attempts in the
            // body): no row, dead letter or object history refers to this copy, so erasure could never find it. The earlier
            // payload holds the same events. Last, for the same reason as above.
            await archive.DeleteAsync(message.BlobName, cancellationToken);
            LogSupersededPayloadErased(message.Source, message.BlobName);
        }
        else if (suppressed > 0 || erasedInRejections.Count > 0)
        {
            // Some events belong to erased people, others not: the erased people's entries leave the archived payload (a
            // redacted copy, or the whole payload for a source that cannot be redacted entry by entry), as erasure does:
            // on the erasure queue, as it normalizes every entry again, which this delivery need not wait for.
            await redactions.QueueAsync(message.BlobName, IdentityTypes.People(assigned.SuppressedPeople.Concat(written.ErasedPeople)).Concat(erasedInRejections), cancellationToken);
        }

        LogProcessed(message.Source, message.BlobName, written.Inserted, written.Duplicates, written.Stored.Count, normalized.Rejected.Count, suppressed, assigned.Parked, message.CorrelationId);
        var sourceTag = new KeyValuePair<string, object?>(JourneyHubTelemetry.SourceTag, message.Source);
        JourneyHubTelemetry.TouchpointsStored.Add(written.Inserted, sourceTag);
        JourneyHubTelemetry.DuplicatesSuppressed.Add(written.Duplicates, sourceTag);
        return new ProcessingReport(written.Inserted, written.Duplicates, normalized.Rejected.Count, suppressed, written.Customers)
        {
            Stored = written.Stored.Count,
            Parked = assigned.Parked,
        };
    }

    /// <summary>Load, second part: the exact bytes received (from the queue message itself when they travelled inline, already archived).</summary>
    private async Task<RawPayload> LoadAsync(IngestionMessage message, CancellationToken cancellationToken) =>
        await archive.ReadAsync(message, cancellationToken)
        ?? throw new PermanentIngestionException($"Archived payload '{message.BlobName}' no longer exists (erased or deleted).");

    /// <summary>
    /// Normalize: the source adapter's touchpoints, stamped with receipt and payload (<see cref="PayloadNormalizer"/>);
    /// rejected entries become dead letters. A rejected entry of an erased person is never assigned, so no suppression
    /// check meets it: the caller looks its people up once its dead letter is written (<see cref="Privacy.PayloadRedactionQueue.ErasedAmongAsync"/>).
    /// </summary>
    private async Task<NormalizationResult> NormalizeAsync(IngestionMessage message, RawPayload raw, CancellationToken cancellationToken)
    {
        var normalized = PayloadNormalizer.Normalize(sources, message, raw);
        foreach (var rejected in normalized.Rejected)
        {
            await DeadLetterAsync(message, DeadLetterIds.ForRejectedEntry(message.BlobName, rejected.EntryIndex), rejected.EntryIndex, rejected.Reason, rejected.Identities, cancellationToken);
        }

        return normalized;
    }

    /// <summary>
    /// The whole payload's dead letter, named after the people it holds; then, as for rejected entries, the redaction of
    /// erased people's entries is queued (an erasure that searched before this dead letter was written did not find it).
    /// </summary>
    private async Task DeadLetterPayloadAsync(IngestionMessage message, string reason, IReadOnlyList<Identity> people, CancellationToken cancellationToken)
    {
        await DeadLetterAsync(message, DeadLetterIds.ForPayload(message.BlobName), null, reason, people, cancellationToken);
        if (people.Count > 0)
        {
            await redactions.QueueForErasedAsync(message.BlobName, people, cancellationToken);
        }
    }

    /// <summary>Enrich: what the source's API adds; on the last attempt a failing API no longer holds the events back.</summary>
    private async Task<IReadOnlyList<Touchpoint>> EnrichAsync(IngestionMessage message, IReadOnlyList<Touchpoint> touchpoints, bool isLastAttempt, CancellationToken cancellationToken)
    {
        // The persona rules read what the payload and the source's API say (e.g. hs_persona), so they run on the result.
        // Bounds last, so that what the source's API added is bounded like what the payload said.
        return [.. (await EnrichFromSourceAsync(message, touchpoints, isLastAttempt, cancellationToken)).Select(personas.Stamp).Select(TouchpointBounds.Apply)];
    }

    private async Task<IReadOnlyList<Touchpoint>> EnrichFromSourceAsync(IngestionMessage message, IReadOnlyList<Touchpoint> touchpoints, bool isLastAttempt, CancellationToken cancellationToken)
    {
        if (touchpoints.Count == 0 || sources.Enricher(message.Source) is not { } enricher)
        {
            return touchpoints;
        }

        try
        {
            return await enricher.EnrichAsync(touchpoints, cancellationToken);
        }
        catch (Exception ex) when (isLastAttempt && ex is not OperationCanceledException)
        {
            // Enrichment adds detail; it is not worth losing the event for. Store what the payload says.
            LogEnrichmentSkipped(ex, message.Source, message.BlobName);
            return touchpoints;
        }
    }

    /// <summary>
    /// Assign customers: each touchpoint's person identities name one customer (resolved once per distinct identity set in
    /// the message); identities of erased people suppress the touchpoint. Object ids (deals, orders) never name a customer:
    /// next to a person they record the association and bring the object's history to that customer; alone they send the
    /// touchpoint to every customer associated with the object, or park it until one is (<see cref="ObjectAttribution"/>).
    /// No person and no object makes a dead letter.
    /// </summary>
    private async Task<Assigned> AssignCustomersAsync(IngestionMessage message, IReadOnlyList<Touchpoint> touchpoints, CancellationToken cancellationToken)
    {
        var byCustomer = new Dictionary<string, CustomerBatch>(StringComparer.Ordinal);
        var decided = new Dictionary<string, CustomerAssignment>(StringComparer.Ordinal);
        var suppressed = 0;
        var suppressedPeople = new HashSet<Identity>();
        var parked = 0;
        for (var index = 0; index < touchpoints.Count; index++)
        {
            var touchpoint = touchpoints[index];
            var identityKey = IdentityKey(touchpoint.Identities);
            if (!decided.TryGetValue(identityKey, out var assignment))
            {
                assignment = await resolver.AssignAsync(touchpoint.Identities, $"{touchpoint.Source} {touchpoint.Action} {touchpoint.SourceEventId}", cancellationToken);
                decided[identityKey] = assignment;
            }

            if (assignment.IsSuppressed)
            {
                suppressed++;
                suppressedPeople.UnionWith(touchpoint.Identities);
                continue;
            }

            var objectIds = ObjectAttribution.ObjectIds(touchpoint);
            if (assignment.CustomerId is { } customerId)
            {
                var batch = Batch(byCustomer, customerId);
                batch.Add(touchpoint with { CustomerId = customerId }, assignment.Linked);
                batch.IsNewCustomer |= assignment.IsNew;
                foreach (var objectId in objectIds)
                {
                    await AssociateAsync(touchpoint, objectId, customerId, byCustomer, cancellationToken);
                }

                continue;
            }

            if (objectIds.Count == 0)
            {
                await DeadLetterAsync(message, DeadLetterIds.ForTouchpointWithoutIdentity(message.BlobName, index), index, $"Touchpoint {touchpoint.SourceEventId} ({touchpoint.Action}) carries no identity that can name a customer.", touchpoint.Identities, cancellationToken);
                continue;
            }

            var people = await objects.RecordAsync(touchpoint, objectIds, cancellationToken);
            if (people.Count == 0)
            {
                parked++;
                continue;
            }

            foreach (var person in people)
            {
                Batch(byCustomer, person.CustomerId).Add(ObjectAttribution.Attribute(touchpoint, person), []);
            }
        }

        return new Assigned(byCustomer, suppressed, suppressedPeople, parked);
    }

    /// <summary>
    /// A person's touchpoint that names an object: records the association (or removes it, when the touchpoint says so)
    /// and puts the object's history, parked events included, on this customer's batch (copies already stored are found
    /// as duplicates, so an association seen again adds nothing).
    /// </summary>
    private async Task AssociateAsync(Touchpoint touchpoint, Identity objectId, string customerId, Dictionary<string, CustomerBatch> byCustomer, CancellationToken cancellationToken)
    {
        if (ObjectAttribution.RemovesAssociation(touchpoint))
        {
            await objects.DissociateAsync(objectId, customerId, cancellationToken);
            return;
        }

        var association = await objects.AssociateAsync(objectId, customerId, cancellationToken);
        foreach (var earlier in association.History)
        {
            Batch(byCustomer, customerId).AddFromHistory(ObjectAttribution.Attribute(earlier, association.Person));
        }
    }

    private static CustomerBatch Batch(Dictionary<string, CustomerBatch> byCustomer, string customerId)
    {
        if (!byCustomer.TryGetValue(customerId, out var batch))
        {
            byCustomer[customerId] = batch = new CustomerBatch();
        }

        return batch;
    }

    /// <summary>
    /// Write and apply: per customer, the new rows and the summary update in entity-group transactions; then its aggregates
    /// (segment map, funnel stages, survey answers), together, and only when one of them changes.
    /// </summary>
    private async Task<Written> WriteAndApplyAsync(Dictionary<string, CustomerBatch> byCustomer, bool isRetry, CancellationToken cancellationToken)
    {
        var written = new Written();
        foreach (var (customerId, batch) in byCustomer)
        {
            var options = new AppendOptions { Identities = [.. batch.Linked], RowsMayExist = isRetry || batch.HasHistory, CustomerIsNew = batch.IsNewCustomer && !isRetry };
            var result = await timeline.AppendAsync(customerId, batch.Touchpoints, options, cancellationToken);
            if (result.FollowedFrom is not null || result.Erased.Count > 0)
            {
                // A cached link led to a tombstone: ask the table next time, and finish the merge if it is still pending.
                links.Forget(batch.Touchpoints.SelectMany(t => t.Identities));
            }

            if (result.Erased.Count > 0)
            {
                // Identities this delivery linked, and objects it associated, while the customer's erasure ran must not
                // outlive it: the erasure may have forgotten the customer's objects before this delivery associated one.
                await resolver.UnlinkFromErasedAsync(batch.Linked, result.CustomerId, cancellationToken);
                await objects.ForgetCustomerAsync(result.CustomerId, cancellationToken);
            }

            if (result.FollowedFrom is { } mergedAway)
            {
                await merger.SettleAsync(mergedAway, cancellationToken);
            }
            else if (result.HasPendingMerges)
            {
                await merger.SettleAsync(result.CustomerId, cancellationToken);
            }

            // On a retry, rows found may have been stored by an attempt that crashed before the aggregates or the publish.
            IReadOnlyList<Touchpoint> stored = isRetry ? [.. result.Inserted, .. result.Duplicates] : result.Inserted;
            if (stored.Count > 0)
            {
                await aggregates.ApplyAsync(result.CustomerId, isRetry ? null : result.Before, result.After, stored, cancellationToken);
            }

            written.Inserted += result.Inserted.Count;
            written.DuplicateRows.AddRange(result.Duplicates);
            written.Erased += result.Erased.Count;
            written.ErasedPeople.UnionWith(result.Erased.SelectMany(t => t.Identities));
            written.Stored.AddRange(stored);
            if (!written.Customers.Contains(result.CustomerId))
            {
                written.Customers.Add(result.CustomerId);
            }
        }

        return written;
    }

    /// <summary>
    /// True when every event of the payload names a person and was already stored, each from another payload than this
    /// one. Costs one range query per customer, only for an attempt (not a replay) that stored nothing. A retry asks too:
    /// its load step archived the carried bytes again, which the attempt before may have erased just before it crashed.
    /// Not when the bytes were archived already (<paramref name="archivedNow"/> false for a message carrying them): an
    /// earlier delivery of the same bytes stored them, and its rows or dead letters name the entry, or it decides the
    /// same question itself, so a resent duplicate costs no read.
    /// </summary>
    private async Task<bool> IsSupersededAsync(IngestionMessage message, bool archivedNow, IReadOnlyList<Touchpoint> touchpoints, Written written, CancellationToken cancellationToken)
    {
        var ownsTheQuestion = message.ReplayOf is null && (archivedNow || message.InlineBody is null);
        if (!ownsTheQuestion || touchpoints.Count == 0 || written.Inserted > 0 || written.Duplicates < touchpoints.Count || !touchpoints.All(ObjectAttribution.NamesPerson))
        {
            return false;
        }

        foreach (var rows in written.DuplicateRows.GroupBy(t => t.CustomerId, StringComparer.Ordinal))
        {
            var rawRefs = await timeline.StoredRawRefsAsync(rows.Key, [.. rows], cancellationToken);
            if (rawRefs is null || rawRefs.Contains(message.BlobName))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Publish: the stored touchpoints on the journey topic (message id = touchpoint id, so repeats are dropped).</summary>
    private async Task PublishAsync(List<Touchpoint> stored, CancellationToken cancellationToken)
    {
        if (stored.Count > 0)
        {
            await publisher.PublishAsync(stored, cancellationToken);
        }
    }

    private sealed class CustomerBatch
    {
        private readonly HashSet<string> touchpointIds = new(StringComparer.Ordinal);

        public List<Touchpoint> Touchpoints { get; } = [];
        public HashSet<Identity> Linked { get; } = [];

        /// <summary>Once per touchpoint id: a deal event reaching a customer both directly and through its history in one message is one row.</summary>
        public void Add(Touchpoint touchpoint, IEnumerable<Identity> linked)
        {
            if (touchpointIds.Add(touchpoint.TouchpointId))
            {
                Touchpoints.Add(touchpoint);
            }

            Linked.UnionWith(linked);
        }

        /// <summary>An object's history brought by an association: copies this customer probably has already.</summary>
        public void AddFromHistory(Touchpoint touchpoint)
        {
            HasHistory = true;
            Add(touchpoint, []);
        }

        /// <summary>Rows probably exist: look them up in one range query rather than one insert conflict at a time.</summary>
        public bool HasHistory { get; private set; }

        /// <summary>The resolver created this customer for the delivery: its summary row does not exist yet.</summary>
        public bool IsNewCustomer { get; set; }
    }

    private sealed record Assigned(Dictionary<string, CustomerBatch> ByCustomer, int Suppressed, HashSet<Identity> SuppressedPeople, int Parked);

    private sealed class Written
    {
        public int Inserted { get; set; }
        public int Erased { get; set; }

        /// <summary>Identities of the rows dropped at an erasure tombstone: people erased while this delivery ran.</summary>
        public HashSet<Identity> ErasedPeople { get; } = [];
        public List<Touchpoint> Stored { get; } = [];

        /// <summary>The rows found stored already, as the timeline holds them (time, id and customer of the stored row).</summary>
        public List<Touchpoint> DuplicateRows { get; } = [];

        public int Duplicates => DuplicateRows.Count;
        public List<string> Customers { get; } = [];
    }

    /// <param name="identities">Whose failure it is, when known; the store keeps only their keyed hashes (found again by erasure).</param>
    private async Task DeadLetterAsync(IngestionMessage message, string id, int? entryIndex, string reason, IReadOnlyList<Identity> identities, CancellationToken cancellationToken)
    {
        LogDeadLettered(message.Source, message.BlobName, entryIndex, reason);
        JourneyHubTelemetry.DeadLetters.Add(1, new KeyValuePair<string, object?>(JourneyHubTelemetry.SourceTag, message.Source));
        await deadLetters.AddAsync(
            new DeadLetter
            {
                Id = id,
                Source = message.Source,
                BlobName = message.BlobName,
                Reason = reason.Length > 2000 ? reason[..2000] : reason,
                FailedAt = clock.GetUtcNow(),
                ReceivedAt = message.ReceivedAt,
                EntryIndex = entryIndex,
                CorrelationId = message.CorrelationId,
                Identities = identities,
            },
            cancellationToken);
    }

    private static string IdentityKey(IReadOnlyList<Identity> identities) =>
        string.Join('\n', identities.Select(i => i.Type + ":" + i.Value).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));

    [LoggerMessage(Level = LogLevel.Information, Message = "Processed {Source} {BlobName}: {Inserted} new, {Duplicates} already stored, {Stored} published, {Rejected} rejected, {Suppressed} suppressed, {Parked} parked by object (correlation {CorrelationId})")]
    private partial void LogProcessed(string source, string blobName, int inserted, int duplicates, int stored, int rejected, int suppressed, int parked, string correlationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Every event of {Source} {BlobName} belongs to an erased person: its raw payload is erased")]
    private partial void LogSuppressedPayloadErased(string source, string blobName);

    [LoggerMessage(Level = LogLevel.Information, Message = "Every event of {Source} {BlobName} was stored before from another payload: this copy is erased")]
    private partial void LogSupersededPayloadErased(string source, string blobName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead letter for {Source} {BlobName} entry {EntryIndex}: {Reason}")]
    private partial void LogDeadLettered(string source, string blobName, int? entryIndex, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Enrichment for {Source} {BlobName} failed on the last attempt; storing the payload's own identities")]
    private partial void LogEnrichmentSkipped(Exception exception, string source, string blobName);

    [LoggerMessage(Level = LogLevel.Error, Message = "Giving up on {Source} {BlobName} after attempt {Attempt}")]
    private partial void LogGivingUp(Exception exception, string source, string blobName, int attempt);
}

public sealed record ProcessingReport(int Inserted, int Duplicates, int Rejected, int Suppressed, IReadOnlyList<string> Customers)
{
    public static ProcessingReport Empty { get; } = new(0, 0, 0, 0, []);

    public int DeadLettered { get; init; }

    /// <summary>Touchpoints reported as stored and published: the new ones, and on a retry or replay the ones found stored.</summary>
    public int Stored { get; init; }

    /// <summary>Touchpoints that name only objects nobody is associated with yet: kept by object id until an association arrives.</summary>
    public int Parked { get; init; }
}
