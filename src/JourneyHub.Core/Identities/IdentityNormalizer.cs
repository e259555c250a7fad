using System.Text;
using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Identities;

public static class IdentityTypes
{
    public const string Email = "email";
    public const string Phone = "phone";
    public const string HubSpot = "hubspot";
    /// <summary>A HubSpot deal is not a person, but it links deal events to the contact associated with it.</summary>
    public const string HubSpotDeal = "hubspot-deal";
    public const string Salesforce = "salesforce";
    public const string Meta = "meta";
    public const string Instagram = "instagram";
    public const string Trustpilot = "trustpilot";
    public const string Google = "google";

    // Issue 15 sources: each sender's own person id, named like the source.
    public const string Shopify = "shopify";
    /// <summary>A Shopify order is not a person either: it links a refund, which names only its order, to the buyer.</summary>
    public const string ShopifyOrder = "shopify-order";
    public const string Zendesk = "zendesk";
    public const string Intercom = "intercom";
    public const string Typeform = "typeform";
    public const string SurveyMonkey = "surveymonkey";
    public const string Delighted = "delighted";
    public const string CustomPrefix = "custom:";

    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        Email, Phone, HubSpot, HubSpotDeal, Salesforce, Meta, Instagram, Trustpilot, Google,
        Shopify, ShopifyOrder, Zendesk, Intercom, Typeform, SurveyMonkey, Delighted,
    };

    /// <summary>Ids of things a person owns (deals, orders) rather than of the person: any number may belong to one customer.</summary>
    private static readonly HashSet<string> LinkOnly = new(StringComparer.Ordinal) { HubSpotDeal, ShopifyOrder };

    public static bool IsLinkOnly(string type) => LinkOnly.Contains(type);

    public static bool IsKnown(string type) =>
        Known.Contains(type) || (type.StartsWith(CustomPrefix, StringComparison.Ordinal) && type.Length > CustomPrefix.Length);
}

/// <summary>Normalizes identity values the same way on ingestion and on lookup, so both meet in one key.</summary>
public static class IdentityNormalizer
{
    // Values that sources send for "unknown" and that must never link two people.
    private static readonly HashSet<string> Placeholders = new(StringComparer.OrdinalIgnoreCase)
    {
        "", "null", "undefined", "none", "n/a", "na", "anonymous", "unknown", "-", "0",
    };

    public static Identity? Normalize(string type, string? value)
    {
        if (string.IsNullOrWhiteSpace(type) || value is null)
        {
            return null;
        }

        type = type.Trim().ToLowerInvariant();
        var trimmed = value.Trim();
        if (Placeholders.Contains(trimmed) || trimmed.Length > 512)
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
        var digits = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (char.IsAsciiDigit(c))
            {
                digits.Append(c);
            }
        }

        var text = digits.ToString();
        if (!value.TrimStart().StartsWith('+') && text.StartsWith("00", StringComparison.Ordinal))
        {
            text = text[2..];
        }

        return text.Length is >= 8 and <= 15 ? "+" + text : null;
    }
}
