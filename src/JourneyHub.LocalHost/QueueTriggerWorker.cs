using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using JourneyHub.Azure.Storage;
using JourneyHub.Core.Ingestion;
using Microsoft.Extensions.Options;

namespace JourneyHub.LocalHost;

/// <summary>
/// Plays the Functions host's queue listener: receives batches, runs the queue-triggered function, deletes
/// on success, leaves the message to reappear after its visibility timeout on failure, and moves it to
/// "&lt;queue&gt;-poison" after maxDequeueCount attempts — the same contract as host.json describes. Like the
/// host, it fetches the next batch as soon as no more than <see cref="LocalHostOptions.NewBatchThreshold"/> messages
/// are still running, so one slow message does not hold back the ones queued behind it.
/// </summary>
public sealed partial class QueueTriggerWorker(
    IServiceProvider services,
    StorageClients clients,
    StorageBootstrap bootstrap,
    IOptions<IngestionOptions> ingestion,
    IOptions<LocalHostOptions> options,
    ILogger<QueueTriggerWorker> logger,
    IReadOnlyList<QueueFunction>? functions = null) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();

        // The Functions app's queue triggers, unless a test gives functions of its own.
        var workers = (functions ?? FunctionCatalog.QueueFunctions).Select(f => RunAsync(f, stoppingToken)).ToList();
        await Task.WhenAll(workers);
    }

    private async Task RunAsync(QueueFunction function, CancellationToken stoppingToken)
    {
        var queue = clients.Queues.GetQueueClient(function.QueueName);
        var poison = clients.Queues.GetQueueClient(function.QueueName + "-poison");
        var idleDelay = options.Value.MinPollingInterval;
        var exists = false;
        var running = new List<Task>();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                running.RemoveAll(t => t.IsCompleted);
                while (running.Count > Math.Max(0, options.Value.NewBatchThreshold))
                {
                    running.Remove(await Task.WhenAny(running));
                }

                await bootstrap.EnsureAsync(stoppingToken);
                if (!exists)
                {
                    // Queues outside the bootstrap's list (journey-backfill) exist once something is sent; listen anyway.
                    await queue.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
                    exists = true;
                }

                QueueMessage[] messages = await queue.ReceiveMessagesAsync(options.Value.BatchSize, options.Value.VisibilityTimeout, stoppingToken);
                if (messages.Length == 0)
                {
                    await Task.Delay(idleDelay, stoppingToken);
                    idleDelay = TimeSpan.FromTicks(Math.Min(idleDelay.Ticks * 2, options.Value.MaxPollingInterval.Ticks));
                    continue;
                }

                idleDelay = options.Value.MinPollingInterval;
                running.AddRange(messages.Select(m => HandleAsync(function, queue, poison, m, stoppingToken)));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // Storage down: keep polling, slower, like the Functions host does.
                LogPollFailed(ex, function.QueueName);
                await Task.Delay(options.Value.MaxPollingInterval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        // Messages still running when the host stops end with it; an unfinished one reappears after its visibility timeout.
        await Task.WhenAll(running).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task HandleAsync(QueueFunction function, QueueClient queue, QueueClient poison, QueueMessage message, CancellationToken stoppingToken)
    {
        // Like the Functions host, keep the message invisible while it runs: the listener keeps polling meanwhile, and a
        // run longer than the visibility timeout would otherwise be received a second time. Each renewal changes the pop
        // receipt, so what follows the run uses the latest one (the lease holds it).
        var lease = new Lease(message.MessageId, message.PopReceipt);
        using var renewing = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var renewal = KeepInvisibleAsync(queue, lease, renewing.Token);
        try
        {
            try
            {
                await FunctionEndpoints.InvokeQueueFunctionAsync(services, function, message, stoppingToken);
            }
            finally
            {
                await renewing.CancelAsync();
                await renewal;
            }

            await queue.DeleteMessageAsync(lease.MessageId, lease.PopReceipt, CancellationToken.None);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            var inner = ex is System.Reflection.TargetInvocationException { InnerException: { } e } ? e : ex;
            LogAttemptFailed(inner, function.Name, message.MessageId, message.DequeueCount);
            try
            {
                if (message.DequeueCount >= ingestion.Value.MaxDequeueCount)
                {
                    // As the Functions host does (its copy keeps the default time-to-live): the poison queue's recorder
                    // (PoisonQueueFunctions, served here too) archives bytes the message carries before it records the dead letter.
                    await poison.SendMessageAsync(message.MessageText, CancellationToken.None);
                    await queue.DeleteMessageAsync(lease.MessageId, lease.PopReceipt, CancellationToken.None);
                    LogPoisoned(message.MessageId, poison.Name);
                }
                else
                {
                    // Make it visible again soon (the Functions host does the same with its visibilityTimeout).
                    await queue.UpdateMessageAsync(lease.MessageId, lease.PopReceipt, visibilityTimeout: options.Value.RetryDelay, cancellationToken: CancellationToken.None);
                }
            }
            catch (Exception followUp)
            {
                // Storage refused the delete, move or update: the message reappears after its visibility timeout and is tried again.
                LogFollowUpFailed(followUp, function.Name, message.MessageId);
            }
        }
    }

    /// <summary>Renews the message's invisibility at half its visibility timeout until the run ends.</summary>
    private async Task KeepInvisibleAsync(QueueClient queue, Lease lease, CancellationToken cancellationToken)
    {
        var timeout = options.Value.VisibilityTimeout;
        if (timeout <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            while (true)
            {
                await Task.Delay(timeout / 2, cancellationToken);
                var receipt = await queue.UpdateMessageAsync(lease.MessageId, lease.PopReceipt, visibilityTimeout: timeout, cancellationToken: cancellationToken);
                lease.PopReceipt = receipt.Value.PopReceipt;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The run ended.
        }
        catch (Exception ex)
        {
            // The message will reappear after the timeout it has; the run goes on.
            LogRenewalFailed(ex, lease.MessageId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Polling {Queue} failed; retrying")]
    private partial void LogPollFailed(Exception exception, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Function} failed for message {MessageId} (attempt {DequeueCount})")]
    private partial void LogAttemptFailed(Exception exception, string function, string messageId, long dequeueCount);

    [LoggerMessage(Level = LogLevel.Error, Message = "Message {MessageId} moved to {PoisonQueue}")]
    private partial void LogPoisoned(string messageId, string poisonQueue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "After {Function} failed for message {MessageId}, storage refused its delete, move or update")]
    private partial void LogFollowUpFailed(Exception exception, string function, string messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Keeping message {MessageId} invisible while it runs failed")]
    private partial void LogRenewalFailed(Exception exception, string messageId);

    /// <summary>A received message's claim: its pop receipt changes with every renewal, and the run's follow-up needs the latest.</summary>
    private sealed class Lease(string messageId, string popReceipt)
    {
        public string MessageId { get; } = messageId;

        public string PopReceipt { get; set; } = popReceipt;
    }
}

public sealed class LocalHostOptions
{
    public const string Section = "LocalHost";

    public int BatchSize { get; set; } = 16;

    /// <summary>host.json's <c>newBatchThreshold</c>: the next batch is fetched once no more than this many messages are running.</summary>
    public int NewBatchThreshold { get; set; } = 8;
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);
    public TimeSpan MinPollingInterval { get; set; } = TimeSpan.FromMilliseconds(50);
    public TimeSpan MaxPollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    // The keys (LocalHost:FunctionKey, LocalHost:AdminKey, LocalHost:FunctionKeys:<name>) are read by LocalKeys, which
    // models the Functions host's key levels; they are not queue settings.
}
