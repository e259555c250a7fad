using System.Security.Cryptography;
using System.Text;

namespace JourneyHub.Functions.Ui;

/// <summary>
/// A self-contained page composed from the embedded Ui/&lt;name&gt;.html, .css and .js: the stylesheet replaces
/// <c>/*__PAGE_CSS__*/</c> and the shared key handling (Ui/hub-key.js, <c>JourneyHubKey</c>) followed by the page's
/// script replaces <c>/*__PAGE_JS__*/</c>. One anonymous route then serves the whole page (no CDN, no second
/// request that would need the function key), and the inline script and style are allowed by their SHA-256 hashes
/// in the Content-Security-Policy, so nothing else can run on the page. Every page of the hub is built this way.
/// </summary>
public sealed class UiPage
{
    private const string StylePlaceholder = "/*__PAGE_CSS__*/";
    private const string ScriptPlaceholder = "/*__PAGE_JS__*/";
    private const string KeyScript = "hub-key.js";

    private UiPage(byte[] html, string contentSecurityPolicy)
    {
        Html = html;
        ContentSecurityPolicy = contentSecurityPolicy;
    }

    /// <summary>UTF-8 bytes of the composed page.</summary>
    public byte[] Html { get; }

    public string ContentSecurityPolicy { get; }

    /// <summary>
    /// Headers sent with the page. no-referrer: a page opened with the deprecated <c>?code=</c> still carries the key
    /// in its address until its script moves it into the fragment.
    /// </summary>
    public IReadOnlyDictionary<string, string> Headers => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Content-Security-Policy"] = ContentSecurityPolicy,
        ["Referrer-Policy"] = "no-referrer",
        ["X-Content-Type-Options"] = "nosniff",
        ["Cache-Control"] = "no-cache",
    };

    /// <summary>Colours, type, focus ring and skip link shared by every page.</summary>
    private const string BaseStyle = "page-base.css";

    /// <summary>Composes Ui/<paramref name="name"/>.html/.css/.js; call once and keep the result (the page never changes).</summary>
    public static UiPage Load(string name)
    {
        var html = Resource(name + ".html");
        var css = Resource(BaseStyle) + "\n" + Resource(name + ".css");
        var js = Resource(KeyScript) + "\n" + Resource(name + ".js");
        if (!html.Contains(StylePlaceholder, StringComparison.Ordinal) || !html.Contains(ScriptPlaceholder, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{name}.html lost its {StylePlaceholder} or {ScriptPlaceholder} placeholder.");
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
        return new UiPage(Encoding.UTF8.GetBytes(page), csp);
    }

    private static string Hash(string inline) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(inline)));

    private static string Resource(string name)
    {
        var assembly = typeof(UiPage).Assembly;
        using var stream = assembly.GetManifestResourceStream("JourneyHub.Ui." + name)
            ?? throw new InvalidOperationException($"Embedded resource JourneyHub.Ui.{name} is missing from {assembly.GetName().Name}.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
