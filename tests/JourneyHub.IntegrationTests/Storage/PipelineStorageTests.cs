using System.Collections.Immutable;
using System.Text;
using Azure.Data.Tables;
using JourneyHub.Azure.Configuration;
using JourneyHub.Azure.Storage;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Processing;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Timeline;
using JourneyHub.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace JourneyHub.IntegrationTests.Storage;

/// <summary>The storage adapters and the processor on a real Azurite, wired by the same AddJourneyHubAzure as production.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class PipelineStorageTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task More_than_one_hundred_rows_are_written_in_batches_and_repeats_are_reported_as_duplicates()
    {
        await using var services = Build();
        var store = services.GetRequiredService<ITimelineStore>();
        var customerId = TouchpointIds.NewCustomerId(DateTimeOffset.UtcNow);
        var touchpoints = Enumerable.Range(0, 250).Select(i => Make(customerId, $"evt-{customerId}-{i}", DateTimeOffset.UtcNow.AddMinutes(-i))).ToList();

        var first = await store.AppendAsync(customerId, touchpoints, AppendOptions.Default, CancellationToken.None);
        var again = await store.AppendAsync(customerId, [.. touchpoints.Take(3), Make(customerId, "fresh-" + customerId, DateTimeOffset.UtcNow)], AppendOptions.Default, CancellationToken.None);

        Assert.Equal(250, first.Inserted.Count);
        Assert.Empty(first.Duplicates);
        Assert.Equal(3, again.Duplicates.Count);
        Assert.Single(again.Inserted);
        var page = await store.QueryAsync(customerId, new TimelineQuery { Limit = 200 }, CancellationToken.None);
        Assert.Equal(200, page.Items.Count);
        Assert.NotNull(page.NextCursor);
    }

    [Fact]
    public async Task Concurrent_first_events_for_the_same_person_end_up_as_one_customer()
    {
        await using var services = Build();
        var resolver = services.GetRequiredService<IdentityResolver>();
        var email = Identity.Create("email", $"race-{Guid.NewGuid():N}@example.com")!;
        var phone = Identity.Create("phone", "+4670" + Random.Shared.Next(1000000, 9999999))!;
        var hubspot = Identity.Create("hubspot", Random.Shared.NextInt64(1, long.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture))!;
        IReadOnlyList<Identity>[] sets = [[email], [email, phone], [phone, hubspot], [hubspot, email], [email, phone, hubspot]];

        var timeline = services.GetRequiredService<ITimelineStore>();
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            // As the processor does: assign, then list the linked identities on the summary in the partition write.
            var assignment = await resolver.AssignAsync(sets[i % sets.Length], "race", CancellationToken.None);
            return (await timeline.AppendAsync(assignment.CustomerId!, [], new AppendOptions { Identities = assignment.Linked }, CancellationToken.None)).CustomerId;
        })));

        var identities = services.GetRequiredService<IIdentityStore>();
        var owners = new[] { await identities.FindCustomerAsync(email, default), await identities.FindCustomerAsync(phone, default), await identities.FindCustomerAsync(hubspot, default) };
        Assert.Single(owners.Distinct());
        var reader = services.GetRequiredService<JourneyHub.Core.Api.CustomerReader>();
        foreach (var result in results.Distinct())
        {
            Assert.Equal(owners[0], (await reader.FindAsync(result!, default))!.CustomerId);
        }
    }

    [Fact]
    public async Task A_message_that_always_fails_becomes_a_dead_letter_with_its_reason_on_the_last_attempt_and_its_raw_payload_stays()
    {
        var failingTimeline = Substitute.For<ITimelineStore>();
        failingTimeline.AppendAsync(default!, default!, default!, default).ThrowsAsyncForAnyArgs(new IOException("disk on fire"));
        await using var services = Build(s => s.AddSingleton(failingTimeline));
        var archive = services.GetRequiredService<IRawArchive>();
        var handler = services.GetRequiredService<QueueMessageHandler>();
        var body = Encoding.UTF8.GetBytes($$"""[{"eventId":{{Random.Shared.Next()}},"occurredAt":1741962118305,"subscriptionType":"contact.creation","objectId":{{Random.Shared.NextInt64(1, long.MaxValue)}}}]""");
        var blobName = await archive.ArchiveAsync("hubspot", body, "application/json", ImmutableDictionary<string, string>.Empty, DateTimeOffset.UtcNow, default);
        var message = System.Text.Json.JsonSerializer.Serialize(new IngestionMessage { Source = "hubspot", BlobName = blobName, ReceivedAt = DateTimeOffset.UtcNow, CorrelationId = "c1" }, JourneyJson.Options);

        for (var attempt = 1; attempt < 5; attempt++)
        {
            await Assert.ThrowsAsync<IOException>(() => handler.HandleAsync(message, attempt, default));
        }

        var report = await handler.HandleAsync(message, 5, default);

        Assert.Equal(1, report.DeadLettered);
        var deadLetter = Assert.Single(await services.GetRequiredService<IDeadLetterStore>().ListAsync("hubspot", null, null, 1000, default), d => d.BlobName == blobName);
        Assert.Contains("Failed after 5 attempts", deadLetter.Reason, StringComparison.Ordinal);
        Assert.Contains("disk on fire", deadLetter.Reason, StringComparison.Ordinal);
        Assert.Equal(body, await azurite.RawPayloadAsync(blobName));
    }

    [Fact]
    public async Task Identity_keys_with_characters_tables_forbid_are_stored_and_found()
    {
        await using var services = Build();
        var identities = services.GetRequiredService<IIdentityStore>();
        var awkward = new Identity("custom:crm", $"a/b\\c#d?e%f-{Guid.NewGuid():N}");
        var customerId = TouchpointIds.NewCustomerId(DateTimeOffset.UtcNow);

        Assert.Equal(new IdentityClaim(customerId), await identities.ClaimAsync(awkward, customerId, default));
        Assert.Equal(customerId, await identities.FindCustomerAsync(awkward, default));
        Assert.Equal(new IdentityClaim(customerId), await identities.ClaimAsync(awkward, "cus_someoneelse", default));
    }

    private ServiceProvider Build(Action<IServiceCollection>? configure = null)
    {
        var builder = HubHostBuilder.Create(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString, ["Privacy:SuppressionKey"] = "pipeline-storage-tests-suppression-key-0123" });
        builder.AddJourneyHubAzure();
        var services = builder.Services;
        configure?.Invoke(services);
        return services.BuildServiceProvider();
    }

    private static Touchpoint Make(string customerId, string eventId, DateTimeOffset at) => new()
    {
        TouchpointId = TouchpointIds.For("test", eventId),
        CustomerId = customerId,
        Source = "test",
        SourceEventId = eventId,
        OccurredAt = at,
        Channel = Channel.Web,
        Kind = TouchpointKind.Direct,
        Action = "page.viewed",
        Summary = "Viewed a page",
    };
}
