using Azure.Messaging.ServiceBus;
using JourneyHub.Azure.Publishing;
using JourneyHub.Core.Schema;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NSubstitute;

namespace JourneyHub.IntegrationTests.Publishing;

/// <summary>No Service Bus emulator runs here: the publisher is tested through a substituted sender and the SDK's model factory.</summary>
public sealed class ServiceBusPublisherTests
{
    [Fact]
    public async Task Each_touchpoint_is_sent_with_its_id_as_message_id_its_customer_as_session_and_the_correlation_id()
    {
        var sent = new List<ServiceBusMessage>();
        var sender = Substitute.For<ServiceBusSender>();
        sender.EntityPath.Returns("journey-events");
        sender.CreateMessageBatchAsync(Arg.Any<CancellationToken>()).Returns(_ =>
            ValueTask.FromResult(ServiceBusModelFactory.ServiceBusMessageBatch(256 * 1024, sent, tryAddCallback: _ => true)));
        var publisher = new ServiceBusTouchpointPublisher(sender, NullLogger<ServiceBusTouchpointPublisher>.Instance);

        await publisher.PublishAsync([Make("tp_1", "cus_a", "corr-1"), Make("tp_2", "cus_b", "corr-2")], CancellationToken.None);

        Assert.Equal(["tp_1", "tp_2"], sent.Select(m => m.MessageId).ToArray());
        Assert.Equal(["cus_a", "cus_b"], sent.Select(m => m.SessionId).ToArray());
        Assert.Equal(["corr-1", "corr-2"], sent.Select(m => m.CorrelationId).ToArray());
        Assert.Equal("application/json", sent[0].ContentType);
        Assert.Equal("review.posted", sent[0].Subject);
        Assert.Equal("retention", sent[0].ApplicationProperties["stage"]);
        Assert.Contains("\"touchpointId\":\"tp_1\"", sent[0].Body.ToString(), StringComparison.Ordinal);
        await sender.Received(1).SendMessagesAsync(Arg.Any<ServiceBusMessageBatch>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_full_batch_is_sent_and_the_rest_go_in_the_next_one()
    {
        var batches = 0;
        var sender = Substitute.For<ServiceBusSender>();
        sender.CreateMessageBatchAsync(Arg.Any<CancellationToken>()).Returns(_ =>
        {
            batches++;
            var accepted = 0;
            return ValueTask.FromResult(ServiceBusModelFactory.ServiceBusMessageBatch(1024, [], tryAddCallback: _ => ++accepted <= 2));
        });
        var publisher = new ServiceBusTouchpointPublisher(sender, NullLogger<ServiceBusTouchpointPublisher>.Instance);

        await publisher.PublishAsync(Enumerable.Range(0, 5).Select(i => Make($"tp_{i}", "cus_a", "c")).ToList(), CancellationToken.None);

        Assert.Equal(3, batches);
        await sender.Received(3).SendMessagesAsync(Arg.Any<ServiceBusMessageBatch>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Without_a_namespace_publishing_is_off_and_says_so_once()
    {
        var logger = new CountingLogger<DisabledTouchpointPublisher>();
        var publisher = new DisabledTouchpointPublisher(logger);

        await publisher.PublishAsync([Make("tp_1", "cus_a", "c")], CancellationToken.None);
        await publisher.PublishAsync([Make("tp_2", "cus_a", "c")], CancellationToken.None);

        Assert.Equal(1, logger.Count);
    }

    private static Touchpoint Make(string id, string customerId, string correlationId) => new()
    {
        TouchpointId = id,
        CustomerId = customerId,
        Source = "trustpilot",
        SourceEventId = id,
        OccurredAt = DateTimeOffset.UtcNow,
        Channel = Channel.Review,
        Kind = TouchpointKind.Indirect,
        Stage = JourneyStage.Retention,
        Action = "review.posted",
        Summary = "5★ review",
        Attributes = new Dictionary<string, string> { ["correlationId"] = correlationId },
    };

    private sealed class CountingLogger<T> : ILogger<T>
    {
        public int Count { get; private set; }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) => Count++;
    }
}
