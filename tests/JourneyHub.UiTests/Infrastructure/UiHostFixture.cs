using JourneyHub.IntegrationTests.Infrastructure;
using JourneyHub.LocalHost;
using Microsoft.Playwright;

namespace JourneyHub.UiTests.Infrastructure;

/// <summary>
/// One Azurite, one local host (with a function key, so the page must send it) and one headless Chromium,
/// shared by the tests of the "Ui" collection.
/// </summary>
public sealed class UiHostFixture : IAsyncLifetime
{
    public const string FunctionKey = "ui-test-function-key";
    public const string HubSpotSecret = "5e0c1f4a-ui-tests-hubspot-secret";
    public static readonly string CustomSecret = "whsec_" + Convert.ToBase64String("journeyhub-ui-tests-signing-key!"u8.ToArray());

    private AzuriteProcess? azurite;
    private IPlaywright? playwright;

    public LocalHostProcess Host { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public string StorageConnectionString => azurite!.ConnectionString;

    public static IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["LocalHost__FunctionKey"] = FunctionKey,
        ["Sources__HubSpot__ClientSecret"] = HubSpotSecret,
        ["Sources__Custom__web__Secret"] = CustomSecret,
        ["Sources__Custom__pos__Secret"] = CustomSecret,
        ["Sources__Custom__survey__Secret"] = CustomSecret,
    };

    public async Task InitializeAsync()
    {
        azurite = await AzuriteProcess.StartAsync();
        Host = await LocalHostProcess.StartAsync(azurite.ConnectionString, Settings);
        (playwright, Browser) = await Chromium.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        playwright?.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        if (azurite is not null)
        {
            await azurite.DisposeAsync();
        }
    }

    /// <summary>The page URL with the function key in its fragment, as a user would bookmark it.</summary>
    public string PageUrl(string? query = null) => new Uri(Host.BaseAddress, $"/api/ui{(query is null ? "" : "?" + query)}#code={FunctionKey}").ToString();

    /// <summary>A new page in its own browser context (cookies, viewport), closed with the context.</summary>
    public async Task<IPage> NewPageAsync(int width, int height, bool isMobile = false)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            IsMobile = isMobile,
            HasTouch = isMobile,
            DeviceScaleFactor = 1,
            Locale = "en-GB",
            TimezoneId = "UTC",
        });
        return await context.NewPageAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class UiCollection : ICollectionFixture<UiHostFixture>
{
    public const string Name = "Ui";
}
