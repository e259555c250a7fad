using System.Globalization;
using System.Text.Json.Nodes;
using JourneyHub.IntegrationTests.Infrastructure;
using JourneyHub.UiTests.Infrastructure;
using Microsoft.Playwright;

namespace JourneyHub.UiTests;

/// <summary>
/// The journey map in a real browser against the local host: a customer seeded through signed webhooks (HubSpot and
/// Standard Webhooks custom sources), searched by e-mail, read lane by lane, opened, paged.
/// </summary>
[Collection(UiCollection.Name)]
public sealed class JourneyMapTests(UiHostFixture fixture)
{
    private const string CountByLane =
        "els => els.reduce((acc, e) => { acc[e.dataset.lane] = (acc[e.dataset.lane] || 0) + Number(e.dataset.count); return acc; }, {})";

    /// <summary>
    /// 13 touchpoints: awareness 4 (1 indirect, 1 inferred), consideration 4 (1 inferred), decision 2, retention 3
    /// (1 indirect, 1 inferred). The three stage-less page views sit where the customer was: no Unstaged lane.
    /// </summary>
    private static readonly Dictionary<string, int> ExpectedLanes = new()
    {
        ["awareness"] = 4,
        ["consideration"] = 4,
        ["decision"] = 2,
        ["retention"] = 3,
    };

    /// <summary>Summary of each stage-less touchpoint → the lane it must be inferred into.</summary>
    private static readonly Dictionary<string, string> InferredLanes = new()
    {
        ["Viewed /journal/packing-list"] = "awareness",
        ["Viewed /stores"] = "consideration",
        ["Viewed /care-guide"] = "retention",
    };

