namespace JourneyHub.IntegrationTests.Infrastructure;

/// <summary>Golden payloads from tests/Fixtures/&lt;source&gt;/, linked into the test output as Fixtures/.</summary>
internal static class Fixture
{
    public static byte[] Bytes(string relative) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", relative));

    public static string Text(string relative) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", relative));

    /// <summary>The repository root, found from the test binaries upwards.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "JourneyHub.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("JourneyHub.sln not found above " + AppContext.BaseDirectory);
    }

    public static string BuildConfiguration =>
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent?.Name ?? "Debug";
}
