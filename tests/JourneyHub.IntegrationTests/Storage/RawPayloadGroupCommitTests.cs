using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using JourneyHub.Azure.Storage;
using JourneyHub.IntegrationTests.Infrastructure;

namespace JourneyHub.IntegrationTests.Storage;

/// <summary>
/// The raw archive's group commit on Azurite: an entity the service refuses fails only its own callers, and an insert
/// whose caller gave up is never committed later for nobody.
/// </summary>
public sealed class RawPayloadGroupCommitTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task An_entity_the_service_refuses_fails_only_its_own_caller_and_the_rest_of_its_transaction_is_stored()
    {
        var table = await NewTableAsync(new TableClientOptions());
        var commit = new RawPayloadGroupCommit(() => table);
        var partition = "raw-" + Guid.NewGuid().ToString("N");

        // A row key with '/' is refused by the service; it rides the same transactions as the good ones.
        var good = Enumerable.Range(0, 5).Select(i => new TableEntity(partition, "good-" + i) { ["Body"] = "b" + i }).ToList();
        var bad = new TableEntity(partition, "bad/key") { ["Body"] = "x" };
        var inserts = good.Take(2).Append(bad).Concat(good.Skip(2)).Select(e => (e, Task.Run(() => commit.InsertAsync(e, default)))).ToList();
        var outcomes = await Task.WhenAll(inserts.Select(async i => (i.e.RowKey, Error: await Record(i.Item2))));

        Assert.All(outcomes.Where(o => o.RowKey != bad.RowKey), o => Assert.Null(o.Error));
        Assert.IsAssignableFrom<Exception>(outcomes.Single(o => o.RowKey == bad.RowKey).Error);
        var stored = new List<string>();
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}")))
        {
            stored.Add(entity.RowKey);
        }

        Assert.Equal(good.Select(e => e.RowKey).Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_insert_whose_caller_gave_up_while_another_held_it_in_flight_is_not_committed_later()
    {
        var hold = new HoldBatches();
        var options = new TableClientOptions();
        options.AddPolicy(hold, HttpPipelinePosition.PerCall);
        var table = await NewTableAsync(options);
        var commit = new RawPayloadGroupCommit(() => table);

        // Which of two waiting callers gets the gate next is up to the semaphore (in practice the first): repeat until the
        // first to give up was the one waiting, so that its insert sat in the other's transaction when both gave up.
        var exercised = false;
        for (var attempt = 0; attempt < 10 && !exercised; attempt++)
        {
            var partition = "raw-" + Guid.NewGuid().ToString("N");
            var first = commit.InsertAsync(new TableEntity(partition, "first"), default);
            Assert.True(await hold.ArrivedAsync());
            using var aCancel = new CancellationTokenSource();
            using var bCancel = new CancellationTokenSource();
            var a = commit.InsertAsync(new TableEntity(partition, "a"), aCancel.Token);
            var b = commit.InsertAsync(new TableEntity(partition, "b"), bCancel.Token);
            hold.ReleaseOne();
            await first;

            // The next holder's transaction carries both inserts, and is held.
            Assert.True(await hold.ArrivedAsync());
            var cancelledBefore = hold.CancelledWhileHeld;
            await bCancel.CancelAsync();
            Assert.IsAssignableFrom<OperationCanceledException>(await Record(b));
            if (hold.CancelledWhileHeld > cancelledBefore)
            {
                // 'b' held the gate: it put 'a' back, and 'a' now holds a transaction of its own.
                Assert.True(await hold.ArrivedAsync());
                await aCancel.CancelAsync();
                await Record(a);
                continue;
            }

            // 'b' was waiting and its insert rides 'a''s transaction; 'a' gives up too while holding it.
            await aCancel.CancelAsync();
            Assert.IsAssignableFrom<OperationCanceledException>(await Record(a));
            exercised = true;

            // The next insert's transaction carries only itself: neither abandoned insert comes back.
            hold.PassThrough = true;
            await commit.InsertAsync(new TableEntity(partition, "later"), default);
            var stored = new List<string>();
            await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}")))
            {
                stored.Add(entity.RowKey);
            }

            Assert.Equal(["first", "later"], stored.Order(StringComparer.Ordinal));
        }

        Assert.True(exercised);
    }

    private async Task<TableClient> NewTableAsync(TableClientOptions options)
    {
        var table = new TableServiceClient(azurite.ConnectionString, options).GetTableClient("GroupCommit" + Guid.NewGuid().ToString("N")[..12]);
        await table.CreateIfNotExistsAsync();
        return table;
    }

    private static async Task<Exception?> Record(Task task)
    {
        try
        {
            await task;
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    /// <summary>Holds every entity-group transaction until released one by one; a held caller's cancellation ends its wait.</summary>
    private sealed class HoldBatches : HttpPipelinePolicy
    {
        private readonly SemaphoreSlim permits = new(0);
        private readonly SemaphoreSlim arrivals = new(0);
        private int cancelledWhileHeld;

        public bool PassThrough { get; set; }

        public int CancelledWhileHeld => Volatile.Read(ref cancelledWhileHeld);

        public Task<bool> ArrivedAsync() => arrivals.WaitAsync(TimeSpan.FromSeconds(30));

        public void ReleaseOne() => permits.Release();

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("The table client is used asynchronously here.");

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (!PassThrough && message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal))
            {
                arrivals.Release();
                try
                {
                    await permits.WaitAsync(message.CancellationToken);
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref cancelledWhileHeld);
                    throw;
                }
            }

            await ProcessNextAsync(message, pipeline);
        }
    }
}
