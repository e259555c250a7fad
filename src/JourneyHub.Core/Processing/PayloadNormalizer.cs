using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Privacy;
using JourneyHub.Core.Sources;

namespace JourneyHub.Core.Processing;

/// <summary>
/// The processor's normalize step on its own, without I/O: the source adapter's touchpoints, stamped with receipt, payload
/// and correlation id. <see cref="DeliveryProcessor"/> runs it on every delivery (and dead-letters the rejected entries);
/// the poison recorder runs the same step to read whose events a poisoned payload holds (<see cref="Admin.PoisonMessageRecorder"/>),
/// so a payload's people are read one way everywhere. When the adapter cannot read the payload as a whole (one event of a
/// HubSpot batch with a value of the wrong type fails the whole array), the failure still names the people of the entries
/// it can read alone (<see cref="PayloadRedactor.IdentitiesByEntry"/>, the entries as erasure judges them): erasing one of
/// them then finds the dead letter and takes their entries out of the payload (a redacted copy keeps the unreadable
/// entry and its dead letter; an entry the adapter throws on even alone sends the payload whole). This costs nothing
/// while payloads parse.
/// </summary>
public static class PayloadNormalizer
{
    /// <exception cref="PermanentIngestionException">No adapter reads the message's source, or the adapter failed on the payload.</exception>
    public static NormalizationResult Normalize(SourceRegistry sources, IngestionMessage message, RawPayload raw)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(raw);
        var adapter = sources.Adapter(message.Source)
            ?? throw new PermanentIngestionException($"No source adapter for '{message.Source}'.");

        NormalizationResult normalized;
        try
        {
            normalized = adapter.Normalize(raw);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new PermanentIngestionException($"The {message.Source} payload could not be parsed: {ex.Message}", ex)
            {
                Identities = [.. PayloadRedactor.IdentitiesByEntry(adapter, raw)],
            };
        }

        if (normalized is { Touchpoints.Count: 0, Rejected: [{ EntryIndex: null, Identities.Count: 0 } whole] })
        {
            normalized = normalized with { Rejected = [whole with { Identities = [.. PayloadRedactor.IdentitiesByEntry(adapter, raw)] }] };
        }

        var stamped = normalized.Touchpoints
            .Select(t => t with { ReceivedAt = message.ReceivedAt, RawRef = message.BlobName, Attributes = WithCorrelation(t.Attributes, message.CorrelationId) })
            .ToList();
        return normalized with { Touchpoints = stamped };
    }

    private static Dictionary<string, string> WithCorrelation(IReadOnlyDictionary<string, string> attributes, string correlationId) =>
        new(attributes, StringComparer.Ordinal) { [TouchpointBounds.CorrelationIdAttribute] = correlationId };
}
