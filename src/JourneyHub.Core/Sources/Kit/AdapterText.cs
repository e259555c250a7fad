using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Sources.Kit;

public static class AdapterText
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
}

public static class IdentityListExtensions
{
    /// <summary>Adds the normalized identity unless the value is empty or unusable for its type, or already present.</summary>
    /// <returns>Whether the list now holds that identity.</returns>
    public static bool AddIfPresent(this List<Identity> identities, string type, string? value)
    {
        ArgumentNullException.ThrowIfNull(identities);
        if (Identity.Create(type, value) is not { } identity)
        {
            return false;
        }

        if (!identities.Contains(identity))
        {
            identities.Add(identity);
        }

        return true;
    }
}
