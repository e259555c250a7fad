using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Identities;

public static class IdentityTypes
{
    public const string Email = "email";
    public const string Phone = "phone";
    public const string HubSpot = "hubspot";
    /// <summary>A HubSpot deal: an object, whose touchpoints go to the contacts associated with it.</summary>
    public const string HubSpotDeal = "hubspot-deal";
    public const string Salesforce = "salesforce";
    /// <summary>A Salesforce Opportunity: an object, whose touchpoints go to its contact and its contact roles.</summary>
    public const string SalesforceOpportunity = "salesforce-opportunity";
    public const string Meta = "meta";
    public const string Instagram = "instagram";
    public const string Trustpilot = "trustpilot";
    public const string Google = "google";

    // Issue 15 sources: each sender's own person id, named like the source.
    public const string Shopify = "shopify";
    /// <summary>A Shopify order: an object, so a refund, which names only its order, goes to the buyer.</summary>
    public const string ShopifyOrder = "shopify-order";
    public const string Zendesk = "zendesk";
    public const string Intercom = "intercom";
    public const string Typeform = "typeform";
    public const string SurveyMonkey = "surveymonkey";
    public const string Delighted = "delighted";
    public const string CustomPrefix = "custom:";

    /// <summary>
    /// The one table of what each identity type names. Person identities link and merge customers; object ids (deals,
    /// opportunities, orders) are things people share, so they only attribute touchpoints to the people associated with
    /// them and never link or merge anyone. Every type must be listed here (a unit test reflects over the constants).
    /// </summary>
    public static IReadOnlyDictionary<string, IdentityClass> Classes { get; } = new Dictionary<string, IdentityClass>(StringComparer.Ordinal)
    {
        [Email] = IdentityClass.Person,
        [Phone] = IdentityClass.Person,
        [HubSpot] = IdentityClass.Person,
        [HubSpotDeal] = IdentityClass.BusinessObject,
        [Salesforce] = IdentityClass.Person,
        [SalesforceOpportunity] = IdentityClass.BusinessObject,
        [Meta] = IdentityClass.Person,
        [Instagram] = IdentityClass.Person,
        [Trustpilot] = IdentityClass.Person,
        [Google] = IdentityClass.Person,
        [Shopify] = IdentityClass.Person,
        [ShopifyOrder] = IdentityClass.BusinessObject,
        [Zendesk] = IdentityClass.Person,
        [Intercom] = IdentityClass.Person,
        [Typeform] = IdentityClass.Person,
        [SurveyMonkey] = IdentityClass.Person,
        [Delighted] = IdentityClass.Person,
    };

    /// <summary>The class of a type; <c>custom:&lt;name&gt;</c> is the sending system's own person id. Null for an unknown type.</summary>
    public static IdentityClass? ClassOf(string type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (Classes.TryGetValue(type, out var known))
        {
            return known;
        }

        return type.StartsWith(CustomPrefix, StringComparison.Ordinal) && type.Length > CustomPrefix.Length ? IdentityClass.Person : null;
    }

    /// <summary>True for ids of things people share (deals, opportunities, orders): they attribute touchpoints, never link people.</summary>
    public static bool IsObject(string type) => ClassOf(type) == IdentityClass.BusinessObject;

    /// <summary>The identities that name people, without the object ids among them (what erasure and dead letters key on).</summary>
    public static IEnumerable<Identity> People(IEnumerable<Identity> identities) => identities.Where(i => !IsObject(i.Type));

    public static bool IsKnown(string type) => ClassOf(type) is not null;
}

/// <summary>What an identity type names: a person, or a thing (deal, order) that one or more people are associated with.</summary>
public enum IdentityClass
{
    Person,
    BusinessObject,
}

/// <summary>Normalizes identity values the same way on ingestion and on lookup, so both meet in one key.</summary>
public static class IdentityNormalizer
{
    /// <summary>A longer value names nobody (no e-mail, phone or CRM id is this long; a longer one is pasted text).</summary>
    public const int MaxValueChars = 512;

    // Values that sources send for "unknown" and that must never link two people.
    private static readonly HashSet<string> Placeholders = new(StringComparer.OrdinalIgnoreCase)
    {
        "", "null", "undefined", "none", "n/a", "na", "anonymous", "unknown", "-", "0",
    };

    // Real values (e-mails, phones, CRM ids) are mostly longer than any placeholder: those skip hashing the value.
    private static readonly int LongestPlaceholder = Placeholders.Max(p => p.Length);

    public static Identity? Normalize(string type, string? value)
    {
        if (string.IsNullOrWhiteSpace(type) || value is null)
        {
            return null;
        }

        type = type.Trim().ToLowerInvariant();
        var trimmed = value.Trim();
        if ((trimmed.Length <= LongestPlaceholder && Placeholders.Contains(trimmed)) || trimmed.Length > MaxValueChars)
        {
            return null;
        }

        var normalized = type switch
        {
            IdentityTypes.Email => NormalizeEmail(trimmed),
            IdentityTypes.Phone => NormalizePhone(trimmed),
            _ => trimmed,
        };
        return normalized is null ? null : new Identity(type, normalized);
    }

    /// <summary>Parses "type:value" as used by the lookup route; the value may itself contain colons.</summary>
    public static Identity? Parse(string? typeAndValue)
    {
        if (string.IsNullOrWhiteSpace(typeAndValue))
        {
            return null;
        }

        // custom:<name>:<value> has a colon inside the type.
        var text = typeAndValue.Trim();
        int split;
        if (text.StartsWith(IdentityTypes.CustomPrefix, StringComparison.OrdinalIgnoreCase))
        {
            split = text.IndexOf(':', IdentityTypes.CustomPrefix.Length);
        }
        else
        {
            split = text.IndexOf(':', StringComparison.Ordinal);
        }

        if (split <= 0)
        {
            return null;
        }

        var type = text[..split].ToLowerInvariant();
        return IdentityTypes.IsKnown(type) ? Normalize(type, text[(split + 1)..]) : null;
    }

    private static string? NormalizeEmail(string value)
    {
        var email = value.ToLowerInvariant();
        var at = email.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at != email.LastIndexOf('@') || at == email.Length - 1 || email.Contains(' ', StringComparison.Ordinal))
        {
            return null;
        }

        return email;
    }

    /// <summary>E.164: '+' and 8–15 digits. "00" is read as the international prefix.</summary>
    private static string? NormalizePhone(string value)
    {
        // '+' and the digits, assembled on the stack: the value is at most MaxValueChars long here, and only the result is kept.
        Span<char> e164 = stackalloc char[value.Length + 1];
        e164[0] = '+';
        var length = 1;
        foreach (var c in value)
        {
            if (char.IsAsciiDigit(c))
            {
                e164[length++] = c;
            }
        }

        ReadOnlySpan<char> digits = e164[1..length];
        if (!value.AsSpan().TrimStart().StartsWith('+') && digits.StartsWith("00", StringComparison.Ordinal))
        {
            digits = digits[2..];
        }

        return digits.Length is >= 8 and <= 15 ? string.Concat("+", digits) : null;
    }
}
