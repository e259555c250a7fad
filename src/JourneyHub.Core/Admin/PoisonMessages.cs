using System.Text.Json;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Privacy;
using JourneyHub.Core.Processing;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JourneyHub.Core.Admin;

/// <summary>Sends a message text back to one of the hub's work queues (a replayed dead letter, a message sent back to wait).</summary>
public interface IWorkQueueSender
{
    /// <summary>Sends the text, never expiring; it becomes visible after <paramref name="delay"/>.</summary>
    Task SendAsync(string queueName, string messageText, TimeSpan delay, CancellationToken cancellationToken);
}

/// <summary>
/// Turns what the Functions host moved to a poison queue (a message that failed every attempt, e.g. a run that
/// timed out on its last one) into a dead letter with its reason, so <c>GET /api/admin/dead-letters</c> lists it and
/// replay can take it back: nothing waits in a queue no one reads. An ingestion message keeps its archive
/// reference (replay re-queues the archived payload like any dead letter); when it carries its bytes, they may never
/// have been archived (the processor's archive write failed on every attempt), so they are archived first, under that
/// reference, and only then is the dead letter recorded. If that write (or, for bytes archived before, their read) fails
/// too, the message goes back to its work queue, never expiring, after <see cref="IngestionOptions.ArchiveRetryPause"/>, and its attempts start again: failing here instead would
/// let the host copy the bytes' only stored copy to a second poison queue with a seven-day time-to-live that nothing
/// reads. The dead letter carries the identities the payload names, read by the processor's own normalize step
/// (<see cref="PayloadNormalizer"/>), so that erasing one of those people finds it and erases its bytes; a payload the
/// adapter cannot read whole names the people of the entries it reads alone, and one that names no one is still
/// recorded, with a reason that says its person is unknown. Once the dead letter is written, its people are looked up:
/// for those already erased (an erasure that ran before, or while, this was recorded, and searched before the dead letter
/// existed) the payload's redaction is queued, as the processor does for a suppressed delivery, and it takes their entries
/// and dead letter (with its person index) away again. An erasure or backfill message
/// keeps its text and queue (replay sends it back there); neither names a person (a customer id, keyed hashes and an
/// archive reference; a source and a time window). Ids are stable, so recording the same message twice is harmless.
/// </summary>
public sealed partial class PoisonMessageRecorder(
    IDeadLetterStore deadLetters,
    IRawArchive archive,
    IWorkQueueSender workQueues,
    PayloadRedactionQueue redactions,
    SourceRegistry sources,
    IOptions<IngestionOptions> options,
    TimeProvider clock,
    ILogger<PoisonMessageRecorder> logger)
{
    public const string PoisonSuffix = "-poison";
    private const int MaxQuotedText = 300;

    /// <summary>
    /// How long reading a poisoned payload's people may take. Normalizing is linear in a payload of at most a webhook body
    /// (1 MiB) or a pulled page and takes milliseconds; a payload that takes longer may be what made every attempt time out,
    /// and the recorder must not time out on it in turn (its own poison queue is read by no one).
    /// </summary>
    public static readonly TimeSpan NormalizeBudget = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Guards <see cref="overrunning"/>: the normalizations that outlasted <see cref="NormalizeBudget"/> and still run. Past
    /// the budget the recorder stops waiting, but the synchronous adapter cannot be stopped and runs on a pool thread; each
    /// re-recording of the same pathological payload would start another. While one overruns, none starts: the dead letter
    /// is recorded with its person unknown instead. Recordings of ordinary payloads (milliseconds) still run side by side.
    /// </summary>
    private readonly Lock normalizations = new();
    private int overrunning;

    /// <param name="workQueue">The queue the message failed on (its poison queue is <c>&lt;workQueue&gt;-poison</c>).</param>
    /// <param name="kind">What the queue does, as the dead letter's source: <c>erasure</c>, <c>backfill</c>; null for the ingestion queue.</param>
    public async Task RecordAsync(string workQueue, string? kind, string messageText, DateTimeOffset? queuedAt, CancellationToken cancellationToken)
    {
        var poisonQueue = workQueue + PoisonSuffix;
        var now = clock.GetUtcNow();
        var deadLetter = kind is null
            ? await FromIngestionAsync(workQueue, messageText, queuedAt ?? now, now, cancellationToken)
            : new DeadLetter
            {
                Id = DeadLetterIds.ForPoisonMessage(poisonQueue, messageText),
                Source = kind,
                BlobName = "",
                Reason = $"The {kind} message failed every attempt and the Functions host moved it to {poisonQueue}: {Quote(messageText)}. Replay sends it back to {workQueue} (each step is safe to repeat).",
                FailedAt = now,
                ReceivedAt = queuedAt ?? now,
                Queue = workQueue,
                Message = messageText,
            };

        if (deadLetter is null)
        {
            return;
        }

        await deadLetters.AddAsync(deadLetter, cancellationToken);
        LogRecorded(poisonQueue, deadLetter.Id, deadLetter.Source);

        // Written first, checked after: an erasure suppresses before it searches the person index, so it either finds
        // this dead letter or this lookup finds its suppression.
        var erased = deadLetter.Identities.Count > 0 ? await redactions.QueueForErasedAsync(deadLetter.BlobName, deadLetter.Identities, cancellationToken) : 0;
        if (erased > 0)
        {
            LogErasedPeopleNamed(deadLetter.Id, erased);
        }
    }

    /// <returns>The dead letter to record; null when the message went back to its work queue because its bytes could not be archived.</returns>
    private async Task<DeadLetter?> FromIngestionAsync(string workQueue, string messageText, DateTimeOffset queuedAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var poisonQueue = workQueue + PoisonSuffix;
        IngestionMessage? message;
        try
        {
            message = JsonSerializer.Deserialize<IngestionMessage>(messageText, JourneyJson.Options);
        }
        catch (JsonException)
        {
            message = null;
        }

        if (message is null || string.IsNullOrEmpty(message.BlobName) || string.IsNullOrEmpty(message.Source))
        {
            return new DeadLetter
            {
                Id = DeadLetterIds.ForPoisonMessage(poisonQueue, messageText),
                Source = "unknown",
                BlobName = "",
                Reason = $"A message in {poisonQueue} is not an ingestion reference: {Quote(messageText)}",
                FailedAt = now,
                ReceivedAt = queuedAt,
            };
        }

        // The dead letter points at the archive; replay and erasure need the entry to exist. The bytes are read back for
        // their people: without I/O when the message carries them.
        RawPayload? payload;
        try
        {
            await archive.ArchiveInlineBodyAsync(message, cancellationToken);
            payload = await archive.ReadAsync(message, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Only if this send fails too does the attempt fail (and the host's own retries of it begin).
            var pause = options.Value.ArchiveRetryPause;
            await workQueues.SendAsync(workQueue, messageText, pause, cancellationToken);
            LogSentBack(ex, poisonQueue, workQueue, pause);
            return null;
        }

        var people = await PeopleAsync(message, payload, cancellationToken);
        var reason = $"Every attempt failed without a recorded reason (e.g. the run timed out or the worker stopped on its last attempt); the Functions host moved the message to {poisonQueue}. Replay re-queues the archived payload.";
        if (people.Unknown is { } unknown)
        {
            reason += $" Its person is unknown ({unknown}): erasing a person cannot find this dead letter.";
        }
        else if (people.ReadWholeFails is { } fails)
        {
            reason += $" Read whole, the payload fails ({fails}); its people were read entry by entry.";
        }

        var deadLetter = new DeadLetter
        {
            Id = DeadLetterIds.ForPoisonMessage(poisonQueue, messageText),
            Source = message.Source,
            BlobName = message.BlobName,
            Reason = reason,
            FailedAt = now,
            ReceivedAt = message.ReceivedAt,
            CorrelationId = message.CorrelationId,
            Identities = people.Identities,
        };
        if (people.Unknown is not null)
        {
            LogPersonUnknown(poisonQueue, deadLetter.Id, message.Source, message.BlobName, people.Unknown);
        }

        return deadLetter;
    }

    /// <summary>
    /// Whose events the poisoned payload holds: the identities of its touchpoints and rejected entries, as the processor's
    /// normalize step reads them (verification happened at intake; no enrichment, no storage write, no network), within
    /// <see cref="NormalizeBudget"/>. A payload the adapter cannot read whole names the people of the entries it reads alone.
    /// Never throws for the payload's sake: a payload that cannot be read or normalized names no one, and says why.
    /// </summary>
    private async Task<PoisonedPeople> PeopleAsync(IngestionMessage message, RawPayload? payload, CancellationToken cancellationToken)
    {
        if (payload is null)
        {
            return PoisonedPeople.NotKnown("its archived payload no longer exists");
        }

        lock (normalizations)
        {
            if (overrunning > 0)
            {
                return PoisonedPeople.NotKnown("an earlier normalization is still running");
            }
        }

        var run = new NormalizationRun();
        NormalizationResult normalized;
        try
        {
            // No token for Task.Run: a run that started always reports its end.
            normalized = await Task.Run(() =>
            {
                try
                {
                    return PayloadNormalizer.Normalize(sources, message, payload);
                }
                finally
                {
                    lock (normalizations)
                    {
                        run.Ended = true;
                        overrunning -= run.Overran ? 1 : 0;
                    }
                }
            }).WaitAsync(NormalizeBudget, clock, cancellationToken);
        }
        catch (TimeoutException)
        {
            lock (normalizations)
            {
                if (!run.Ended)
                {
                    run.Overran = true;
                    overrunning++;
                }
            }

            return PoisonedPeople.NotKnown($"normalizing the payload took longer than {NormalizeBudget.TotalSeconds:0} s");
        }
        catch (PermanentIngestionException ex) when (ex.Identities.Count > 0)
        {
            // Read whole it fails, entry by entry it names these people (the processor's dead letter of it would too).
            return new PoisonedPeople([.. ex.Identities.Distinct()], null) { ReadWholeFails = Quote(ex.Message) };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return PoisonedPeople.NotKnown(Quote(ex.Message));
        }

        var identities = normalized.Identities.Distinct().ToList();
        // Only NormalizationResult.Failed rejects a payload as a whole, naming no one: people on it were read entry by entry.
        var whole = normalized is { Touchpoints.Count: 0, Rejected: [{ EntryIndex: null } rejected] } ? Quote(rejected.Reason) : null;
        return identities.Count > 0 ? new PoisonedPeople(identities, null) { ReadWholeFails = whole }
            : normalized.Rejected.Count > 0 ? PoisonedPeople.NotKnown(Quote(normalized.Rejected[0].Reason))
            : PoisonedPeople.NotKnown("the payload names no identity");
    }

    /// <summary>One normalization's state, read and written under <see cref="normalizations"/>.</summary>
    private sealed class NormalizationRun
    {
        public bool Ended { get; set; }

        public bool Overran { get; set; }
    }

    /// <summary>Whose events a poisoned payload holds, as its identities; or why its person is unknown (<see cref="Identities"/> empty).</summary>
    private sealed record PoisonedPeople(IReadOnlyList<Identity> Identities, string? Unknown)
    {
        /// <summary>Why the adapter cannot read the payload whole, when its people were read entry by entry.</summary>
        public string? ReadWholeFails { get; init; }

        public static PoisonedPeople NotKnown(string why) => new([], why);
    }

    private static string Quote(string text) => text.Length > MaxQuotedText ? text[..MaxQuotedText] + "…" : text;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead letter {DeadLetterId} of a message in {PoisonQueue} names no person ({Source} {BlobName}: {Why}); erasure cannot find it")]
    private partial void LogPersonUnknown(string poisonQueue, string deadLetterId, string source, string blobName, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead letter {DeadLetterId} names {Erased} identities of erased people; the redaction of its payload is queued")]
    private partial void LogErasedPeopleNamed(string deadLetterId, int erased);

    [LoggerMessage(Level = LogLevel.Error, Message = "The bytes of a message in {PoisonQueue} could not be archived or read back; it went back to {WorkQueue}, never expiring, to be tried again in {Pause}")]
    private partial void LogSentBack(Exception exception, string poisonQueue, string workQueue, TimeSpan pause);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Poison message in {PoisonQueue} recorded as dead letter {DeadLetterId} ({Source})")]
    private partial void LogRecorded(string poisonQueue, string deadLetterId, string source);
}
