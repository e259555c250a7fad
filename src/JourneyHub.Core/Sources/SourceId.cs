using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace JourneyHub.Core.Sources;

/// <summary>
/// The name of a source, and the one place that knows the names and the <c>custom:&lt;name&gt;</c> rule. It is what
/// touchpoints carry in <c>source</c>, what queue messages carry, and the key under which <see cref="SourceRegistry"/> finds a
/// source's adapter, webhook verifier and enricher: each of those says its own <c>Source</c>, so there is no second name
/// to keep equal. Every <c>custom:&lt;name&gt;</c> source is served by the <see cref="Custom"/> adapter and verifier
/// (<see cref="Adapter"/>); a name is 1–50 lower-case letters, digits, dashes, underscores and dots, starting with a
/// letter or digit (the Touchpoint schema's <c>custom:</c> pattern; an underscore is what a name needs to be set from a
/// shell, where <c>Sources__Custom__point-of-sale__Secret</c> is not a valid variable name).
/// </summary>
public readonly partial record struct SourceId
{
    public const string CustomPrefix = "custom:";

    private readonly string? name;

    private SourceId(string name) => this.name = name;

    public static SourceId HubSpot { get; } = new("hubspot");
    public static SourceId Salesforce { get; } = new("salesforce");
    /// <summary>Facebook pages; also the adapter of Instagram deliveries, which arrive through the same Meta app.</summary>
    public static SourceId Meta { get; } = new("meta");
    public static SourceId Instagram { get; } = new("instagram");
    public static SourceId Trustpilot { get; } = new("trustpilot");
    /// <summary>Google Business Profile reviews: pulled only, so the pull adapter has the source's own name.</summary>
    public static SourceId Google { get; } = new("google");
    public static SourceId Shopify { get; } = new("shopify");
    public static SourceId Zendesk { get; } = new("zendesk");
    public static SourceId Intercom { get; } = new("intercom");
    public static SourceId Typeform { get; } = new("typeform");
    public static SourceId SurveyMonkey { get; } = new("surveymonkey");
    public static SourceId Delighted { get; } = new("delighted");
    /// <summary>The adapter and verifier of every <c>custom:&lt;name&gt;</c> source.</summary>
    public static SourceId Custom { get; } = new("custom");

    // Pull adapters: a pulled page is normalized by its own adapter, whose touchpoints carry the webhook source's name.
    public static SourceId HubSpotPull { get; } = new("hubspot-pull");
    public static SourceId SalesforcePull { get; } = new("salesforce-pull");
    public static SourceId TrustpilotPull { get; } = new("trustpilot-pull");
    public static SourceId MetaPull { get; } = new("meta-pull");

    /// <summary>
    /// The built-in names a touchpoint carries in <c>source</c> (the Touchpoint schema's list; a pulled record carries its
    /// webhook source's name). With <c>custom:&lt;name&gt;</c> these are what the read API's source filters accept.
    /// </summary>
    public static IReadOnlyList<SourceId> TouchpointSources { get; } =
        [HubSpot, Salesforce, Meta, Instagram, Trustpilot, Google, Shopify, Zendesk, Intercom, Typeform, SurveyMonkey, Delighted];

    /// <summary>The name as touchpoints, queue messages and routes spell it (<c>hubspot</c>, <c>custom:contoso-pos</c>).</summary>
    public string Name => name ?? "";

    public bool IsCustom => Name.StartsWith(CustomPrefix, StringComparison.Ordinal);

    /// <summary><c>contoso-pos</c> of <c>custom:contoso-pos</c>; null for a built-in source.</summary>
    public string? CustomName => IsCustom ? Name[CustomPrefix.Length..] : null;

    /// <summary>The source whose adapter, verifier and enricher serve this one: <see cref="Custom"/> for a custom source.</summary>
    public SourceId Adapter => IsCustom ? Custom : this;

    /// <summary>A source added by configuration: <c>custom:&lt;name&gt;</c>.</summary>
    public static bool TryCustom([NotNullWhen(true)] string? customName, out SourceId source)
    {
        source = customName is not null && NamePattern().IsMatch(customName) ? new SourceId(CustomPrefix + customName) : default;
        return source.name is not null;
    }

    /// <summary>A built-in name (<c>hubspot</c>, <c>shopify</c>, <c>hubspot-pull</c>) or <c>custom:&lt;name&gt;</c>.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out SourceId source)
    {
        if (text is not null && text.StartsWith(CustomPrefix, StringComparison.Ordinal))
        {
            // What TryCustom(name) would build is the text itself: checking the name in place saves two strings per custom event.
            source = NamePattern().IsMatch(text.AsSpan(CustomPrefix.Length)) ? new SourceId(text) : default;
            return source.name is not null;
        }

        source = text is not null && NamePattern().IsMatch(text) ? new SourceId(text) : default;
        return source.name is not null;
    }

    /// <summary>
    /// A name that touchpoints can carry in <c>source</c>: one of <see cref="TouchpointSources"/> or <c>custom:&lt;name&gt;</c>.
    /// Adapter-only names (<c>custom</c>, <c>hubspot-pull</c>) and unknown names are not: a filter on them could only ever
    /// match nothing, so the read API refuses them instead of answering with an empty page.
    /// </summary>
    public static bool IsTouchpointSource([NotNullWhen(true)] string? text) =>
        TryParse(text, out var source) && (source.IsCustom || TouchpointSources.Contains(source));

    public static SourceId Parse(string text) =>
        TryParse(text, out var source) ? source : throw new FormatException($"'{text}' is not a source name (1–50 lower-case letters, digits, dashes, underscores and dots, or custom:<name>).");

    public override string ToString() => Name;

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,49}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
