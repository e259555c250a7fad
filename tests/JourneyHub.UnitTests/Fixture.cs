namespace JourneyHub.UnitTests;

/// <summary>Reads golden payloads from tests/Fixtures/&lt;source&gt;/, linked into the test output as Fixtures/ (a clone has no ../shared).</summary>
internal static class Fixture
{
    public static string PathOf(string relative) => Path.Combine(AppContext.BaseDirectory, "Fixtures", relative);

    public static byte[] Bytes(string relative) => File.ReadAllBytes(PathOf(relative));

    public static string Text(string relative) => File.ReadAllText(PathOf(relative));
}
