using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;
using Microsoft.Extensions.Logging;

namespace JourneyHub.Core.Privacy;

/// <summary>What erasing a person did to one raw payload.</summary>
public enum PayloadErasure
{
    /// <summary>The payload did not exist (any more); its dead letters were removed.</summary>
    Gone,

    /// <summary>Deleted whole, with its dead letters: every entry was the person's, or the source is not redacted entry by entry.</summary>
    Deleted,

    /// <summary>Replaced by a redacted copy without the person's entries; the other entries stay replayable.</summary>
    Redacted,

    /// <summary>No entry names the person (already redacted, or shared only through an object someone else holds): left as it is.</summary>
    Kept,
}

/// <summary>
/// Erases one person from one archived raw payload: a payload that holds other people's events too is replaced by a
/// redacted copy under the same reference (see <see cref="PayloadRedactor"/>), anything else is deleted. Dead letters
/// follow their payload: deleted with it, or, for a copy, the person's removed and the others' entry numbers cleared.
/// A replay of a redacted copy is an internal replay of bytes accepted earlier: it goes through the processor like any
/// replay and never through a webhook verifier, so the vendor signature (which the copy can no longer match) is not
/// checked again. Safe to repeat: a copy has no entry of the person left, so a second run keeps it.
/// </summary>
public sealed partial class RawPayloadEraser(
    IRawArchive archive,
    IRawPayloadRedaction redaction,
    PayloadRedactor redactor,
    IDeadLetterStore deadLetters,
    IDeadLetterErasure personalDeadLetters,
    TimeProvider clock,
    ILogger<RawPayloadEraser> logger)
{
    /// <summary>Concurrent redactions of one payload (two erasures, or an erasure and a suppressed delivery) are rare; each retry reads it again.</summary>
    private const int MaxAttempts = 5;

    /// <param name="erased">The erased people's identities, and object ids only they were associated with.</param>
    /// <param name="reason">Why, for the copy's mark (e.g. "erasure of customer c_…"); never personal data.</param>
    public async Task<PayloadErasure> EraseAsync(string rawRef, IReadOnlySet<Identity> erased, string reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(rawRef);
        ArgumentNullException.ThrowIfNull(erased);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            if (await redaction.GetAsync(rawRef, cancellationToken) is not { } archived)
            {
                await deadLetters.RemoveForBlobAsync(rawRef, cancellationToken);
                return PayloadErasure.Gone;
            }

            var plan = redactor.Plan(archived.Payload, erased);
            var mark = new RedactionMark(clock.GetUtcNow(), reason);
            switch (plan.Kind)
            {
                case RedactionKind.NoEntryOfThePerson:
                    // Whole-payload dead letters may still list the person among the payload's people.
                    await personalDeadLetters.SettleAsync(rawRef, erased, renumbered: false, mark, cancellationToken);
                    return PayloadErasure.Kept;
                case RedactionKind.Redacted:
                    if (!await redaction.ReplaceAsync(rawRef, plan.Body!, mark, archived.Version, cancellationToken))
                    {
                        continue;
                    }

                    var removed = await personalDeadLetters.SettleAsync(rawRef, erased, renumbered: true, mark, cancellationToken);
                    LogRedacted(archived.Payload.Source, rawRef, plan.Removed, plan.Entries, removed);
                    return PayloadErasure.Redacted;
                default:
                    await archive.DeleteAsync(rawRef, cancellationToken);
                    await deadLetters.RemoveForBlobAsync(rawRef, cancellationToken);
                    return PayloadErasure.Deleted;
            }
        }

        throw new InvalidOperationException($"The raw payload {rawRef} changed during each of {MaxAttempts} redaction attempts.");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Redacted {Source} {RawRef}: {Removed} of {Entries} entries removed, {DeadLetters} dead letters with them")]
    private partial void LogRedacted(string source, string rawRef, int removed, int entries, int deadLetters);
}
