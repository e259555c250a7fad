using System.Text;
using JourneyHub.Core;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Signatures;
using JourneyHub.Core.Sources;
using JourneyHub.Testing.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace JourneyHub.UnitTests.Ingestion;

/// <summary>
/// verify → store (inside the queue message when small, archived then enqueued when large) → acknowledge, with the real
/// verifiers and in-memory archive and queue: nothing is acknowledged that is not stored and queued, nothing unverified is
/// stored, and a storage failure asks for a retry.
/// </summary>
public sealed class WebhookIntakeTests : IDisposable
{
    private const string MetaSecret = "3b1f0c9d8e7a6b5c4d3e2f1a0b9c8d7e";
    private const string CustomSecret = "whsec_BwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSY=";
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    private readonly InMemoryRawArchive archive = new();
    private readonly InMemoryIngestionQueue queue = new();
    private readonly ServiceProvider services;
    private readonly WebhookIntake intake;

    public WebhookIntakeTests()
    {
        var builder = HubHostBuilder.Create(new Dictionary<string, string?>
        {
            ["Sources:Meta:AppSecret"] = MetaSecret,
            ["Sources:Custom:contoso-pos:Secret"] = CustomSecret,
        });
        builder.AddJourneyHubCore();
        services = builder.Services.BuildServiceProvider();
        intake = new WebhookIntake(services.GetRequiredService<SourceRegistry>(), archive, queue, new FakeTimeProvider(Now), NullLogger<WebhookIntake>.Instance);
    }

    public void Dispose() => services.Dispose();

    [Fact]
    public async Task A_small_verified_delivery_is_queued_with_its_exact_bytes_before_it_is_acknowledged_and_archived_by_the_processor_later()
    {
        var body = Fixture.Bytes("meta/meta-page-messenger-message.json");

        var result = await intake.AcceptAsync(SourceId.Meta, Meta(body), CancellationToken.None);

        Assert.Equal(IntakeStatus.Accepted, result.Status);
        var message = Assert.Single(queue.Messages);
        Assert.Equal(result.BlobName, message.BlobName);
        Assert.Equal("meta", message.Source);
        Assert.Equal(Now, message.ReceivedAt);
        Assert.Equal("application/json", message.ContentType);
        Assert.Equal(result.CorrelationId, message.CorrelationId);
        Assert.Equal(result.CorrelationId, message.Properties["correlationId"]);
        Assert.Equal(body, message.InlineBody);

        // The message is the stored copy: one write on the ack path. The reference is the one the archive derives.
        Assert.Empty(archive.Entries);
        Assert.Equal(archive.ReferenceFor("meta", body, "application/json", message.Properties), result.BlobName);

        await archive.ArchiveInlineBodyAsync(message, CancellationToken.None);
        var archived = Assert.Single(archive.Entries);
        Assert.Equal((result.BlobName, "meta", Now), (archived.Key, archived.Value.Source, archived.Value.ReceivedAt));
        Assert.Equal(body, archived.Value.Body);
    }

    [Fact]
    public async Task A_body_too_large_to_travel_in_the_message_is_archived_and_only_referenced()
    {
        var body = LargeMeta();

        var result = await intake.AcceptAsync(SourceId.Meta, Meta(body), CancellationToken.None);

        Assert.Equal(IntakeStatus.Accepted, result.Status);
        Assert.Equal(body, archive.Entries[result.BlobName!].Body);
        var message = Assert.Single(queue.Messages);
        Assert.Null(message.InlineBody);
        Assert.Equal(body, (await archive.ReadAsync(message, CancellationToken.None))!.Body.ToArray());
    }

    [Fact]
    public async Task A_redelivery_of_the_same_bytes_lands_on_the_same_archive_entry()
    {
        var body = Fixture.Bytes("meta/meta-instagram-comment.json");

        var first = await intake.AcceptAsync(SourceId.Meta, Meta(body), CancellationToken.None);
        var again = await intake.AcceptAsync(SourceId.Meta, Meta(body), CancellationToken.None);

        Assert.Equal(first.BlobName, again.BlobName);
        Assert.Equal(2, queue.Messages.Count);
        foreach (var message in queue.Messages)
        {
            await archive.ArchiveInlineBodyAsync(message, CancellationToken.None);
        }

        Assert.Equal(first.BlobName, Assert.Single(archive.Entries).Key);
    }

    [Theory]
    [InlineData(null, IntakeStatus.Unauthorized)]
    [InlineData("sha256=0000000000000000000000000000000000000000000000000000000000000000", IntakeStatus.Unauthorized)]
    [InlineData("md5=abc", IntakeStatus.Unauthorized)]
    public async Task An_unverified_delivery_is_refused_and_nothing_is_stored(string? signature, IntakeStatus expected)
    {
        var body = Fixture.Bytes("meta/meta-page-messenger-message.json");
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (signature is not null)
        {
            headers[MetaSignature.HeaderName] = signature;
        }

        var result = await intake.AcceptAsync(SourceId.Meta, Webhook("/api/webhooks/meta", body, headers), CancellationToken.None);

        Assert.Equal(expected, result.Status);
        Assert.NotNull(result.Detail);
        Assert.Empty(archive.Entries);
        Assert.Empty(queue.Messages);
    }