    [Fact]
    public async Task A_seeded_customer_searched_by_email_shows_every_touchpoint_in_its_lane_opens_details_and_pages_to_older_ones()
    {
        var (email, customerId) = await SeedCustomerAsync();
        var page = await fixture.NewPageAsync(1280, 800);

        // Five per page, so that the map must page through the timeline cursor to show all thirteen.
        await page.GotoAsync(fixture.PageUrl("pageSize=5"));
        await page.FillAsync("#q", email);
        await page.ClickAsync("#search button[type=submit]");
        await Expect(page.Locator("#map-section")).ToHaveAttributeAsync("data-loaded", "5");
        Assert.Equal("true", await page.GetAttributeAsync("#map-section", "data-has-older"));
        Assert.Contains(customerId, await page.TextContentAsync("#status"), StringComparison.Ordinal);
        Assert.Equal("13", (await page.TextContentAsync("#touch-count"))?.Trim());
        Assert.Equal("Converted", (await page.TextContentAsync("#conversion"))?.Trim());
        Assert.Equal("NPS 9", (await page.TextContentAsync("#nps"))?.Trim());

        await page.ClickAsync("#older");
        await Expect(page.Locator("#map-section")).ToHaveAttributeAsync("data-loaded", "10");
        await page.ClickAsync("#older");
        await Expect(page.Locator("#map-section")).ToHaveAttributeAsync("data-loaded", "13");
        Assert.Equal("false", await page.GetAttributeAsync("#map-section", "data-has-older"));
        Assert.True(await page.IsDisabledAsync("#older"));

        var lanes = await page.Locator("#map .tp").EvaluateAllAsync<Dictionary<string, int>>(CountByLane);
        Assert.Equal(ExpectedLanes.OrderBy(l => l.Key), lanes.OrderBy(l => l.Key));
        Assert.Equal(2, await page.Locator("#map .tp[data-kind='indirect']").CountAsync());
        Assert.Equal(11, await page.Locator("#map .tp[data-kind='direct']").CountAsync());

        // The negative review is a pain point beneath the map.
        var pain = page.Locator("#sentiment [data-pain='true']");
        Assert.Equal(1, await pain.CountAsync());

        // Click the survey touchpoint: the details panel shows its JSON, with its touchpointId.
        var timeline = await new UiSeeding(fixture).TimelineAsync(customerId);
        var survey = timeline.Single(t => t.GetProperty("action").GetString() == "survey.answered");
        var surveyId = survey.GetProperty("touchpointId").GetString()!;
        await page.ClickAsync($"#map .tp[data-touchpoint-id='{surveyId}']");
        await Expect(page.Locator("#details")).ToBeVisibleAsync();
        await Expect(page.Locator("#details-json")).ToContainTextAsync($"\"touchpointId\": \"{surveyId}\"");
        Assert.Equal("retention", await page.GetAttributeAsync($"#map .tp[data-touchpoint-id='{surveyId}']", "data-lane"));

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.PathFor("journey-map-desktop"), FullPage = true });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Stage_less_touchpoints_sit_in_the_lane_of_the_stage_the_customer_was_in_marked_as_inferred()
    {
        var (email, customerId) = await SeedCustomerAsync();
        var page = await fixture.NewPageAsync(1280, 800);
        await page.GotoAsync(fixture.PageUrl("q=" + Uri.EscapeDataString(email)));
        await Expect(page.Locator("#map-section")).ToHaveAttributeAsync("data-loaded", "13");

        Assert.Equal(0, await page.Locator("#map .lane[data-lane='unstaged']").CountAsync());
        var timeline = await new UiSeeding(fixture).TimelineAsync(customerId);
        var inferred = await page.Locator("#map .tp[data-inferred='true']").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.touchpointId)");
        var expectedIds = timeline.Where(t => InferredLanes.ContainsKey(t.GetProperty("summary").GetString()!)).Select(t => t.GetProperty("touchpointId").GetString()!).ToList();
        Assert.Equal(expectedIds.Order(StringComparer.Ordinal), inferred.Order(StringComparer.Ordinal));

        foreach (var tp in timeline.Where(t => InferredLanes.ContainsKey(t.GetProperty("summary").GetString()!)))
        {
            var marker = page.Locator($"#map .tp[data-touchpoint-id='{tp.GetProperty("touchpointId").GetString()}']");
            Assert.Equal(InferredLanes[tp.GetProperty("summary").GetString()!], await marker.GetAttributeAsync("data-lane"));
            Assert.Equal("", await marker.GetAttributeAsync("data-stage"));
            Assert.Contains("stage inferred", await marker.GetAttributeAsync("aria-label"), StringComparison.Ordinal);
            Assert.Equal(1, await marker.Locator("circle.inferred").CountAsync()); // the dotted outline
        }

        // Staged touchpoints are drawn as before: no outline, no "inferred" in their label.
        Assert.Equal(0, await page.Locator("#map .tp[data-inferred='false'] circle.inferred").CountAsync());
        Assert.Equal(10, await page.Locator("#map .tp[data-inferred='false']").CountAsync());
        var laneInferred = await page.Locator("#map .lane").EvaluateAllAsync<Dictionary<string, int>>(
            "els => Object.fromEntries(els.map(e => [e.dataset.lane, Number(e.dataset.laneInferred)]))");
        Assert.Equal(new Dictionary<string, int> { ["awareness"] = 1, ["consideration"] = 1, ["decision"] = 0, ["retention"] = 1 }, laneInferred);
        await Expect(page.Locator("#map .lane[data-lane='retention']")).ToContainTextAsync("1 inferred");
        await Expect(page.Locator("#legend [data-legend='inferred']")).ToContainTextAsync("stage inferred");

        // The details panel says where the lane came from.
        await page.ClickAsync($"#map .tp[data-touchpoint-id='{expectedIds[0]}']");
        await Expect(page.Locator("#details-body")).ToContainTextAsync("(inferred: the event names no stage");

        // The summary's current stage and stage steps follow the customer too.
        Assert.Equal("Retention", (await page.TextContentAsync("#current-stage"))?.Trim());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Markers_are_reachable_by_keyboard_Enter_opens_details_and_Escape_closes_them()
    {
        var (email, _) = await SeedCustomerAsync();
        var page = await fixture.NewPageAsync(1280, 800);
        await page.GotoAsync(fixture.PageUrl("q=" + Uri.EscapeDataString(email)));
        await Expect(page.Locator("#map-section")).ToHaveAttributeAsync("data-loaded", "13");

        // Tab from the last control before the map lands on the first (oldest) marker.
        await page.FocusAsync("#search button[type=submit]");
        await page.Keyboard.PressAsync("Tab");
        var focused = await page.EvaluateAsync<string?>("() => document.activeElement.getAttribute('data-touchpoint-id')");
        Assert.False(string.IsNullOrEmpty(focused));
        Assert.False(string.IsNullOrEmpty(await page.EvaluateAsync<string?>("() => document.activeElement.getAttribute('aria-label')")));

        await page.Keyboard.PressAsync("ArrowRight");
        var next = await page.EvaluateAsync<string?>("() => document.activeElement.getAttribute('data-touchpoint-id')");
        Assert.NotEqual(focused, next);

        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#details")).ToBeVisibleAsync();
        await Expect(page.Locator("#details-json")).ToContainTextAsync(next!);
        Assert.Equal("details-close", await page.EvaluateAsync<string>("() => document.activeElement.id"));

        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator("#details")).ToBeHiddenAsync();
        Assert.Equal(next, await page.EvaluateAsync<string?>("() => document.activeElement.getAttribute('data-touchpoint-id')"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task At_phone_width_the_map_fits_the_screen_and_a_tap_opens_details()
    {
        var (email, _) = await SeedCustomerAsync();
        var page = await fixture.NewPageAsync(390, 844, isMobile: true);
        await page.GotoAsync(fixture.PageUrl());
        await page.FillAsync("#q", email);
        await page.ClickAsync("#search button[type=submit]");
        await Expect(page.Locator("#map-section")).ToHaveAttributeAsync("data-loaded", "13");

        var lanes = await page.Locator("#map .tp").EvaluateAllAsync<Dictionary<string, int>>(CountByLane);
        Assert.Equal(ExpectedLanes.OrderBy(l => l.Key), lanes.OrderBy(l => l.Key));
        Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= 390, "the page scrolls sideways at 390 px");
        var mapWidth = await page.EvaluateAsync<double>("() => document.querySelector('#map svg').getBoundingClientRect().width");
        Assert.InRange(mapWidth, 300, 390);

        var first = page.Locator("#map .tp").First;
        var id = await first.GetAttributeAsync("data-touchpoint-id");
        await first.TapAsync();
        await Expect(page.Locator("#details")).ToBeVisibleAsync();
        await Expect(page.Locator("#details-json")).ToContainTextAsync(id!);
        var panel = await page.Locator("#details").BoundingBoxAsync();
        Assert.True(panel!.Width <= 390);

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.PathFor("journey-map-phone"), FullPage = true });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Without_the_function_key_the_page_loads_but_says_the_hub_refused_the_key()
    {
        var page = await fixture.NewPageAsync(1280, 800);
        var response = await page.GotoAsync(new Uri(fixture.Host.BaseAddress, "/api/ui").ToString());
        Assert.Equal(200, response!.Status);
        Assert.Contains("script-src 'sha256-", response.Headers["content-security-policy"], StringComparison.Ordinal);
        await page.FillAsync("#q", "nobody@example.com");
        await page.ClickAsync("#search button[type=submit]");
        await Expect(page.Locator("#status")).ToContainTextAsync("refused the key");
        Assert.True(await page.Locator("#map-section").IsHiddenAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_unknown_customer_is_reported_not_found()
    {
        var page = await fixture.NewPageAsync(1280, 800);
        await page.GotoAsync(fixture.PageUrl());
        await page.FillAsync("#q", $"nobody-{Guid.NewGuid():N}@example.com");
        await page.ClickAsync("#search button[type=submit]");
        await Expect(page.Locator("#status")).ToContainTextAsync("No customer found");
        await page.Context.CloseAsync();
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    /// <summary>
    /// One customer per test (a fresh e-mail), so the tests can share the host. The link event names the e-mail and
    /// the HubSpot contact id and is processed first, so every later event resolves to the same customer.
    /// </summary>
    private async Task<(string Email, string CustomerId)> SeedCustomerAsync()
    {
        var seeding = new UiSeeding(fixture);
        var email = $"ui-{Guid.NewGuid():N}@example.com";
        var contact = HubSpotEvents.NewId();
        var start = DateTimeOffset.UtcNow.Date.AddDays(-60);
        DateTimeOffset Day(int n) => new DateTimeOffset(start, TimeSpan.Zero).AddDays(n).AddHours(10);

        var link = UiSeeding.Event("shop-web", "web", Day(0), email, "Created a shop account", "awareness", "account.created");
        link["person"]!["externalIds"] = new JsonObject { ["hubspot"] = contact.ToString(CultureInfo.InvariantCulture) };
        await seeding.CustomAsync("web", link);
        var customerId = await seeding.CustomerIdWhenResolvableAsync("email:" + email);

        await seeding.HubSpotAsync(
            HubSpotEvents.ContactCreated(contact, Day(1)),
            HubSpotEvents.PropertyChange(contact, "lifecyclestage", "marketingqualifiedlead", Day(12)),
            HubSpotEvents.PropertyChange(contact, "lifecyclestage", "customer", Day(30)));
        await seeding.CustomAsync("web", UiSeeding.Event("shop-web", "social", Day(4), email, "Shared our spring post", "awareness", "comment.posted"));
        await seeding.CustomAsync("web", UiSeeding.Event("shop-web", "web", Day(8), email, "Viewed /journal/packing-list"));
        await seeding.CustomAsync("web", UiSeeding.Event("shop-web", "web", Day(16), email, "Viewed /tents/arctic-dome-4", "consideration"));
        await seeding.CustomAsync("web", UiSeeding.Event("shop-web", "web", Day(20), email, "Viewed /pricing", "consideration"));
        await seeding.CustomAsync("web", UiSeeding.Event("shop-web", "web", Day(24), email, "Viewed /stores"));
        await seeding.CustomAsync("pos", UiSeeding.Event("store-pos", "in_store", Day(33), email, "Bought Arctic Dome 4 in store", null, "purchase.completed"));
        var review = UiSeeding.Event("shop-web", "review", Day(40), email, "2/5 product review: zip broke");
        review["rating"] = new JsonObject { ["value"] = 2, ["scale"] = 5 };
        await seeding.CustomAsync("web", review);
        var survey = UiSeeding.Event("survey-tool", "survey", Day(50), email, "NPS 9: great support");
        survey["survey"] = new JsonObject { ["type"] = "nps", ["score"] = 9, ["comment"] = "Great support" };
        await seeding.CustomAsync("survey", survey);
        await seeding.CustomAsync("web", UiSeeding.Event("shop-web", "web", Day(45), email, "Viewed /care-guide"));

        await seeding.WaitForTouchpointsAsync(customerId, 13);
        return (email, customerId);
    }
}
