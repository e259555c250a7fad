using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Sources;

/// <summary>One entry of a batch: a touchpoint, or the reason it could not become one.</summary>
internal readonly record struct AdapterOutcome(Touchpoint? Touchpoint, string? Error)
{
    public static AdapterOutcome Ok(Touchpoint touchpoint) => new(touchpoint, null);

    public static AdapterOutcome Fail(string error) => new(null, error);
}

internal static class AdapterText
{
    /// <summary>Shortens free text for a one-line summary.</summary>
    public static string Clip(string? text, int max = 80)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "";
        }

        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= max ? line : line[..(max - 1)].TrimEnd() + "…";
    }

    public static void AddIdentity(List<Identity> identities, string type, string? value)
    {
        if (Identity.Create(type, value) is { } identity && !identities.Contains(identity))
        {
            identities.Add(identity);
        }
    }
}