    [Fact]
    public async Task A_source_without_its_secret_is_not_configured_and_an_unknown_one_is_unknown()
    {
        var body = Fixture.Bytes("custom/standard-webhooks-custom-source.json");
        var signed = Headers(WebhookSigner.StandardWebhooks(CustomSecret, "msg_1", body, Now));

        var unconfigured = await intake.AcceptAsync(Custom("other-pos"), Webhook("/api/webhooks/custom/other-pos", body, signed, sourceName: "other-pos"), CancellationToken.None);
        var unknown = await intake.AcceptAsync(SourceId.Parse("no-such-source"), Webhook("/api/webhooks/no-such-source", body, signed), CancellationToken.None);

        Assert.Equal(IntakeStatus.NotConfigured, unconfigured.Status);
        Assert.Equal(IntakeStatus.UnknownSource, unknown.Status);
        Assert.Empty(archive.Entries);
        Assert.Empty(queue.Messages);
    }

    [Fact]
    public async Task A_custom_source_is_stored_under_its_own_name_with_the_webhook_id_for_the_processor()
    {
        var body = Fixture.Bytes("custom/standard-webhooks-custom-source.json");
        var signed = Headers(WebhookSigner.StandardWebhooks(CustomSecret, "msg_2tZk7Qm2xWv9LbT4pN8rJ1cYd0F", body, Now));

        var result = await intake.AcceptAsync(Custom("contoso-pos"), Webhook("/api/webhooks/custom/contoso-pos", body, signed, sourceName: "contoso-pos"), CancellationToken.None);

        Assert.Equal(IntakeStatus.Accepted, result.Status);
        var message = Assert.Single(queue.Messages);
        Assert.Equal("custom:contoso-pos", message.Source);
        Assert.Equal("msg_2tZk7Qm2xWv9LbT4pN8rJ1cYd0F", message.Properties["webhookId"]);
        await archive.ArchiveInlineBodyAsync(message, CancellationToken.None);
        Assert.Equal("custom:contoso-pos", archive.Entries[result.BlobName!].Source);
    }

    [Theory]
    [InlineData("trace0123456789", "trace0123456789")]
    [InlineData("not allowed!", null)]
    public async Task A_well_formed_correlation_id_is_kept_and_any_other_replaced(string given, string? kept)
    {
        var body = Fixture.Bytes("meta/meta-page-messenger-message.json");
        var webhook = Meta(body);
        var headers = new Dictionary<string, string>(webhook.Headers, StringComparer.OrdinalIgnoreCase) { ["x-correlation-id"] = given };

        var result = await intake.AcceptAsync(SourceId.Meta, webhook with { Headers = headers }, CancellationToken.None);

        Assert.Equal(IntakeStatus.Accepted, result.Status);
        if (kept is null)
        {
            Assert.NotEqual(given, result.CorrelationId);
            Assert.Equal(32, result.CorrelationId!.Length);
        }
        else
        {
            Assert.Equal(kept, result.CorrelationId);
        }

        Assert.Equal(result.CorrelationId, Assert.Single(queue.Messages).CorrelationId);
    }

    [Fact]
    public async Task When_the_archive_of_a_large_body_fails_the_sender_is_asked_to_retry_and_the_retry_lands_on_the_same_entry()
    {
        var body = LargeMeta();
        archive.FailWith = new IOException("storage account unreachable");

        var failed = await intake.AcceptAsync(SourceId.Meta, Meta(body), CancellationToken.None);
        archive.FailWith = null;
        var retried = await intake.AcceptAsync(SourceId.Meta, Meta(body), CancellationToken.None);

        Assert.Equal(IntakeStatus.StorageUnavailable, failed.Status);
        Assert.Null(failed.BlobName);
        Assert.Equal(IntakeStatus.Accepted, retried.Status);
        Assert.Equal(body, Assert.Single(archive.Entries).Value.Body);
        Assert.Equal(retried.BlobName, Assert.Single(queue.Messages).BlobName);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task When_the_queue_fails_the_sender_is_asked_to_retry(bool large)
    {
        var body = large ? LargeMeta() : Fixture.Bytes("meta/meta-page-messenger-message.json");
        queue.FailWith = new IOException("queue unreachable");

        var result = await intake.AcceptAsync(SourceId.Meta, Meta(body), CancellationToken.None);

        Assert.Equal(IntakeStatus.StorageUnavailable, result.Status);
        Assert.Empty(queue.Messages);

        // A large body was archived before the enqueue failed (the retry finds it); a small one was never written.
        Assert.Equal(large ? [body] : [], archive.Entries.Values.Select(e => e.Body));
    }

    private static byte[] LargeMeta() =>
        Encoding.UTF8.GetBytes("{\"object\":\"page\",\"entry\":[],\"padding\":\"" + new string('x', IngestionMessage.MaxInlineBytes) + "\"}");

    private static SourceId Custom(string name) => SourceId.TryCustom(name, out var source) ? source : throw new ArgumentException(name, nameof(name));

    private static InboundWebhook Meta(byte[] body) => Webhook("/api/webhooks/meta", body, Headers(WebhookSigner.Meta(MetaSecret, body)));

    private static Dictionary<string, string> Headers(KeyValuePair<string, string>[] signed) => new(signed, StringComparer.OrdinalIgnoreCase);

    private static InboundWebhook Webhook(string path, byte[] body, IReadOnlyDictionary<string, string> headers, string? sourceName = null) =>
        new("POST", "https://hub.example" + path, headers, body, "application/json", sourceName);
}
