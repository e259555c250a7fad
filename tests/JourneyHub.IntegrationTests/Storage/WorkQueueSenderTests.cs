using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using JourneyHub.Azure.Storage;
using JourneyHub.IntegrationTests.Infrastructure;

namespace JourneyHub.IntegrationTests.Storage;

/// <summary>The sender that puts replayed and sent-back messages on a queue, on Azurite, with every queue request counted.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class WorkQueueSenderTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_send_to_an_existing_queue_is_one_request_and_a_missing_queue_is_created_first()
    {
        var counter = new RecordedRequests();
        var queueOptions = new QueueClientOptions { MessageEncoding = StorageClients.MessageEncoding };
        queueOptions.AddPolicy(counter, HttpPipelinePosition.PerCall);
        var clients = StorageClients.From(
            new TableServiceClient(azurite.ConnectionString),
            new BlobServiceClient(azurite.ConnectionString),
            new QueueServiceClient(azurite.ConnectionString, queueOptions));
        var sender = new StorageWorkQueueSender(clients);
        var queueName = "work-" + Guid.NewGuid().ToString("N")[..12];

        await sender.SendAsync(queueName, "first", TimeSpan.Zero, default);
        var afterCreate = counter.Entries.Count;
        await sender.SendAsync(queueName, "second", TimeSpan.Zero, default);

        // Missing queue: the refused send, the create, the send again. Existing queue: the send alone.
        Assert.Equal(3, afterCreate);
        Assert.Equal(1, counter.Entries.Count - afterCreate);
        var messages = (await azurite.Queue(queueName).ReceiveMessagesAsync(maxMessages: 10)).Value;
        Assert.Equal(["first", "second"], messages.Select(m => m.Body.ToString()).Order(StringComparer.Ordinal));
        Assert.All(messages, m => Assert.True(m.ExpiresOn > DateTimeOffset.UtcNow.AddYears(100), $"the message expires on {m.ExpiresOn:O}"));
    }
}
