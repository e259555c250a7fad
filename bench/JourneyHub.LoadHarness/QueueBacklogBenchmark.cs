using System.Diagnostics;
using System.Globalization;
using Azure.Storage.Queues;
using JourneyHub.LocalHost;

namespace JourneyHub.LoadHarness;

/// <summary>
/// What a queue backlog costs the emulator itself, without the hub: on a bare Azurite, the latency of the processor's
/// two queue calls (a batched get of 16 messages, then a delete per message) with 100 messages waiting, and again with
/// larger backlogs, in one run. Azurite 3.x keeps a queue's messages in one in-memory LokiJS collection: every get
/// filters and sorts all visible messages of the queue, and every get and delete first sweeps it for expired ones, so
/// each call costs time in proportion to the backlog. The 20,000-delivery runs build such backlogs (the senders
/// outpace the drain), which is why they slow down as they go on an emulator where Azure Storage would not.
/// </summary>
public static class QueueBacklogBenchmark
{
    private static readonly int[] Backlogs = [100, 2_000, 8_000, 20_000];
    private const int Cycles = 24;
    private const int BatchSize = 16;

    public static async Task<HarnessOutcome> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        var outcome = new HarnessOutcome();
        await using var azurite = await AzuriteProcess.StartAsync(cancellationToken: cancellationToken);
        var queue = new QueueClient(azurite.ConnectionString, "backlog-probe", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        output.WriteLine($"scenario queue-backlog: bare Azurite, {Cycles} cycles of one get ({BatchSize} messages) and {BatchSize} deletes at each backlog");

        var body = new string('x', 400);
        var waiting = 0;
        double? baseGet = null, baseDelete = null;
        foreach (var backlog in Backlogs)
        {
            // Fill to the backlog plus what the cycles take out, 16 writers at once, as the webhook senders do.
            var target = backlog + (Cycles * BatchSize);
            await Parallel.ForEachAsync(
                Enumerable.Range(waiting, target - waiting),
                new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
                async (_, token) => await queue.SendMessageAsync(body, token));
            waiting = target;

            var gets = new List<double>(Cycles);
            var deletes = new List<double>(Cycles * BatchSize);
            for (var cycle = 0; cycle < Cycles; cycle++)
            {
                var watch = Stopwatch.StartNew();
                var received = (await queue.ReceiveMessagesAsync(BatchSize, TimeSpan.FromMinutes(10), cancellationToken)).Value;
                gets.Add(watch.Elapsed.TotalMilliseconds);
                foreach (var message in received)
                {
                    watch.Restart();
                    await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
                    deletes.Add(watch.Elapsed.TotalMilliseconds);
                }

                waiting -= received.Length;
            }

            var (get, delete) = (Percentiles.Of(gets, 50), Percentiles.Of(deletes, 50));
            baseGet ??= get;
            baseDelete ??= delete;
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"  backlog {backlog,6:N0}: get of {BatchSize} p50 {get,7:F1} ms ({get / baseGet.Value:F1}x), delete p50 {delete,6:F1} ms ({delete / baseDelete.Value:F1}x); per message {get / BatchSize + delete:F1} ms"));
            outcome.Figures[$"get_p50_ms_at_{backlog}"] = get;
            outcome.Figures[$"delete_p50_ms_at_{backlog}"] = delete;
        }

        return outcome;
    }
}
