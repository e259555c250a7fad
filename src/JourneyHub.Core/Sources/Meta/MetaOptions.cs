namespace JourneyHub.Core.Sources.Meta;

/// <summary>Bound from <c>Sources:Meta</c>.</summary>
public sealed class MetaOptions
{
    public const string Section = "Sources:Meta";

    /// <summary>Signs every POST (<c>X-Hub-Signature-256</c>). Without it, Meta deliveries are refused as not configured.</summary>
    public string? AppSecret { get; set; }

    /// <summary>The token Meta echoes in the GET verification handshake.</summary>
    public string? VerifyToken { get; set; }

    public string? AccessToken { get; set; }

    public Uri BaseUrl { get; set; } = new("https://graph.facebook.com");
}
