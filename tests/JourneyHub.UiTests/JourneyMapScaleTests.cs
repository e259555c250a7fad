using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using JourneyHub.UiTests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace JourneyHub.UiTests;

/// <summary>
/// 5,000 touchpoints for one customer. The read API is answered by the browser's request routing with pages in the
/// exact contract shape (200 per page, opaque cursor), because what is measured here is the page: that it pages
/// through the cursor, aggregates dense lanes into counted clusters and never blocks the main thread for long.
/// </summary>
[Collection(UiCollection.Name)]
public sealed class JourneyMapScaleTests(UiHostFixture fixture, ITestOutputHelper output)
{
    private const int Total = 5000;
    private const int PageSize = 200;
    private static readonly string[] Stages = ["awareness", "consideration", "decision", "retention"];
    private static readonly string[] Channels = ["email", "web", "social", "review", "crm", "phone", "chat", "meeting", "survey", "ads", "in_store", "other"];

    [Fact]
    public async Task Five_thousand_touchpoints_load_through_the_cursor_and_render_as_counted_clusters_without_freezing()
    {
        const string customerId = "cus_scale5000";
        var items = Touchpoints(customerId);
        var page = await fixture.NewPageAsync(1280, 800);
        var timelineRequests = 0;
        await page.RouteAsync("**/api/customers/cus_scale5000/**", async route =>
        {
            var url = new Uri(route.Request.Url);
            var query = System.Web.HttpUtility.ParseQueryString(url.Query);
            Assert.Null(query["code"]);
            Assert.Equal(UiHostFixture.FunctionKey, await route.Request.HeaderValueAsync("x-functions-key"));
            if (url.AbsolutePath.EndsWith("/journey", StringComparison.Ordinal))
            {
                await route.FulfillAsync(new RouteFulfillOptions { Status = 200, ContentType = "application/json", Body = Journey(customerId, items) });
                return;
            }

            Interlocked.Increment(ref timelineRequests);
            var offset = int.Parse(query["cursor"] ?? "0", CultureInfo.InvariantCulture);
            var limit = int.Parse(query["limit"] ?? "50", CultureInfo.InvariantCulture);
            var slice = items.Skip(offset).Take(limit).ToList();
            var next = offset + limit < items.Count ? (offset + limit).ToString(CultureInfo.InvariantCulture) : null;
            await route.FulfillAsync(new RouteFulfillOptions
            {
                Status = 200,
                ContentType = "application/json",
                Body = JsonSerializer.Serialize(new { customerId, items = slice, nextCursor = next }),
            });
        });
        await page.AddInitScriptAsync(
            "window.__longestTask = 0; new PerformanceObserver(list => list.getEntries().forEach(e => { window.__longestTask = Math.max(window.__longestTask, e.duration); })).observe({ entryTypes: ['longtask'] });");

        await page.GotoAsync(fixture.PageUrl("customer=" + customerId));
        await Assertions.Expect(page.Locator("#map-section")).ToHaveAttributeAsync("data-loaded", PageSize.ToString(CultureInfo.InvariantCulture));
        Assert.EndsWith("?customer=" + customerId + "#code=" + UiHostFixture.FunctionKey, page.Url, StringComparison.Ordinal);

        var clock = Stopwatch.StartNew();
        await page.ClickAsync("#all");
        await Assertions.Expect(page.Locator("#map-section")).ToHaveAttributeAsync("data-loaded", Total.ToString(CultureInfo.InvariantCulture), new() { Timeout = 60_000 });
        var loadAll = clock.Elapsed;

        var markers = await page.Locator("#map .tp").CountAsync();
        var counted = await page.Locator("#map .tp").EvaluateAllAsync<int>("els => els.reduce((s, e) => s + Number(e.dataset.count), 0)");
        var clusters = await page.Locator("#map .tp.cluster").CountAsync();
        var longest = await page.EvaluateAsync<double>("() => window.__longestTask");
        var render = await page.EvaluateAsync<double>(
            "() => { const t = performance.now(); window.dispatchEvent(new Event('resize')); return new Promise(r => setTimeout(() => r(performance.now() - t), 400)); }");
        output.WriteLine($"5,000 touchpoints: {timelineRequests} timeline pages, load-all {loadAll.TotalMilliseconds:0} ms, {markers} markers ({clusters} clusters), longest main-thread task {longest:0} ms");

        Assert.Equal(Total / PageSize, timelineRequests);
        Assert.Equal(Total, counted);
        Assert.True(clusters > 0, "dense lanes should aggregate into counted clusters");
        Assert.True(markers < 1000, $"{markers} SVG markers for {Total} touchpoints: aggregation is not working");
        Assert.True(longest < 1000, $"the main thread was blocked for {longest:0} ms");
        Assert.True(render < 2000, $"a re-render took {render:0} ms");

        // A cluster opens as a list of its touchpoints, each of which opens its own details.
        await page.Locator("#map .tp.cluster").First.ClickAsync();
        await Assertions.Expect(page.Locator("#details-title")).ToContainTextAsync("touchpoints");
        await page.Locator("#details-body [data-open]").First.ClickAsync();
        await Assertions.Expect(page.Locator("#details-json")).ToContainTextAsync("\"touchpointId\": \"tp_scale_");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.PathFor("journey-map-5000"), FullPage = true });
        await page.Context.CloseAsync();
    }

    private static List<Dictionary<string, object?>> Touchpoints(string customerId)
    {
        var newest = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        return Enumerable.Range(0, Total).Select(i =>
        {
            var channel = Channels[i * 7 % Channels.Length];
            return new Dictionary<string, object?>
            {
                ["schemaVersion"] = 1,
                ["touchpointId"] = $"tp_scale_{i:D5}",
                ["customerId"] = customerId,
                ["source"] = "custom:scale",
                ["sourceEventId"] = $"evt-{i}",
                ["occurredAt"] = newest.AddHours(-i * 3.5).ToString("O", CultureInfo.InvariantCulture),
                ["receivedAt"] = newest.ToString("O", CultureInfo.InvariantCulture),
                ["channel"] = channel,
                ["kind"] = channel is "social" or "review" ? "indirect" : "direct",
                ["stage"] = i % 9 == 0 ? null : Stages[(Total - i) * 4 / Total % 4],
                ["action"] = "event.recorded",
                ["summary"] = $"Scale touchpoint {i}",
                ["sentiment"] = i % 5 == 0 ? new { score = Math.Round(Math.Sin(i / 40.0), 2), label = "neutral" } : null,
                ["identities"] = new[] { new { type = "email", value = "scale@example.com" } },
                ["attributes"] = new Dictionary<string, string>(),
                ["rawRef"] = "",
            };
        }).ToList();
    }

    private static string Journey(string customerId, List<Dictionary<string, object?>> items) => JsonSerializer.Serialize(new
    {
        customerId,
        currentStage = "retention",
        touchpointCount = items.Count,
        firstTouchAt = items[^1]["occurredAt"],
        lastTouchAt = items[0]["occurredAt"],
        stages = new Dictionary<string, object>(),
        byChannel = items.GroupBy(i => (string)i["channel"]!).ToDictionary(g => g.Key, g => g.Count()),
        byKind = items.GroupBy(i => (string)i["kind"]!).ToDictionary(g => g.Key, g => g.Count()),
        sentimentTrend = Array.Empty<object>(),
        converted = true,
        convertedAt = items[^1]["occurredAt"],
        daysToConvert = 12.5,
    });
}
