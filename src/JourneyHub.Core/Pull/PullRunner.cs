using System.Collections.Concurrent;
using System.Globalization;
using JourneyHub.Core.Api;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Ports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JourneyHub.Core.Pull;

/// <summary>
/// Runs a pull connector page by page into the same pipeline as webhooks: archive the raw page → enqueue a reference
/// → advance the checkpoint. The checkpoint moves only after both, so a crash re-reads a page rather than skips it
/// (re-reading is harmless: touchpoint ids are deterministic).
/// </summary>
public sealed partial class PullRunner(
    Sources.SourceRegistry sources,
    IRawArchive archive,
    IIngestionQueue queue,
    IPullStateStore states,
    IBackfillQueue backfills,
    IOptions<PullOptions> options,
    TimeProvider clock,
    ILogger<PullRunner> logger)
{
    private readonly ConcurrentDictionary<string, bool> notConfiguredLogged = new(StringComparer.Ordinal);

    /// <summary>A scheduled run: changes since the last checkpoint (or the initial look-back).</summary>
    public async Task<PullState?> RunIncrementalAsync(string source, CancellationToken cancellationToken)
    {
        var connector = Connector(source);
        if (connector.MissingConfiguration is { } missing)
        {
            if (notConfiguredLogged.TryAdd(source, true))
            {
                LogNotConfigured(source, missing);
            }

            return null;
        }

        var now = clock.GetUtcNow();
        var state = await states.GetAsync(source, PullRunKind.Incremental, cancellationToken)
            ?? new PullState { Source = source, Kind = PullRunKind.Incremental };
        string cursor;
        if (state.Cursor is { } resume)
        {
            // An interrupted run (crash, page budget, API failure): continue where its last archived page ended.
            cursor = resume;
            state = state with { LastError = null };
        }
        else
        {
            cursor = connector.Start(state.Watermark ?? now - options.Value.InitialLookback, null, now);
            state = state with { RunId = Guid.NewGuid().ToString("N"), StartedAt = now, Pages = 0, Items = 0, LastError = null };
        }

        return await RunPagesAsync(connector, state, cursor, cancellationToken);
    }

    /// <summary>Validates and records a backfill, then queues it; the queue-triggered function does the work.</summary>
    public async Task<(PullState? State, ApiError? Error)> StartBackfillAsync(string source, string? fromText, string? toText, CancellationToken cancellationToken)
    {
        if (!PullSources.IsKnown(source))
        {
            return (null, new ApiError(400, "Unknown source", $"'{source}' is not a pulled source; use one of {string.Join(", ", PullSources.All)}."));
        }

        var now = clock.GetUtcNow();
        if (string.IsNullOrWhiteSpace(fromText) || !QueryParsing.TryParseTime(fromText, out var from))
        {
            return (null, new ApiError(400, "Invalid query parameter 'from'", "'from' is required: an ISO-8601 date or date-time, e.g. 2025-01-01T00:00:00Z."));
        }

        var to = now;
        if (!string.IsNullOrWhiteSpace(toText) && !QueryParsing.TryParseTime(toText, out to))
        {
            return (null, new ApiError(400, "Invalid query parameter 'to'", "'to' must be an ISO-8601 date or date-time, e.g. 2025-03-31T00:00:00Z."));
        }

        if (from >= to)
        {
            return (null, new ApiError(400, "Invalid query parameter 'from'", "'from' must be earlier than 'to'."));
        }

        if (to > now.AddDays(1))
        {
            return (null, new ApiError(400, "Invalid query parameter 'to'", "'to' must not be in the future."));
        }

        if (to - from > options.Value.MaxBackfillWindow)
        {
            return (null, new ApiError(400, "Backfill window too long", $"A backfill covers at most {options.Value.MaxBackfillWindow.TotalDays.ToString("0", CultureInfo.InvariantCulture)} days; split it into several."));
        }

        var connector = Connector(source);
        if (connector.MissingConfiguration is { } missing)
        {
            return (null, new ApiError(409, "Source not configured", missing));
        }

        var existing = await states.GetAsync(source, PullRunKind.Backfill, cancellationToken);
        if (existing is { State: PullRunState.Queued or PullRunState.Running } && existing.UpdatedAt > now.AddMinutes(-10))
        {
            return (null, new ApiError(409, "Backfill already running", $"A {source} backfill ({existing.From:O} – {existing.To:O}) is in progress; watch GET /api/admin/backfill/{source}."));
        }

        var request = new BackfillRequest { Source = source, From = from, To = to, RunId = Guid.NewGuid().ToString("N") };
        var state = new PullState
        {
            Source = source,
            Kind = PullRunKind.Backfill,
            State = PullRunState.Queued,
            From = from,
            To = to,
            RunId = request.RunId,
            StartedAt = now,
            UpdatedAt = now,
        };
        await states.SaveAsync(state, cancellationToken);
        await backfills.EnqueueAsync(request, cancellationToken);
        LogBackfillQueued(source, from, to, request.RunId);
        return (state, null);
    }

    public Task<PullState?> GetBackfillAsync(string source, CancellationToken cancellationToken) =>
        states.GetAsync(source, PullRunKind.Backfill, cancellationToken);

    /// <summary>
    /// Runs (part of) a queued backfill. When the page budget runs out first, the request is queued again, so a long
    /// backfill spans several invocations and survives restarts.
    /// </summary>
    public async Task<PullState?> RunBackfillAsync(BackfillRequest request, CancellationToken cancellationToken)
    {
        var state = await states.GetAsync(request.Source, PullRunKind.Backfill, cancellationToken);
        if (state is null || state.RunId != request.RunId || state.State is PullRunState.Completed or PullRunState.Failed)
        {
            // Superseded by a newer backfill, or already finished by an earlier copy of this message.
            LogBackfillSkipped(request.Source, request.RunId);
            return state;
        }

        var connector = Connector(request.Source);
        var cursor = state.Cursor ?? connector.Start(request.From, request.To, clock.GetUtcNow());
        var result = await RunPagesAsync(connector, state, cursor, cancellationToken);
        if (result.State == PullRunState.Running)
        {
            await backfills.EnqueueAsync(request, cancellationToken);
        }

        return result;
    }

    private async Task<PullState> RunPagesAsync(IPullConnector connector, PullState state, string cursor, CancellationToken cancellationToken)
    {
        state = state with { State = PullRunState.Running, UpdatedAt = clock.GetUtcNow() };
        await states.SaveAsync(state, cancellationToken);
        for (var fetched = 0; fetched < options.Value.MaxPagesPerRun; fetched++)
        {
            PulledPage page;
            try
            {
                page = await connector.FetchAsync(cursor, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The resilience pipeline already retried what is worth retrying; stop and keep the checkpoint here.
                if (ex is PullFetchException { IsAuthFailure: true })
                {
                    LogAuthFailure(connector.Source.Name, ex.Message);
                }
                else
                {
                    LogFetchFailed(ex, connector.Source.Name, state.Kind);
                }

                state = state with
                {
                    State = PullRunState.Failed,
                    LastError = Clip(ex.Message),
                    Errors = state.Errors + 1,
                    UpdatedAt = clock.GetUtcNow(),
                };
                await states.SaveAsync(state, CancellationToken.None);
                return state;
            }

            if (page.Items > 0)
            {
                await ArchiveAndQueueAsync(connector, page, state, cancellationToken);
            }

            var now = clock.GetUtcNow();
            state = state with
            {
                Cursor = page.Next,
                Watermark = page.Next is null && state.Kind == PullRunKind.Incremental ? state.StartedAt - options.Value.Overlap : state.Watermark,
                Pages = state.Pages + 1,
                Items = state.Items + page.Items,
                LastCheckpointAt = now,
                UpdatedAt = now,
                State = page.Next is null ? PullRunState.Completed : PullRunState.Running,
            };
            await states.SaveAsync(state, cancellationToken);
            LogPage(connector.Source.Name, state.Kind, state.Pages, page.Items);
            if (page.Next is null)
            {
                LogRunCompleted(connector.Source.Name, state.Kind, state.Pages, state.Items);
                return state;
            }

            cursor = page.Next;
        }

        LogPageBudgetReached(connector.Source.Name, state.Kind, options.Value.MaxPagesPerRun);
        return state;
    }

    private async Task ArchiveAndQueueAsync(IPullConnector connector, PulledPage page, PullState state, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var correlationId = Guid.NewGuid().ToString("N");
        var properties = new Dictionary<string, string>(page.Properties, StringComparer.Ordinal)
        {
            ["correlationId"] = correlationId,
            ["pullRun"] = state.RunId ?? "",
            ["pullKind"] = state.Kind == PullRunKind.Backfill ? "backfill" : "incremental",
            ["pullPage"] = (state.Pages + 1).ToString(CultureInfo.InvariantCulture),
        };
        var blobName = await archive.ArchiveAsync(connector.Adapter.Name, page.Body, page.ContentType, properties, now, cancellationToken);
        await queue.EnqueueAsync(
            new IngestionMessage
            {
                Source = connector.Adapter.Name,
                BlobName = blobName,
                ReceivedAt = now,
                CorrelationId = correlationId,
                Properties = properties,
            },
            cancellationToken);
    }

    private IPullConnector Connector(string source) =>
        sources.PullConnector(source) ?? throw new InvalidOperationException($"No pull connector is registered for '{source}'.");

    private static string Clip(string text) => text.Length > 1000 ? text[..1000] : text;

    [LoggerMessage(Level = LogLevel.Information, Message = "Pull for {Source} is off: {Missing}")]
    private partial void LogNotConfigured(string source, string missing);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backfill of {Source} from {From} to {To} queued as run {RunId}")]
    private partial void LogBackfillQueued(string source, DateTimeOffset from, DateTimeOffset to, string runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backfill message for {Source} run {RunId} is stale; skipped")]
    private partial void LogBackfillSkipped(string source, string runId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Pull for {Source} stopped: the API refused the credentials ({Detail})")]
    private partial void LogAuthFailure(string source, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "Pull for {Source} ({Kind}) stopped on a page that could not be fetched; the checkpoint stays on it")]
    private partial void LogFetchFailed(Exception exception, string source, PullRunKind kind);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Pull for {Source} ({Kind}): page {Page} with {Items} items archived and queued")]
    private partial void LogPage(string source, PullRunKind kind, int page, int items);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pull for {Source} ({Kind}) completed: {Pages} pages, {Items} items")]
    private partial void LogRunCompleted(string source, PullRunKind kind, int pages, int items);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pull for {Source} ({Kind}) reached its budget of {MaxPages} pages; it continues from the checkpoint")]
    private partial void LogPageBudgetReached(string source, PullRunKind kind, int maxPages);
}
