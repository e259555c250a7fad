namespace JourneyHub.Core.Sources.Custom;

/// <summary>Bound from <c>Sources:Custom</c>: one entry per source name, <c>Sources:Custom:&lt;name&gt;:Secret</c>.</summary>
public sealed class CustomSourceOptions
{
    public const string Section = "Sources:Custom";

    /// <summary>Source name (the <c>{name}</c> of the route) → its settings. Names compare case-insensitively.</summary>
    public Dictionary<string, CustomSourceSettings> Sources { get; } = new(StringComparer.OrdinalIgnoreCase);
}

public sealed class CustomSourceSettings
{
    /// <summary>Standard Webhooks secret(s), <c>whsec_…</c>; several, separated by spaces or commas, during a key rotation.</summary>
    public string? Secret { get; set; }
}
