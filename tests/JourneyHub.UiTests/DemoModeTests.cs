using System.Net.Http.Json;
using System.Text.Json;
using JourneyHub.IntegrationTests.Infrastructure;
using JourneyHub.LocalHost;
using JourneyHub.UiTests.Infrastructure;
using Microsoft.Playwright;

namespace JourneyHub.UiTests;

/// <summary>The local host in demo mode seeds its journeys through its own webhook routes; the map shows them.</summary>
[Collection(UiCollection.Name)]
public sealed class DemoModeTests(UiHostFixture fixture)
{
    [Fact]
    public void The_demo_flag_is_taken_out_of_the_arguments_so_it_cannot_swallow_the_next_one()
    {
        Assert.Equal(["--urls", "http://127.0.0.1:7071"], DemoSeeder.WithoutFlag(["--demo", "--urls", "http://127.0.0.1:7071"]));
        var empty = new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build();
        Assert.True(DemoSeeder.IsRequested(["--urls", "x", "--DEMO"], empty));
        Assert.False(DemoSeeder.IsRequested(["--urls", "x"], empty));
    }

    [Fact]
    public async Task Demo_mode_seeds_every_journey_with_valid_signatures_and_the_map_shows_them()
    {
        // Demo mode on its own host (no secrets configured: it sets its own), on the collection's Azurite.
        var plan = DemoJourneys.Build(DateTimeOffset.UtcNow);
        await using var demo = await LocalHostProcess.StartAsync(fixture.StorageConnectionString, new Dictionary<string, string>
        {
            ["LocalHost__Demo"] = "true",
            ["Logging__LogLevel__JourneyHub.LocalHost.DemoSeeder"] = "Information",
        });

        // The seeder logs the e-mails to search for once everything is sent.
        await LocalHostProcess.EventuallyAsync(() => Task.FromResult(demo.Output), o => o.Contains("all journeys sent", StringComparison.Ordinal), TimeSpan.FromSeconds(120));
        foreach (var customer in plan.Customers)
        {
            var count = await LocalHostProcess.EventuallyAsync(() => TouchpointCountAsync(demo, customer.Email), n => n >= customer.Touchpoints, TimeSpan.FromSeconds(120));
            Assert.True(count == customer.Touchpoints, $"{customer.Email}: expected {customer.Touchpoints}, got {count}\n{demo.Output}");
            Assert.Contains(customer.Email, demo.Output, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("answered 401", demo.Output, StringComparison.Ordinal);
        var maria = plan.Customers[0];
        var page = await fixture.NewPageAsync(1280, 800);
        await page.GotoAsync(new Uri(demo.BaseAddress, "/api/ui?q=" + Uri.EscapeDataString(maria.Email)).ToString());
        await Assertions.Expect(page.Locator("#map-section")).ToHaveAttributeAsync("data-loaded", maria.Touchpoints.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var sources = await page.Locator("#map .tp[data-source]").EvaluateAllAsync<string[]>("els => [...new Set(els.map(e => e.dataset.source))].sort()");
        Assert.Equal(["custom:nps-survey", "custom:pos", "custom:web", "hubspot", "instagram", "intercom", "meta", "salesforce", "shopify", "trustpilot", "zendesk"], sources);
        var legend = await page.Locator("#legend .legend-sources").GetAttributeAsync("data-sources");
        Assert.Equal("Facebook,HubSpot,Instagram,Intercom,Salesforce,Shopify,Trustpilot,Zendesk,nps-survey,pos,web", legend);
        Assert.True(await page.Locator("#sentiment [data-pain='true']").CountAsync() >= 1, "Maria's delivery complaint is a pain point");
        Assert.Equal("Converted", (await page.TextContentAsync("#conversion"))?.Trim());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifacts.PathFor("journey-map-demo"), FullPage = true });
        await page.Context.CloseAsync();
    }

    /// <summary>Touchpoints on the customer's timeline, paged through the cursor (the map's source of truth).</summary>
    private static async Task<int> TouchpointCountAsync(LocalHostProcess host, string email)
    {
        using var lookup = await host.Client.GetAsync(new Uri("/api/customers?identity=email:" + Uri.EscapeDataString(email), UriKind.Relative));
        if (!lookup.IsSuccessStatusCode)
        {
            return 0;
        }

        var id = (await lookup.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("customerId").GetString();
        var count = 0;
        string? cursor = null;
        do
        {
            var page = await host.Client.GetFromJsonAsync<JsonElement>(new Uri($"/api/customers/{id}/timeline?limit=200{(cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))}", UriKind.Relative));
            count += page.GetProperty("items").GetArrayLength();
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        return count;
    }
}
