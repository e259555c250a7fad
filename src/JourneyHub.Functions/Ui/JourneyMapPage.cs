using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace JourneyHub.Functions.Ui;

/// <summary>
/// The journey map page: journey-map.html with its stylesheet and script inlined, so one anonymous route serves
/// a self-contained page (no CDN, no second request that would need the function key). The inline script and
/// style are allowed by their SHA-256 hashes in the Content-Security-Policy, so nothing else can run on the page.
/// </summary>
public sealed class JourneyMapPage
{
    private const string StylePlaceholder = "/*__JOURNEY_MAP_CSS__*/";
    private const string ScriptPlaceholder = "/*__JOURNEY_MAP_JS__*/";

    private static readonly Lazy<JourneyMapPage> Loaded = new(Load);

    private JourneyMapPage(byte[] html, string contentSecurityPolicy)
    {
        Html = html;
        ContentSecurityPolicy = contentSecurityPolicy;
    }

    public static JourneyMapPage Instance => Loaded.Value;

    /// <summary>UTF-8 bytes of the composed page.</summary>
    public byte[] Html { get; }

    public string ContentSecurityPolicy { get; }

    /// <summary>Headers sent with the page. no-referrer because the page URL may carry the function key (?code=).</summary>
    public IReadOnlyDictionary<string, string> Headers => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Content-Security-Policy"] = ContentSecurityPolicy,
        ["Referrer-Policy"] = "no-referrer",
        ["X-Content-Type-Options"] = "nosniff",
        ["Cache-Control"] = "no-cache",
    };

    private static JourneyMapPage Load()
    {
        var html = Resource("journey-map.html");
        var css = Resource("journey-map.css");
        var js = Resource("journey-map.js");
        if (!html.Contains(StylePlaceholder, StringComparison.Ordinal) || !html.Contains(ScriptPlaceholder, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("journey-map.html lost its style or script placeholder.");
        }

        var page = html.Replace(StylePlaceholder, css, StringComparison.Ordinal).Replace(ScriptPlaceholder, js, StringComparison.Ordinal);
        var csp = string.Join("; ",
            "default-src 'none'",
            $"script-src '{Hash(js)}'",
            $"style-src '{Hash(css)}'",
            "connect-src 'self'",
            "img-src 'self' data:",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'");
        return new JourneyMapPage(Encoding.UTF8.GetBytes(page), csp);
    }

    private static string Hash(string inline) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(inline)));

    private static string Resource(string name)
    {
        var assembly = typeof(JourneyMapPage).Assembly;
        using var stream = assembly.GetManifestResourceStream("JourneyHub.Ui." + name)
            ?? throw new InvalidOperationException($"Embedded resource JourneyHub.Ui.{name} is missing from {assembly.GetName().Name}.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
