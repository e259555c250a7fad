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
    IIdentityKeys keys,
    TimeProvider clock,
    ILogger<RawPayloadEraser> logger)
{
    /// <summary>The mark of a copy made for a delivery that arrived after its people were erased.</summary>
    public const string LaterDeliveryReason = "events of erased people in a later delivery";

    /// <summary>Concurrent redactions of one payload (two erasures, or an erasure and a suppressed delivery) are rare; each retry reads it again.</summary>
    private const int MaxAttempts = 5;

    /// <summary>The erased people with their keyed hashes, computed once for all the payloads of one erasure.</summary>
    /// <param name="erased">The erased people's identities, and object ids only they were associated with.</param>
    public ErasedPeople People(IReadOnlySet<Identity> erased)
    {
        ArgumentNullException.ThrowIfNull(erased);
        return new ErasedPeople(erased, erased.Select(keys.Hash).ToHashSet(StringComparer.Ordinal));
    }

    /// <param name="reason">Why, for the copy's mark (e.g. "erasure of customer c_…"); never personal data.</param>
    public Task<PayloadErasure> EraseAsync(string rawRef, ErasedPeople erased, string reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(rawRef);
        ArgumentNullException.ThrowIfNull(erased);
        return EraseAsync(rawRef, erased.Identities, erased.Keys, reason, null, cancellationToken);
    }

    /// <summary>
    /// The erasure queue's work item of a later delivery (<see cref="PayloadRedactionQueue"/>): the people come as keyed
    /// hashes, so their identities are found again among those the payload itself names (what the redactor matches entries
    /// by). Once a copy holds none of them, a redelivered work item finds nothing to take out and only settles the dead
    /// letters, so it is safe to repeat.
    /// </summary>
    public async Task<PayloadErasure> RedactAsync(PayloadRedactionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.RawRef);
        var erasedKeys = request.ErasedKeys.ToHashSet(StringComparer.Ordinal);
        if (await redaction.GetAsync(request.RawRef, cancellationToken) is not { } archived)
        {
            await deadLetters.RemoveForBlobAsync(request.RawRef, cancellationToken);
            return PayloadErasure.Gone;
        }

        var erased = redactor.IdentitiesIn(archived.Payload).Where(i => erasedKeys.Contains(keys.Hash(i))).ToHashSet();
        if (erased.Count == 0)
        {
            // Never plan with no one: a payload that cannot be split would be deleted whole for nobody.
            await personalDeadLetters.SettleAsync(request.RawRef, erasedKeys, renumbered: false, new RedactionMark(clock.GetUtcNow(), LaterDeliveryReason), cancellationToken);
            return PayloadErasure.Kept;
        }

        return await EraseAsync(request.RawRef, erased, erasedKeys, LaterDeliveryReason, archived, cancellationToken);
    }

    /// <param name="erasedKeys">The keyed hashes of <paramref name="erased"/> (and, from a work item, of whoever it named): what the dead letters hold.</param>
    /// <param name="read">The entry as the caller already read it, for the first attempt.</param>
    private async Task<PayloadErasure> EraseAsync(string rawRef, IReadOnlySet<Identity> erased, IReadOnlySet<string> erasedKeys, string reason, ArchivedPayload? read, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var archived = attempt == 1 && read is not null ? read : await redaction.GetAsync(rawRef, cancellationToken);
            if (archived is null)
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
                    await personalDeadLetters.SettleAsync(rawRef, erasedKeys, renumbered: false, mark, cancellationToken);
                    return PayloadErasure.Kept;
                case RedactionKind.Redacted:
                    if (!await redaction.ReplaceAsync(archived, plan.Body!, mark, cancellationToken))
                    {
                        continue;
                    }

                    var removed = await personalDeadLetters.SettleAsync(rawRef, erasedKeys, renumbered: true, mark, cancellationToken);
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

/// <summary>Who an erasure removes from payloads: their identities, and the keyed hashes their dead letters hold.</summary>
public sealed record ErasedPeople(IReadOnlySet<Identity> Identities, IReadOnlySet<string> Keys);
