using Microsoft.Playwright;

namespace JourneyHub.UiTests.Infrastructure;

/// <summary>
/// Debian's Chromium (apt-get install chromium) under Playwright for .NET. The Playwright driver comes with the NuGet
/// package; no browser is downloaded (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1). UI_CHROMIUM overrides the executable.
/// </summary>
public static class Chromium
{
    public static string ExecutablePath => Environment.GetEnvironmentVariable("UI_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"Chromium is not installed at {ExecutablePath}: run 'apt-get update && apt-get install -y chromium' (or set UI_CHROMIUM).");
        }

        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic",
            ],
        });
        return (playwright, browser);
    }
}
