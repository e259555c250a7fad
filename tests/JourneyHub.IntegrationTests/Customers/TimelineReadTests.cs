using System.Text.Json;
using JourneyHub.Core.Api;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Timeline;
using JourneyHub.IntegrationTests.Infrastructure;

namespace JourneyHub.IntegrationTests.Customers;

/// <summary>
/// The timeline read on Azurite: the summary row and the page are read at once, and the rows' stored JSON is served as
/// it is. The page must stay what parsing and serializing each row gave, and the concurrent read must still answer for
/// the survivor when the requested id is a merge tombstone (even while its own rows are still there) and for nobody when
/// it is erased.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TimelineReadTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset T0 = new(2025, 6, 2, 9, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task Every_page_is_byte_for_byte_what_parsing_and_serializing_the_rows_gave()
    {
        var world = new CustomerWorld(azurite);
        var customerId = NewCustomerId();
        var touchpoints = Enumerable.Range(0, 7).Select(i => Event(T0.AddHours(i), i)).ToList();
        touchpoints.Add(Event(T0.AddHours(3).AddTicks(1), 7) with { OccurredAtIsReceiptTime = true, Stage = null, Action = "visit.logged" });
        await world.Timeline.AppendAsync(customerId, touchpoints, AppendOptions.Default, CancellationToken.None);
        var placement = (await world.Customers.GetAsync(customerId, CancellationToken.None))!.Journey.Placement();

        var pages = 0;
        string? cursor = null;
        do
        {
            var query = new TimelineQuery { Limit = 3, Cursor = cursor };
            var served = (await world.Reader.TimelineAsync(customerId, query, CancellationToken.None))!;
            var parsed = await world.Timeline.QueryAsync(customerId, query, CancellationToken.None);
            var before = new ParsedTimelineResponse(customerId, parsed.Items, parsed.NextCursor, null)
            {
                JourneyStages = parsed.Items.ToDictionary(t => t.TouchpointId, t => placement.StageAt(t.OccurredAt), StringComparer.Ordinal),
            };

            Assert.Equal(JsonSerializer.Serialize(before, JourneyJson.Options), JsonSerializer.Serialize(served, JourneyJson.Options));
            Assert.Equal(parsed.Items.Select(t => (t.TouchpointId, t.OccurredAt.UtcTicks)), served.Items.Select(t => (t.TouchpointId, t.OccurredAt.UtcTicks)));
            cursor = served.NextCursor;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task A_merged_away_id_answers_with_its_survivors_page_even_while_its_own_rows_remain()
    {
        var world = new CustomerWorld(azurite);
        var (survivor, middle, requested) = (NewCustomerId(), NewCustomerId(), NewCustomerId());
        await world.Timeline.AppendAsync(survivor, [Event(T0, 1), Event(T0.AddDays(1), 2)], AppendOptions.Default, CancellationToken.None);
        await world.Timeline.AppendAsync(middle, [Event(T0.AddDays(2), 3)], AppendOptions.Default, CancellationToken.None);
        await world.Timeline.AppendAsync(requested, [Event(T0.AddDays(3), 4), Event(T0.AddDays(4), 5), Event(T0.AddDays(5), 6)], AppendOptions.Default, CancellationToken.None);

        // Tombstones written, rows not moved yet: the state a merge is in between its first and last step. Two hops.
        await world.Customers.UpdateAsync(requested, r => r with { MergedInto = middle }, CancellationToken.None);
        await world.Customers.UpdateAsync(middle, r => r with { MergedInto = survivor }, CancellationToken.None);

        var page = await world.Reader.TimelineAsync(requested, new TimelineQuery { Limit = 50 }, CancellationToken.None);

        Assert.NotNull(page);
        Assert.Equal((survivor, requested), (page.CustomerId, page.MergedFrom));
        Assert.Equal((await world.RowsAsync(survivor)).Select(t => t.TouchpointId), page.Items.Select(t => t.TouchpointId));
        Assert.All(page.Items, item => Assert.Equal(survivor, item.ToTouchpoint().CustomerId));
        Assert.Equal(page.Items.Select(t => t.TouchpointId).Order(StringComparer.Ordinal), page.JourneyStages.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(3, (await world.RowsAsync(requested)).Count);
    }

    [Fact]
    public async Task An_erased_customer_an_id_merged_into_one_and_an_unknown_id_have_no_timeline()
    {
        var world = new CustomerWorld(azurite);
        var (erased, mergedIntoErased, unknown) = (NewCustomerId(), NewCustomerId(), NewCustomerId());
        await world.Timeline.AppendAsync(erased, [Event(T0, 1)], AppendOptions.Default, CancellationToken.None);
        await world.Timeline.AppendAsync(mergedIntoErased, [Event(T0, 2)], AppendOptions.Default, CancellationToken.None);

        // The erasure tombstone comes first; the rows are deleted after it, so a read in between must not show them.
        await world.Customers.UpdateAsync(erased, r => r with { ErasedAt = T0.AddDays(30) }, CancellationToken.None);
        await world.Customers.UpdateAsync(mergedIntoErased, r => r with { MergedInto = erased }, CancellationToken.None);

        Assert.Single(await world.RowsAsync(erased));
        Assert.Null(await world.Reader.TimelineAsync(erased, new TimelineQuery(), CancellationToken.None));
        Assert.Null(await world.Reader.TimelineAsync(mergedIntoErased, new TimelineQuery(), CancellationToken.None));
        Assert.Null(await world.Reader.TimelineAsync(unknown, new TimelineQuery(), CancellationToken.None));
    }

    [Fact]
    public async Task A_known_customer_with_nothing_in_the_range_gets_an_empty_page_not_a_miss()
    {
        var world = new CustomerWorld(azurite);
        var customerId = NewCustomerId();
        await world.Timeline.AppendAsync(customerId, [Event(T0, 1)], AppendOptions.Default, CancellationToken.None);

        var page = await world.Reader.TimelineAsync(customerId, new TimelineQuery { From = T0.AddDays(1) }, CancellationToken.None);

        Assert.NotNull(page);
        Assert.Equal((customerId, 0, (string?)null), (page.CustomerId, page.Items.Count, page.NextCursor));
        Assert.Empty(page.JourneyStages);
    }

    private static string NewCustomerId() => "cus_" + CustomerWorld.Unique("read");

    private static Touchpoint Event(DateTimeOffset at, int n) => CustomerWorld.Event("custom:read", at, new Identity("email", $"reader{n}@example.com")) with
    {
        Stage = (n % 3) switch { 0 => JourneyStage.Awareness, 1 => JourneyStage.Consideration, _ => null },
        Summary = $"Ünïcödé \"quoted\" <b>{n}</b>\t👍",
        Sentiment = Sentiment.FromScore(n / 7.0 - 0.5),
        Survey = n == 2 ? new SurveyAnswer(SurveyType.Nps, 9, "très bien") : null,
        Rating = n == 4 ? new Rating(2, 5) : null,
        Attributes = new Dictionary<string, string> { ["z"] = "first", ["a"] = n.ToString(System.Globalization.CultureInfo.InvariantCulture) },
    };

    /// <summary>The page as it was before the stored JSON was served as it is: the same record with parsed touchpoints.</summary>
    private sealed record ParsedTimelineResponse(string CustomerId, IReadOnlyList<Touchpoint> Items, string? NextCursor, string? MergedFrom)
    {
        public IReadOnlyDictionary<string, JourneyStage> JourneyStages { get; init; } = new Dictionary<string, JourneyStage>(StringComparer.Ordinal);
    }
}
