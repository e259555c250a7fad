using Azure.Storage.Queues;
using System.Collections.Concurrent;
using JourneyHub.Azure.Configuration;
using JourneyHub.Azure.Storage;
using JourneyHub.Core.Ingestion;
using JourneyHub.IntegrationTests.Infrastructure;
using JourneyHub.LocalHost;
using JourneyHub.Testing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace JourneyHub.IntegrationTests.LocalHost;

/// <summary>
/// The local host's queue listener keeps host.json's <c>newBatchThreshold</c>: it fetches the next batch once no more
/// than that many messages are running, so one slow message does not hold back the messages queued behind it, and no
/// more than <c>batchSize + newBatchThreshold</c> run at once. A queue function of the test's own, on an Azurite queue.
/// </summary>
public sealed class QueueListenerTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string QueueName = "listener-test";

    [Fact]
    public async Task A_slow_message_does_not_hold_back_the_batches_behind_it_and_concurrency_stays_within_the_hosts_limits()
    {
        var options = new LocalHostOptions { BatchSize = 16, NewBatchThreshold = 8, MinPollingInterval = TimeSpan.FromMilliseconds(20) };
        await using var listening = await Listening.StartAsync(azurite.ConnectionString, options);
        var (gate, queue) = (listening.Gate, listening.Queue);

        await queue.SendMessageAsync(Gate.Slow);
        await gate.SlowStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 60; i++)
        {
            await queue.SendMessageAsync("quick-" + i);
        }

        // All of them while the slow one still runs (a listener that waits for a whole batch would stop at the first).
        await LocalHostProcess.EventuallyAsync(() => Task.FromResult(gate.Done.Count), done => done == 60, TimeSpan.FromSeconds(60));
        Assert.False(gate.SlowFinished);
        Assert.InRange(gate.MostAtOnce, 2, options.BatchSize + options.NewBatchThreshold);

        gate.ReleaseSlow();
        var left = await LocalHostProcess.EventuallyAsync(async () => (await queue.PeekMessagesAsync(32)).Value.Length, n => n == 0, TimeSpan.FromSeconds(30));
        Assert.Equal(0, left);
        Assert.True(gate.SlowFinished);
    }

    [Fact]
    public async Task A_message_running_longer_than_its_visibility_timeout_is_kept_invisible_and_runs_once()
    {
        var options = new LocalHostOptions { VisibilityTimeout = TimeSpan.FromSeconds(2), MinPollingInterval = TimeSpan.FromMilliseconds(20), MaxPollingInterval = TimeSpan.FromMilliseconds(100) };
        await using var listening = await Listening.StartAsync(azurite.ConnectionString, options);
        var (gate, queue) = (listening.Gate, listening.Queue);

        await queue.SendMessageAsync(Gate.Slow);
        await gate.SlowStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Three visibility timeouts while it runs and the listener polls.
        await Task.Delay(TimeSpan.FromSeconds(6));
        gate.ReleaseSlow();
        await LocalHostProcess.EventuallyAsync(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount, n => n == 0, TimeSpan.FromSeconds(30));

        Assert.True(gate.SlowFinished);
        Assert.Equal(1, gate.SlowRuns);
        Assert.Equal(0, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    /// <summary>The listener running the test's queue function on an emptied test queue; disposing releases the slow message and stops it.</summary>
    private sealed class Listening : IAsyncDisposable
    {
        private readonly ServiceProvider services;
        private readonly QueueTriggerWorker worker;

        private Listening(ServiceProvider services, QueueTriggerWorker worker)
        {
            this.services = services;
            this.worker = worker;
        }

        public Gate Gate => services.GetRequiredService<Gate>();

        public QueueClient Queue => services.GetRequiredService<StorageClients>().Queues.GetQueueClient(QueueName);

        public static async Task<Listening> StartAsync(string connectionString, LocalHostOptions options)
        {
            var builder = HubHostBuilder.Create(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = connectionString });
            builder.AddJourneyHubAzure();
            builder.Services.AddSingleton<Gate>();
            var services = builder.Services.BuildServiceProvider();
            var queue = services.GetRequiredService<StorageClients>().Queues.GetQueueClient(QueueName);
            await queue.CreateIfNotExistsAsync();
            await queue.ClearMessagesAsync();
            var worker = new QueueTriggerWorker(
                services,
                services.GetRequiredService<StorageClients>(),
                services.GetRequiredService<StorageBootstrap>(),
                Options.Create(new IngestionOptions()),
                Options.Create(options),
                NullLogger<QueueTriggerWorker>.Instance,
                FunctionCatalog.QueueFunctionsIn([typeof(GatedFunctions)]));
            await worker.StartAsync(CancellationToken.None);
            return new Listening(services, worker);
        }

        public async ValueTask DisposeAsync()
        {
            Gate.ReleaseSlow();
            await worker.StopAsync(CancellationToken.None);
            worker.Dispose();
            await services.DisposeAsync();
        }
    }

    /// <summary>What the test's queue function saw: the slow message waits until the test releases it.</summary>
    public sealed class Gate
    {
        public const string Slow = "slow";
        private readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int running;
        private int mostAtOnce;
        private int slowRuns;

        public TaskCompletionSource SlowStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public ConcurrentBag<string> Done { get; } = [];
        public bool SlowFinished { get; private set; }
        public int MostAtOnce => Volatile.Read(ref mostAtOnce);

        public int SlowRuns => Volatile.Read(ref slowRuns);

        public void ReleaseSlow() => release.TrySetResult();

        public async Task RunAsync(string message)
        {
            var now = Interlocked.Increment(ref running);
            for (var seen = Volatile.Read(ref mostAtOnce); now > seen && Interlocked.CompareExchange(ref mostAtOnce, now, seen) != seen; seen = Volatile.Read(ref mostAtOnce))
            {
            }

            try
            {
                if (message == Slow)
                {
                    Interlocked.Increment(ref slowRuns);
                    SlowStarted.TrySetResult();
                    await release.Task;
                    SlowFinished = true;
                    return;
                }

                // Long enough that several messages overlap.
                await Task.Delay(20);
                Done.Add(message);
            }
            finally
            {
                Interlocked.Decrement(ref running);
            }
        }
    }

    public sealed class GatedFunctions(Gate gate)
    {
        [Function("GatedWork")]
        public Task RunAsync([QueueTrigger(QueueName)] string message) => gate.RunAsync(message);
    }
}
