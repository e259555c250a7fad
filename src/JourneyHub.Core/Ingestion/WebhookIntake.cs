using System.Diagnostics;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Telemetry;
using JourneyHub.Core.Signatures;
using JourneyHub.Core.Sources;
using Microsoft.Extensions.Logging;

namespace JourneyHub.Core.Ingestion;

/// <summary>
/// verify → store the raw bytes (inside the queue message when small, archived and then enqueued when large) → acknowledge.
/// Nothing is acknowledged before its exact bytes are stored durably.
/// </summary>
public sealed partial class WebhookIntake(
    SourceRegistry sources,
    IRawArchive archive,
    IIngestionQueue queue,
    TimeProvider clock,
    ILogger<WebhookIntake> logger)
{
    public const int MaxBodyBytes = 1024 * 1024;

    /// <param name="source">The sender; for a custom source, <c>custom:&lt;name&gt;</c> (<see cref="SourceId.TryCustom"/>).</param>
    public async Task<IntakeResult> AcceptAsync(SourceId source, InboundWebhook webhook, CancellationToken cancellationToken)
    {
        var verifier = sources.Verifier(source);
        if (verifier is null)
        {
            LogUnknownSource(source.Name);
            return IntakeResult.Reject(IntakeStatus.UnknownSource, "Unknown webhook source", $"No webhook source named '{source}' is served here.");
        }

        var now = clock.GetUtcNow();
        var verification = verifier.Verify(webhook, now);
        if (!verification.IsValid)
        {
            LogRejected(source.Name, verification.Check, verification.Detail);
            JourneyHubTelemetry.WebhooksRejected.Add(1, new KeyValuePair<string, object?>(JourneyHubTelemetry.SourceTag, source.Adapter.Name));
            var status = verification.Check == SignatureCheck.NotConfigured ? IntakeStatus.NotConfigured : IntakeStatus.Unauthorized;
            return IntakeResult.Reject(status, TitleFor(verification.Check), verification.Detail);
        }

        var storedSource = source.Name;
        var correlationId = webhook.Header("x-correlation-id") is { Length: > 0 and <= 128 } given && given.All(char.IsAsciiLetterOrDigit) ? given : Guid.NewGuid().ToString("N");
        using var activity = JourneyHubTelemetry.ActivitySource.StartActivity("journeyhub.webhook.accept");
        activity?.SetTag(JourneyHubTelemetry.SourceTag, storedSource);
        activity?.SetTag(JourneyHubTelemetry.CorrelationTag, correlationId);
        var properties = new Dictionary<string, string>(verification.Properties ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            ["correlationId"] = correlationId,
        };
        if (Activity.Current?.Id is { } traceParent)
        {
            properties[JourneyHubTelemetry.TraceParentProperty] = traceParent;
        }

        try
        {
            var rawRef = await ArchiveAndEnqueueAsync(storedSource, webhook, properties, correlationId, now, cancellationToken);
            LogAccepted(storedSource, rawRef, webhook.Body.Length, correlationId);
            JourneyHubTelemetry.WebhooksAccepted.Add(1, new KeyValuePair<string, object?>(JourneyHubTelemetry.SourceTag, source.Adapter.Name));
            return IntakeResult.Accept(rawRef, correlationId);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The sender will retry on 5xx; telling it "accepted" without a stored copy would lose the event.
            LogStorageUnavailable(ex, storedSource);
            return IntakeResult.Reject(IntakeStatus.StorageUnavailable, "Storage unavailable", "The delivery could not be stored; retry later.");
        }
    }

    /// <summary>
    /// The bytes are stored before the acknowledgement, once. A small body travels inside the queue message, and that
    /// durable message, sent without expiry, is the stored copy until the processor archives it as its first step (many
    /// messages' bytes in one table transaction): one write here instead of two. A large body is archived first, because
    /// the message only points at it. The reference is derived from the content either way, so it is known now, and a
    /// sender's retry (after a 503, or after a lost reply) lands on the same archive entry; the rows a half-finished
    /// attempt may already have produced are recognised as duplicates.
    /// </summary>
    private async Task<string> ArchiveAndEnqueueAsync(string storedSource, InboundWebhook webhook, Dictionary<string, string> properties, string correlationId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var contentType = webhook.ContentType ?? "application/octet-stream";
        var rawRef = archive.ReferenceFor(storedSource, webhook.Body, contentType, properties);
        var message = new IngestionMessage
        {
            Source = storedSource,
            BlobName = rawRef,
            ReceivedAt = now,
            CorrelationId = correlationId,
            Properties = properties,
        };

        var inline = webhook.Body.Length <= IngestionMessage.MaxInlineBytes ? message with { InlineBody = webhook.Body.ToArray(), ContentType = contentType } : null;
        if (inline is not null && queue.CanCarry(inline))
        {
            await queue.EnqueueAsync(inline, cancellationToken);
        }
        else
        {
            await archive.ArchiveAsync(storedSource, webhook.Body, contentType, properties, now, cancellationToken);
            await queue.EnqueueAsync(message, cancellationToken);
        }

        return rawRef;
    }

    private static string TitleFor(SignatureCheck check) => check switch
    {
        SignatureCheck.Missing => "Missing signature",
        SignatureCheck.Malformed => "Malformed signature or timestamp",
        SignatureCheck.Stale => "Timestamp outside the 5 minute tolerance",
        SignatureCheck.NotConfigured => "Source not configured",
        _ => "Invalid signature",
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook for unknown source {Source} refused")]
    private partial void LogUnknownSource(string source);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook from {Source} rejected: {Check} ({Detail})")]
    private partial void LogRejected(string source, SignatureCheck check, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook from {Source} stored as {RawRef} ({Bytes} bytes, correlation {CorrelationId})")]
    private partial void LogAccepted(string source, string rawRef, int bytes, string correlationId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook from {Source} could not be stored or queued")]
    private partial void LogStorageUnavailable(Exception exception, string source);
}

public enum IntakeStatus
{
    Accepted,
    Unauthorized,
    NotConfigured,
    UnknownSource,
    StorageUnavailable,
}

public sealed record IntakeResult(IntakeStatus Status, string? BlobName, string? CorrelationId, string? Title, string? Detail)
{
    public static IntakeResult Accept(string blobName, string correlationId) => new(IntakeStatus.Accepted, blobName, correlationId, null, null);

    public static IntakeResult Reject(IntakeStatus status, string title, string detail) => new(status, null, null, title, detail);
}
