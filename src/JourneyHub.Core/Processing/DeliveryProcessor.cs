using JourneyHub.Core.Admin;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace JourneyHub.Core.Processing;

/// <summary>
/// One queue message → touchpoints on customer timelines: load raw → normalize → enrich → resolve
/// identity → write timeline rows → update the journey summary → publish. Safe to run again for the
/// same message: row keys are deterministic, so a retry writes nothing twice.
/// </summary>
public sealed partial class DeliveryProcessor(
    IServiceProvider services,
    IRawArchive archive,
    IdentityResolver resolver,
    ITimelineStore timeline,
    ICustomerStore customers,
    IDeadLetterStore deadLetters,
    ITouchpointPublisher publisher,
    ISuppressionList suppressions,
    Journey.IJourneyAnalytics analytics,
    Journey.Segments.ISegmentAggregates segments,
    Journey.PersonaRules personas,
    TimeProvider clock,
    ILogger<DeliveryProcessor> logger)
{
    /// <summary>
    /// How many applied touchpoint ids a customer record remembers: far more than one delivery carries,
    /// small enough (≈14 KB) to stay inside a table property.
    /// </summary>
    internal const int RecentlyAppliedKept = 500;

    /// <param name="attempt">1 for the first delivery of the queue message.</param>
    /// <param name="isLastAttempt">After this attempt the queue gives up; failures are dead-lettered instead of thrown.</param>
    public async Task<ProcessingReport> ProcessAsync(IngestionMessage message, int attempt, bool isLastAttempt, CancellationToken cancellationToken)
    {
        using var activity = JourneyHubTelemetry.StartProcessing(message.Source, message.CorrelationId, message.Properties);
        activity?.SetTag("journeyhub.attempt", attempt);
        try
        {
            if (message.ReplayOf is not null)
            {
                // A replay starts clean: whatever still fails is dead-lettered again below, with today's reason.
                await deadLetters.RemoveForBlobAsync(message.BlobName, cancellationToken);
            }

            return await ProcessCoreAsync(message, attempt, isLastAttempt, cancellationToken);
        }
        catch (PermanentIngestionException ex)
        {
            await DeadLetterAsync(message, DeadLetterIds.ForPayload(message.BlobName), null, ex.Message, cancellationToken);
            return ProcessingReport.Empty with { DeadLettered = 1 };
        }
        catch (Exception ex) when (isLastAttempt && ex is not OperationCanceledException)
        {
            LogGivingUp(ex, message.Source, message.BlobName, attempt);
            await DeadLetterAsync(message, DeadLetterIds.ForPayload(message.BlobName), null, $"Failed after {attempt} attempts: {ex.GetType().Name}: {ex.Message}", cancellationToken);
            return ProcessingReport.Empty with { DeadLettered = 1 };
        }
    }

    private async Task<ProcessingReport> ProcessCoreAsync(IngestionMessage message, int attempt, bool isLastAttempt, CancellationToken cancellationToken)
    {
        var raw = await archive.ReadAsync(message, cancellationToken)
            ?? throw new PermanentIngestionException($"Archived payload '{message.BlobName}' no longer exists (erased or deleted).");

        var adapter = services.GetRequiredService<Sources.SourceRegistry>().Adapter(message.Source)
            ?? throw new PermanentIngestionException($"No source adapter for '{message.Source}'.");

        NormalizationResult normalized;
        try
        {
            normalized = adapter.Normalize(raw);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new PermanentIngestionException($"The {message.Source} payload could not be parsed: {ex.Message}", ex);
        }

        foreach (var rejected in normalized.Rejected)
        {
            await DeadLetterAsync(message, DeadLetterIds.ForRejectedEntry(message.BlobName, rejected.EntryIndex), rejected.EntryIndex, rejected.Reason, cancellationToken);
        }

        var receivedAt = message.ReceivedAt;
        var touchpoints = normalized.Touchpoints
            .Select(t => t with { ReceivedAt = receivedAt, RawRef = message.BlobName, Attributes = WithCorrelation(t.Attributes, message.CorrelationId) })
            .ToList();

        if (touchpoints.Count > 0 && services.GetRequiredService<Sources.SourceRegistry>().Enricher(message.Source) is { } enricher)
        {
            try
            {
                touchpoints = [.. await enricher.EnrichAsync(touchpoints, cancellationToken)];
            }
            catch (Exception ex) when (isLastAttempt && ex is not OperationCanceledException)
            {
                // Enrichment adds detail; it is not worth losing the event for. Store what the payload says.
                LogEnrichmentSkipped(ex, message.Source, message.BlobName);
            }
        }

        touchpoints = touchpoints.ConvertAll(personas.Stamp);
        var byCustomer = new Dictionary<string, List<Touchpoint>>(StringComparer.Ordinal);
        var suppressed = 0;

        // A batch usually repeats the same person: check and resolve each identity set once per message.
        // Within one message this changes no outcome; it saves storage transactions per touchpoint.
        var decided = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var index = 0; index < touchpoints.Count; index++)
        {
            var touchpoint = touchpoints[index];
            var identityKey = IdentityKey(touchpoint.Identities);
            if (!decided.TryGetValue(identityKey, out var customerId))
            {
                customerId = await suppressions.IsSuppressedAsync(touchpoint.Identities, cancellationToken)
                    ? SuppressedMarker
                    : await resolver.ResolveAsync(touchpoint.Identities, $"{touchpoint.Source} {touchpoint.Action} {touchpoint.SourceEventId}", cancellationToken);
                decided[identityKey] = customerId;
            }

            if (ReferenceEquals(customerId, SuppressedMarker))
            {
                suppressed++;
                continue;
            }

            if (customerId is null)
            {
                await DeadLetterAsync(message, DeadLetterIds.ForTouchpointWithoutIdentity(message.BlobName, index), index, $"Touchpoint {touchpoint.SourceEventId} ({touchpoint.Action}) carries no identity that can name a customer.", cancellationToken);
                continue;
            }

            if (!byCustomer.TryGetValue(customerId, out var list))
            {
                byCustomer[customerId] = list = [];
            }

            list.Add(touchpoint with { CustomerId = customerId });
        }

        byCustomer = await FollowMergesAsync(byCustomer, cancellationToken);
        var inserted = 0;
        var duplicates = 0;
        var stored = new List<Touchpoint>();
        foreach (var (customerId, list) in byCustomer)
        {
            var result = await timeline.AppendAsync(customerId, list, cancellationToken);
            inserted += result.Inserted.Count;
            duplicates += result.Duplicates.Count;
            // Rows inserted now were never applied. On a retry, rows a crashed attempt stored may not have been
            // applied either: the customer record lists what was applied recently, in the same write as the summary.
            var candidates = attempt > 1 ? [.. result.Inserted, .. result.Duplicates] : result.Inserted;
            if (candidates.Count > 0)
            {
                Journey.JourneyState? before = null;
                List<Touchpoint> applied = [];
                var updated = await customers.UpdateAsync(
                    customerId,
                    c =>
                    {
                        before = c.Journey;
                        var done = c.RecentlyApplied.ToHashSet(StringComparer.Ordinal);
                        applied = candidates.Where(t => !done.Contains(t.TouchpointId)).ToList();
                        return c with
                        {
                            Journey = applied.Aggregate(c.Journey, (j, t) => j.Apply(t)),
                            RecentlyApplied = [.. c.RecentlyApplied.Concat(applied.Select(t => t.TouchpointId)).TakeLast(RecentlyAppliedKept)],
                        };
                    },
                    cancellationToken);
                if (applied.Count > 0)
                {
                    await analytics.SyncStagesAsync(customerId, before, updated.Journey, cancellationToken);
                    await segments.ApplyAsync(customerId, before, updated.Journey, cancellationToken);
                    await analytics.RecordSurveysAsync(customerId, applied, cancellationToken);
                }
            }

            stored.AddRange(result.Inserted);
            if (attempt > 1)
            {
                // The earlier attempt may have stored but not published; the topic's duplicate detection drops repeats.
                stored.AddRange(result.Duplicates);
            }
        }

        if (stored.Count > 0)
        {
            await publisher.PublishAsync(stored, cancellationToken);
        }

        LogProcessed(message.Source, message.BlobName, inserted, duplicates, normalized.Rejected.Count, suppressed, message.CorrelationId);
        var sourceTag = new KeyValuePair<string, object?>(JourneyHubTelemetry.SourceTag, message.Source);
        JourneyHubTelemetry.TouchpointsStored.Add(inserted, sourceTag);
        JourneyHubTelemetry.DuplicatesSuppressed.Add(duplicates, sourceTag);
        return new ProcessingReport(inserted, duplicates, normalized.Rejected.Count, suppressed, byCustomer.Keys.ToList());
    }

    /// <summary>
    /// A later touchpoint of the same payload may have merged a customer that an earlier one was assigned
    /// to; rows go to the survivor, never to a merged-away partition.
    /// </summary>
    private async Task<Dictionary<string, List<Touchpoint>>> FollowMergesAsync(Dictionary<string, List<Touchpoint>> byCustomer, CancellationToken cancellationToken)
    {
        if (byCustomer.Count < 2)
        {
            return byCustomer;
        }

        var result = new Dictionary<string, List<Touchpoint>>(StringComparer.Ordinal);
        foreach (var (customerId, list) in byCustomer)
        {
            var survivor = (await customers.FindSurvivorAsync(customerId, cancellationToken))?.CustomerId ?? customerId;

            if (!result.TryGetValue(survivor, out var target))
            {
                result[survivor] = target = [];
            }

            target.AddRange(list.Select(t => t with { CustomerId = survivor }));
        }

        return result;
    }

    private async Task DeadLetterAsync(IngestionMessage message, string id, int? entryIndex, string reason, CancellationToken cancellationToken)
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
            },
            cancellationToken);
    }

    private static readonly string SuppressedMarker = new('\0', 1);

    private static string IdentityKey(IReadOnlyList<Identity> identities) =>
        string.Join('\n', identities.Select(i => i.Type + ":" + i.Value).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));

    private static Dictionary<string, string> WithCorrelation(IReadOnlyDictionary<string, string> attributes, string correlationId) =>
        new(attributes, StringComparer.Ordinal) { ["correlationId"] = correlationId };

    [LoggerMessage(Level = LogLevel.Information, Message = "Processed {Source} {BlobName}: {Inserted} stored, {Duplicates} duplicates, {Rejected} rejected, {Suppressed} suppressed (correlation {CorrelationId})")]
    private partial void LogProcessed(string source, string blobName, int inserted, int duplicates, int rejected, int suppressed, string correlationId);

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
}

/// <summary>Identities of erased customers: events for them are dropped at ingestion.</summary>
public interface ISuppressionList
{
    Task<bool> IsSuppressedAsync(IReadOnlyList<Schema.Identity> identities, CancellationToken cancellationToken);

    Task SuppressAsync(IReadOnlyList<Schema.Identity> identities, CancellationToken cancellationToken);
}
