using JourneyHub.UiTests.Infrastructure;
using Microsoft.Playwright;

namespace JourneyHub.UiTests;

/// <summary>
/// The page takes the function key from its URL fragment (#code=, never sent to a server) and sends it as
/// x-functions-key; no request line carries it. The old ?code= works for one more release, with a console warning.
/// The local host checks the key (LocalHost__FunctionKey), so "No customer found" proves it was accepted.
/// </summary>
[Collection(UiCollection.Name)]
public sealed class FunctionKeyInPageTests(UiHostFixture fixture)
{
    [Fact]
    public async Task The_key_in_the_fragment_is_sent_as_a_header_and_never_in_a_url()
    {
        var page = await fixture.NewPageAsync(1280, 800);
        var requests = new List<IRequest>();
        page.Request += (_, request) => requests.Add(request);

        await page.GotoAsync(fixture.PageUrl());
        await SearchUnknownCustomerAsync(page);
        await Expect(page.Locator("#status")).ToContainTextAsync("No customer found");

        var apiCalls = requests.Where(r => r.Url.Contains("/api/customers", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(apiCalls);
        Assert.All(requests, r => Assert.DoesNotContain(UiHostFixture.FunctionKey, r.Url, StringComparison.Ordinal));
        foreach (var call in apiCalls)
        {
            Assert.Equal(UiHostFixture.FunctionKey, await call.HeaderValueAsync("x-functions-key"));
        }

        Assert.EndsWith("/api/ui#code=" + UiHostFixture.FunctionKey, page.Url, StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_wrong_key_in_the_fragment_is_refused_by_the_hub()
    {
        var page = await fixture.NewPageAsync(1280, 800);
        await page.GotoAsync(new Uri(fixture.Host.BaseAddress, "/api/ui#code=not-the-key").ToString());
        await SearchUnknownCustomerAsync(page);

        await Expect(page.Locator("#status")).ToContainTextAsync("refused the key");
        await Expect(page.Locator("#status")).ToContainTextAsync("#code=");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_old_query_key_still_works_leaves_the_address_for_the_fragment_and_warns()
    {
        var page = await fixture.NewPageAsync(1280, 800);
        var warnings = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "warning")
            {
                warnings.Add(message.Text);
            }
        };
        var apiUrls = new List<string>();
        page.Request += (_, request) =>
        {
            if (request.Url.Contains("/api/customers", StringComparison.Ordinal))
            {
                apiUrls.Add(request.Url);
            }
        };

        await page.GotoAsync(new Uri(fixture.Host.BaseAddress, $"/api/ui?code={UiHostFixture.FunctionKey}&pageSize=5").ToString());

        Assert.EndsWith("/api/ui?pageSize=5#code=" + UiHostFixture.FunctionKey, page.Url, StringComparison.Ordinal);
        Assert.Contains(warnings, w => w.Contains("?code=", StringComparison.Ordinal) && w.Contains("deprecated", StringComparison.Ordinal));
        await SearchUnknownCustomerAsync(page);
        await Expect(page.Locator("#status")).ToContainTextAsync("No customer found");
        Assert.NotEmpty(apiUrls);
        Assert.All(apiUrls, url => Assert.DoesNotContain(UiHostFixture.FunctionKey, url, StringComparison.Ordinal));
        await page.Context.CloseAsync();
    }

    private static async Task SearchUnknownCustomerAsync(IPage page)
    {
        await page.FillAsync("#q", $"nobody-{Guid.NewGuid():N}@example.com");
        await page.ClickAsync("#search button[type=submit]");
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
