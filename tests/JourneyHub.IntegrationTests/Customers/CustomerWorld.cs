using JourneyHub.Azure.Customers;
using JourneyHub.Azure.Segments;
using JourneyHub.Azure.Storage;
using JourneyHub.Core.Api;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;
using JourneyHub.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace JourneyHub.IntegrationTests.Customers;

/// <summary>The real table stores on the shared Azurite, and the identity logic wired over them (optionally through faulting wrappers).</summary>
internal sealed class CustomerWorld
{
    private static long next = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public CustomerWorld(AzuriteFixture azurite, IdentityOptions? options = null, TimeProvider? clock = null)
    {
        var bootstrap = new StorageBootstrap(azurite.Clients);
        var summaries = new SummaryCache(Microsoft.Extensions.Options.Options.Create(new StorageCacheOptions()));
        Customers = new TableCustomerStore(azurite.Clients, bootstrap, summaries, TimeProvider.System);
        Timeline = new TableTimelineStore(azurite.Clients, bootstrap, summaries, Customers, TimeProvider.System);
        Identities = new TableIdentityStore(azurite.Clients, bootstrap, Keys, TimeProvider.System);
        Storage = new CustomerStorage(azurite.Clients, bootstrap);
        Conflicts = new TableIdentityConflictStore(Storage);
        Analytics = new TableJourneyAnalytics(azurite.Clients);
        Segments = new TableSegmentAggregates(azurite.Clients, clock ?? TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new StorageCacheOptions()), NullLogger<TableSegmentAggregates>.Instance);
        Guard = new IdentityGuard(options ?? new IdentityOptions());
    }

    public ITimelineStore Timeline { get; }
    public IIdentityStore Identities { get; }
    public ICustomerStore Customers { get; }
    public CustomerStorage Storage { get; }
    public IIdentityConflictStore Conflicts { get; }
    public IJourneyAnalytics Analytics { get; }
    public TableSegmentAggregates Segments { get; }
    public IdentityGuard Guard { get; }

    /// <summary>The keyed hash that names an identity's partition of the identity table.</summary>
    public IdentityKeys Keys { get; } = new("customer-world-suppression-key-for-tests-0123456789");

    public CustomerReader Reader => new(Customers, Identities, Timeline, Conflicts);

    /// <summary>A unique value per call, so tests sharing one Azurite never meet.</summary>
    public static string Unique(string prefix) => prefix + Interlocked.Increment(ref next).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public CustomerMerger Merger(ITimelineStore? timeline = null, ICustomerStore? customers = null, IIdentityStore? identities = null) =>
        new(identities ?? Identities, customers ?? Customers, timeline ?? Timeline, Conflicts, Segments, Guard, TimeProvider.System, NullLogger<CustomerMerger>.Instance);

    public IdentityResolver Resolver(ITimelineStore? timeline = null, ICustomerStore? customers = null, IIdentityStore? identities = null)
    {
        var merger = Merger(timeline, customers, identities);
        return new IdentityResolver(identities ?? Identities, customers ?? Customers, merger, Conflicts, Guard, TimeProvider.System, NullLogger<IdentityResolver>.Instance);
    }

    /// <summary>What the delivery processor does per touchpoint: assign a customer, then write the row and apply it to the summary in one transaction.</summary>
    public async Task<string?> IngestAsync(Touchpoint touchpoint, IdentityResolver? resolver = null)
    {
        var assignment = await (resolver ?? Resolver()).AssignAsync(touchpoint.Identities, $"{touchpoint.Source} {touchpoint.Action} {touchpoint.SourceEventId}", CancellationToken.None);
        if (assignment.CustomerId is not { } customerId)
        {
            return null;
        }

        var result = await Timeline.AppendAsync(customerId, [touchpoint with { CustomerId = customerId }], new AppendOptions { Identities = assignment.Linked }, CancellationToken.None);
        if (result.FollowedFrom is not null || result.HasPendingMerges)
        {
            // As the processor does: a write that met a merge tombstone (or a pending merge) finishes that merge.
            await Merger().SettleAsync(result.FollowedFrom ?? result.CustomerId, CancellationToken.None);
        }

        await Segments.ApplyAsync(result.CustomerId, result.Before, result.After, result.Inserted, CancellationToken.None);
        return result.CustomerId;
    }

    public async Task<List<Touchpoint>> RowsAsync(string customerId)
    {
        var rows = new List<Touchpoint>();
        string? cursor = null;
        do
        {
            var page = await Timeline.QueryAsync(customerId, new Core.Timeline.TimelineQuery { Limit = 200, Cursor = cursor }, CancellationToken.None);
            rows.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return rows;
    }

    public static Touchpoint Event(string source, DateTimeOffset at, params Identity[] identities)
    {
        var eventId = Unique("evt");
        return new Touchpoint
        {
            TouchpointId = TouchpointIds.For(source, eventId),
            Source = source,
            SourceEventId = eventId,
            OccurredAt = at,
            ReceivedAt = at.AddSeconds(1),
            Channel = Channel.Crm,
            Kind = TouchpointKind.Direct,
            Stage = JourneyStage.Awareness,
            Action = "contact.updated",
            Summary = "test",
            Identities = identities,
        };
    }
}
