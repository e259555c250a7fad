using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using JourneyHub.IntegrationTests.Infrastructure;
using JourneyHub.UiTests.Infrastructure;
using Microsoft.Playwright;

namespace JourneyHub.UiTests;

/// <summary>
/// The segment journey map in a real browser against the local host: two personas seeded through signed custom-source
/// webhooks, drawn side by side, drilled into by mouse and keyboard, exported, and read at phone width.
/// </summary>
[Collection(UiCollection.Name)]
public sealed class SegmentMapTests(UiHostFixture fixture)
{
    private static readonly DateTimeOffset Start = new(2025, 3, 3, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Two_personas_side_by_side_show_their_stages_emotions_and_pain_points_and_lead_to_the_customers_behind_them()
    {
        var (a, b, buyers) = await SeedAsync();
        var page = await fixture.NewPageAsync(1400, 900);
        await page.GotoAsync(PageUrl(a, b));
        await Expect(page.Locator("#maps")).ToHaveAttributeAsync("data-loaded", "2");

        var mapA = page.Locator($".segment-map[data-segment='persona:{a}']");
        var mapB = page.Locator($".segment-map[data-segment='persona:{b}']");
        Assert.Equal("3", await mapA.Locator(".stage[data-stage='awareness']").GetAttributeAsync("data-reached"));
        Assert.Equal("3", await mapA.Locator(".stage[data-stage='retention']").GetAttributeAsync("data-reached"));
        Assert.Equal("0", await mapB.Locator(".stage[data-stage='retention']").GetAttributeAsync("data-reached"));
        Assert.Equal(1, await mapA.Locator("polyline.curve").CountAsync());
        Assert.Equal(1, await mapA.Locator("polygon.band").CountAsync());

        // Side by side at desktop width.
        var boxA = (await mapA.BoundingBoxAsync())!;
        var boxB = (await mapB.BoundingBoxAsync())!;
        Assert.Equal(boxA.Y, boxB.Y, 1);
        Assert.True(boxB.X > boxA.X + boxA.Width - 1);

        // The detractors' survey answers are persona A's pain point in retention; it names the customers behind it.
        var pain = mapA.Locator(".hit[data-metric='retention.pain.survey.answered']");
        await pain.ClickAsync();
        await Expect(page.Locator("#drill")).ToHaveAttributeAsync("data-count", "3");
        var links = await page.Locator("#drill-list a").EvaluateAllAsync<string[]>("els => els.map(e => e.textContent)");
        Assert.Equal(buyers.Order(StringComparer.Ordinal), links.Order(StringComparer.Ordinal));

        // Each is a click away from its own journey map, with the key still in the fragment.
        await page.Locator("#drill-list a").First.ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/api/ui?customer=cus_", StringComparison.Ordinal) && url.EndsWith("#code=" + UiHostFixture.FunctionKey, StringComparison.Ordinal));
        await page.GoBackAsync();
        await Expect(page.Locator("#maps")).ToHaveAttributeAsync("data-loaded", "2");

        // Exports: the figures as CSV, the map as SVG.
        var csv = await page.RunAndWaitForDownloadAsync(() => mapA.Locator("button[data-export='csv']").ClickAsync());
        var csvText = await File.ReadAllTextAsync((await csv.PathAsync())!);
        Assert.Contains($"persona:{a},retention,pain point survey.answered,3", csvText, StringComparison.Ordinal);
        Assert.Contains($"persona:{a},awareness,reached,3", csvText, StringComparison.Ordinal);
        var svg = await page.RunAndWaitForDownloadAsync(() => mapB.Locator("button[data-export='svg']").ClickAsync());
        var svgText = await File.ReadAllTextAsync((await svg.PathAsync())!);
        Assert.StartsWith("<?xml", svgText, StringComparison.Ordinal);
        Assert.Contains($"data-segment=\"persona:{b}\"", svgText, StringComparison.Ordinal);
        var png = await page.RunAndWaitForDownloadAsync(() => mapA.Locator("button[data-export='png']").ClickAsync());
        Assert.True(new FileInfo((await png.PathAsync())!).Length > 5_000);

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.PathFor("segment-map-desktop"), FullPage = true });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Touchpoint_types_open_by_keyboard_and_the_page_fits_a_phone()
    {
        var (a, b, _) = await SeedAsync();
        var page = await fixture.NewPageAsync(390, 844, isMobile: true);
        await page.GotoAsync(PageUrl(a, b));
        await Expect(page.Locator("#maps")).ToHaveAttributeAsync("data-loaded", "2");
        Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= 390, "the page scrolls sideways at 390 px");

