using System.Globalization;
using System.Text;
using JourneyHub.Core.Api;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Ports;
using Microsoft.Extensions.Logging;

namespace JourneyHub.Core.Admin;

/// <summary>
/// Operator view of what could not be processed, and the way back in: a replay re-queues the archived raw
/// payload with <see cref="IngestionMessage.ReplayOf"/> set, so the processor clears that payload's dead
/// letters first and re-adds only what still fails. Replays are safe to repeat: row keys are deterministic.
/// </summary>
public sealed partial class DeadLetterAdmin(IDeadLetterStore deadLetters, IIngestionQueue queue, IWorkQueueSender workQueues, ILogger<DeadLetterAdmin> logger)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    /// <summary>Upper bound of dead letters one replay request may touch; larger windows are split by the caller.</summary>
    public const int MaxReplay = 1000;

    public async Task<DeadLetterPage> ListAsync(DeadLetterQuery query, CancellationToken cancellationToken)
    {
        // The store orders by failedAt descending; an offset cursor is cheap at dead-letter volumes (few rows).
        var rows = await deadLetters.ListAsync(query.Source, query.From, query.To, query.Offset + query.Limit + 1, cancellationToken);
        var page = rows.Skip(query.Offset).Take(query.Limit).Select(DeadLetterView.From).ToList();
        var next = rows.Count > query.Offset + query.Limit ? EncodeOffset(query.Offset + query.Limit) : null;
        return new DeadLetterPage(page, next);
    }

    public async Task<ReplayResult> ReplayAsync(ReplayRequest request, CancellationToken cancellationToken)
    {
        var found = new List<DeadLetter>();
        var notFound = new List<string>();
        var truncated = false;
        if (request.Ids is { Count: > 0 } requested)
        {
            foreach (var id in requested.Distinct(StringComparer.Ordinal))
            {
                if (await deadLetters.GetAsync(id, cancellationToken) is { } deadLetter)
                {
                    found.Add(deadLetter);
                }
                else
                {
                    notFound.Add(id);
                }
            }
        }
        else
        {
            var window = await deadLetters.ListAsync(request.Source, request.From, request.To, MaxReplay + 1, cancellationToken);
            truncated = window.Count > MaxReplay;
            found.AddRange(window.Take(MaxReplay));
        }

        var replayed = new List<ReplayedPayload>();
        var notReplayable = new List<string>();

        // One payload may hold several failed entries: it is re-queued once, and the processor re-judges every entry.
        foreach (var group in found.GroupBy(d => d.BlobName, StringComparer.Ordinal))
        {
            if (group.Key.Length == 0)
            {
                foreach (var deadLetter in group)
                {
                    if (deadLetter.Queue.Length > 0 && deadLetter.Message is { } text)
                    {
                        // A poisoned erasure or backfill message goes back to its queue; nothing else clears its dead letter.
                        await workQueues.SendAsync(deadLetter.Queue, text, TimeSpan.Zero, cancellationToken);
                        await deadLetters.RemoveAsync(deadLetter.Id, cancellationToken);
                        LogRequeued(deadLetter.Source, deadLetter.Queue, deadLetter.Id);
                        replayed.Add(new ReplayedPayload("", deadLetter.Source, [deadLetter.Id]));
                    }
                    else
                    {
                        // A queue message that was never a reference to an archived payload has nothing to replay.
                        notReplayable.Add(deadLetter.Id);
                    }
                }

                continue;
            }

            var ids = group.Select(d => d.Id).Order(StringComparer.Ordinal).ToList();
            var first = group.First(d => d.Id == ids[0]);
            await queue.EnqueueAsync(
                new IngestionMessage
                {
                    Source = first.Source,
                    BlobName = first.BlobName,
                    ReceivedAt = first.ReceivedAt,
                    CorrelationId = first.CorrelationId.Length > 0 ? first.CorrelationId : Guid.NewGuid().ToString("N"),
                    ReplayOf = first.Id,
                },
                cancellationToken);
            LogReplayQueued(first.Source, first.BlobName, ids.Count);
            replayed.Add(new ReplayedPayload(first.BlobName, first.Source, ids));
        }

        return new ReplayResult(replayed.Count, replayed, notFound, notReplayable, truncated);
    }

    /// <summary>Query values → a typed query, naming exactly which value was wrong.</summary>
    public static (DeadLetterQuery? Query, ApiError? Error) ParseQuery(Func<string, string?> get)
    {
        var query = new DeadLetterQuery();
        if (get("source") is { } source)
        {
            if (!IsSourceName(source))
            {
                return Bad("source", "must be a source name such as hubspot, salesforce, meta, instagram, trustpilot or custom:<name>");
            }

            query = query with { Source = source };
        }

        if (get("from") is { } fromText)
        {
            if (!QueryParsing.TryParseTime(fromText, out var from))
            {
                return Bad("from", "must be an ISO-8601 date or date-time, e.g. 2025-03-14T00:00:00Z");
            }

            query = query with { From = from };
        }

        if (get("to") is { } toText)
        {
            if (!QueryParsing.TryParseTime(toText, out var to))
            {
                return Bad("to", "must be an ISO-8601 date or date-time, e.g. 2025-03-14T23:59:59Z");
            }

            query = query with { To = to };
        }

        if (query.From > query.To)
        {
            return Bad("from", "must not be later than 'to'");
        }

        if (get("limit") is { } limitText)
        {
            if (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit is < 1 or > MaxLimit)
            {
                return Bad("limit", $"must be a whole number from 1 to {MaxLimit}");
            }

            query = query with { Limit = limit };
        }

        if (get("cursor") is { } cursor)
        {
            if (DecodeOffset(cursor) is not { } offset)
            {
                return Bad("cursor", "is not a cursor this API issued; pass nextCursor from the previous page unchanged");
            }

            query = query with { Offset = offset };
        }

        return (query, null);
    }

    /// <summary>Checks a replay body: either dead-letter ids, or a source with an optional failedAt window.</summary>
    public static ApiError? Validate(ReplayRequest? request)
    {
        if (request is null)
        {
            return new ApiError(400, "Invalid replay request", "Send {\"ids\":[\"dl_…\"]} or {\"source\":\"hubspot\",\"from\":\"…\",\"to\":\"…\"}.");
        }

        var hasIds = request.Ids is { Count: > 0 };
        if (hasIds && (request.Source is not null || request.From is not null || request.To is not null))
        {
            return new ApiError(400, "Invalid replay request", "Give either 'ids' or 'source' with 'from'/'to', not both.");
        }

        if (hasIds)
        {
            if (request.Ids!.Count > MaxReplay)
            {
                return new ApiError(400, "Too many ids", $"Replay at most {MaxReplay} dead letters per request.");
            }

            return request.Ids.All(id => id is { Length: > 3 and <= 64 } && id.StartsWith("dl_", StringComparison.Ordinal) && id.Skip(3).All(char.IsAsciiLetterOrDigit))
                ? null
                : new ApiError(400, "Invalid dead-letter id", "Dead-letter ids look like dl_0123456789abcdef01234567.");
        }

        if (request.Source is null || !IsSourceName(request.Source))
        {
            return new ApiError(400, "Invalid replay request", "Name the dead letters to replay: 'ids', or a 'source' (hubspot, salesforce, meta, instagram, trustpilot, custom:<name>) with an optional 'from'/'to' window over failedAt.");
        }

        return request.From > request.To
            ? new ApiError(400, "Invalid replay request", "'from' must not be later than 'to'.")
            : null;
    }

    private static bool IsSourceName(string source) => Sources.SourceId.TryParse(source, out _);

    private static string EncodeOffset(int offset) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes("o:" + offset.ToString(CultureInfo.InvariantCulture))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static int? DecodeOffset(string cursor)
    {
        if (cursor.Length is 0 or > 40)
        {
            return null;
        }

        var base64 = cursor.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        Span<byte> bytes = stackalloc byte[32];
        if (!Convert.TryFromBase64String(base64, bytes, out var written))
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(bytes[..written]);
        return text.StartsWith("o:", StringComparison.Ordinal)
            && int.TryParse(text.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            && offset is >= 0 and <= 100_000
            ? offset
            : null;
    }

    private static (DeadLetterQuery?, ApiError?) Bad(string parameter, string detail) =>
        (null, new ApiError(400, $"Invalid query parameter '{parameter}'", $"'{parameter}' {detail}."));

    [LoggerMessage(Level = LogLevel.Information, Message = "Replay sent {Source} dead letter {DeadLetterId} back to {Queue}")]
    private partial void LogRequeued(string source, string queue, string deadLetterId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replay queued for {Source} {BlobName} ({DeadLetters} dead letters)")]
    private partial void LogReplayQueued(string source, string blobName, int deadLetters);
}

public sealed record DeadLetterQuery
{
    public string? Source { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public int Limit { get; init; } = DeadLetterAdmin.DefaultLimit;
    public int Offset { get; init; }
}

/// <summary>The API shape of a dead letter: what failed, why, when, and which archived payload to replay.</summary>
public sealed record DeadLetterView(
    string Id,
    string Source,
    string Reason,
    DateTimeOffset ReceivedAt,
    DateTimeOffset FailedAt,
    string BlobName,
    int? EntryIndex,
    string CorrelationId)
{
    public static DeadLetterView From(DeadLetter d) => new(d.Id, d.Source, d.Reason, d.ReceivedAt, d.FailedAt, d.BlobName, d.EntryIndex, d.CorrelationId);
}

public sealed record DeadLetterPage(IReadOnlyList<DeadLetterView> Items, string? NextCursor);

/// <summary><c>{"ids":[…]}</c>, or <c>{"source":"hubspot","from":"…","to":"…"}</c> over the dead letters' failedAt.</summary>
public sealed record ReplayRequest
{
    public IReadOnlyList<string>? Ids { get; init; }
    public string? Source { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
}

public sealed record ReplayedPayload(string BlobName, string Source, IReadOnlyList<string> DeadLetterIds);

public sealed record ReplayResult(int Queued, IReadOnlyList<ReplayedPayload> Payloads, IReadOnlyList<string> NotFound, IReadOnlyList<string> NotReplayable, bool Truncated);
