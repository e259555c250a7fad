using System.ComponentModel.DataAnnotations;

namespace JourneyHub.Core.Sources.Delighted;

/// <summary>Bound from <c>Sources:Delighted</c>.</summary>
public sealed class DelightedOptions
{
    public const string Section = "Sources:Delighted";

    /// <summary>The project's private API key: Delighted signs webhooks with it.</summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Points on the project's CES scale (Delighted offers 7 and 5). Delighted asks for agreement ("made it easy": 7 strongly agree),
    /// the hub's CES runs 1 very easy – 7 very hard, so answers are turned around on the way in.
    /// </summary>
    [AllowedValues(5, 7)]
    public int CesScale { get; set; } = 7;
}