        var bar = page.Locator($".segment-map[data-segment='persona:{b}'] .hit[data-metric^='consideration.touch.']").First;
        await bar.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#drill")).ToBeVisibleAsync();
        await Expect(page.Locator("#drill")).ToHaveAttributeAsync("data-count", "3");
        Assert.True((await page.Locator("#drill").BoundingBoxAsync())!.Width <= 390);
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator("#drill")).ToBeHiddenAsync();

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.PathFor("segment-map-phone"), FullPage = true });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Without_a_key_the_page_says_how_to_open_it_and_the_api_refuses()
    {
        var page = await fixture.NewPageAsync(1024, 700);
        await page.GotoAsync(new Uri(fixture.Host.BaseAddress, "/api/ui/journeys").ToString());
        await Expect(page.Locator("#status")).ToContainTextAsync("#code=");
        using var response = await fixture.Host.Client.GetAsync(new Uri("/api/journeys/map?segment=all", UriKind.Relative));
        Assert.Equal(401, (int)response.StatusCode);
        await page.Context.CloseAsync();
    }

    private string PageUrl(string a, string b) =>
        new Uri(fixture.Host.BaseAddress, $"/api/ui/journeys?from=2025-01-01&to=2026-01-01&a={Uri.EscapeDataString("persona:" + a)}&b={Uri.EscapeDataString("persona:" + b)}#code={UiHostFixture.FunctionKey}").ToString();

    /// <summary>Persona A: three buyers who answer NPS as detractors after buying. Persona B: three who only browse and chat.</summary>
    private async Task<(string A, string B, List<string> Buyers)> SeedAsync()
    {
        var seeding = new UiSeeding(fixture);
        var run = Guid.NewGuid().ToString("N")[..8];
        var (a, b) = ("Buyer " + run, "Browser " + run);
        var buyers = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var email = $"segment-{run}-{i}@example.com";
            var persona = i < 3 ? a : b;
            var at = Start.AddDays(i);
            var events = new List<JsonObject>
            {
                WithPersona(UiSeeding.Event("web", "web", at, email, "Landing page", "awareness", "page.viewed"), persona),
                UiSeeding.Event("web", i < 3 ? "email" : "chat", at.AddDays(2), email, "Asked about sizes", "consideration", i < 3 ? "email.clicked" : "chat.started"),
            };
            if (i < 3)
            {
                var purchase = UiSeeding.Event("pos", "in_store", at.AddDays(5), email, "Bought a jacket", "decision", "purchase.completed");
                purchase["attributes"] = new JsonObject { ["amount"] = "120.00", ["currency"] = "EUR" };
                events.Add(purchase);
                var survey = UiSeeding.Event("survey", "survey", at.AddDays(9), email, "NPS answer", null, "survey.answered");
                survey["survey"] = new JsonObject { ["type"] = "nps", ["score"] = 2 };
                events.Add(survey);
            }

            foreach (var e in events)
            {
                await seeding.CustomAsync((string)e["sourceSystem"]!, e);
            }

            var customerId = await seeding.CustomerIdWhenResolvableAsync("email:" + email);
            await seeding.WaitForTouchpointsAsync(customerId, events.Count);
            if (i < 3)
            {
                buyers.Add(customerId);
            }
        }

        // The aggregates follow the summary; wait until both personas are complete in the map.
        foreach (var persona in new[] { a, b })
        {
            var uri = new Uri($"/api/journeys/map?from=2025-01-01&to=2026-01-01&segment={Uri.EscapeDataString("persona:" + persona)}&code={UiHostFixture.FunctionKey}", UriKind.Relative);
            var customers = await LocalHostProcess.EventuallyAsync(
                async () => (await fixture.Host.Client.GetFromJsonAsync<JsonElement>(uri)).GetProperty("kpis").GetProperty("customers").GetInt32(),
                n => n == 3);
            Assert.Equal(3, customers);
        }

        return (a, b, buyers);
    }

    private static JsonObject WithPersona(JsonObject e, string persona)
    {
        e["attributes"] = new JsonObject { ["persona"] = persona };
        return e;
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
