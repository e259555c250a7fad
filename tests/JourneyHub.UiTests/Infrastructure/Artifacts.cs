namespace JourneyHub.UiTests.Infrastructure;

/// <summary>Where screenshots go: UI_ARTIFACTS_DIR, else TestResults/ui under the test output (kept by CI as artifacts).</summary>
public static class Artifacts
{
    public static string Directory
    {
        get
        {
            var dir = Environment.GetEnvironmentVariable("UI_ARTIFACTS_DIR") is { Length: > 0 } configured
                ? configured
                : Path.Combine(AppContext.BaseDirectory, "TestResults", "ui");
            System.IO.Directory.CreateDirectory(dir);
            return dir;
        }
    }

    public static string PathFor(string name) => Path.Combine(Directory, name + ".png");
}
