using System.ComponentModel.DataAnnotations;
using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Identities;

/// <summary>
/// Guards against the classic CDP failure of one shared value gluing thousands of people into one profile
/// (<c>Identity:BlockedValues</c>, <c>Identity:BlockedEmailLocalParts</c>, <c>Identity:MaxPerType</c>, <c>Identity:MaxMerges</c>).
/// </summary>
public sealed class IdentityOptions
{
    public const string Section = "Identity";

    /// <summary>Values that never link people, whatever their type (compared case-insensitively after normalization).</summary>
    public IList<string> BlockedValues { get; } =
    [
        "", "null", "undefined", "none", "n/a", "anonymous", "unknown", "test", "test@test.com", "test@example.com",
        "noemail@noemail.com", "no@email.com", "+10000000000", "+11111111111", "+12345678900",
    ];

    /// <summary>Shared inboxes: e-mails with these local parts belong to a team, not to a person.</summary>
    public IList<string> BlockedEmailLocalParts { get; } =
    [
        "info", "sales", "support", "noreply", "no-reply", "donotreply", "do-not-reply", "admin", "contact", "hello",
        "office", "team", "help", "billing", "marketing", "webmaster", "postmaster", "mailer-daemon", "test",
    ];

    /// <summary>At most this many identities of one type on one customer; a further link is recorded as a conflict.</summary>
    [Range(1, 1000)]
    public int MaxPerType { get; set; } = 5;

    /// <summary>At most this many customers merged into one; a further merge is recorded as a conflict.</summary>
    [Range(0, 10000)]
    public int MaxMerges { get; set; } = 20;
}

/// <summary>
/// Decides which identities may link people; the rest still travel on the touchpoint but never join customers. Object ids
/// (<see cref="IdentityTypes.IsObject"/>: deals, orders) are never linkable: two people who share a deal stay two people.
/// </summary>
public sealed class IdentityGuard
{
    private readonly HashSet<string> blockedValues;
    private readonly HashSet<string> blockedLocalParts;

    public IdentityGuard(Microsoft.Extensions.Options.IOptions<IdentityOptions> options)
        : this(options.Value)
    {
    }

    public IdentityGuard(IdentityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        blockedValues = new HashSet<string>(options.BlockedValues.Select(v => v.Trim()), StringComparer.OrdinalIgnoreCase);
        blockedLocalParts = new HashSet<string>(options.BlockedEmailLocalParts.Select(v => v.Trim()), StringComparer.OrdinalIgnoreCase);
    }

    public IdentityOptions Options { get; }

    public bool IsBlocked(Identity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        if (string.IsNullOrWhiteSpace(identity.Value) || blockedValues.Contains(identity.Value.Trim()))
        {
            return true;
        }

        if (identity.Type == IdentityTypes.Email)
        {
            var at = identity.Value.IndexOf('@', StringComparison.Ordinal);
            var local = at < 0 ? identity.Value : identity.Value[..at];

            // "info+newsletter@" is still the info inbox.
            var plus = local.IndexOf('+', StringComparison.Ordinal);
            return blockedLocalParts.Contains(plus < 0 ? local : local[..plus]);
        }

        return false;
    }

    /// <summary>The person identities that may link people, in the fixed claim order (type, then value).</summary>
    public List<Identity> Linkable(IEnumerable<Identity> identities) =>
        identities
            .Where(i => !IdentityTypes.IsObject(i.Type) && !IsBlocked(i))
            .Distinct()
            .OrderBy(i => i.Type, StringComparer.Ordinal)
            .ThenBy(i => i.Value, StringComparer.Ordinal)
            .ToList();

    /// <summary>True when adding <paramref name="added"/> to <paramref name="existing"/> keeps every type within <see cref="IdentityOptions.MaxPerType"/>.</summary>
    public bool FitsLimit(IEnumerable<Identity> existing, IEnumerable<Identity> added, out string? overType)
    {
        var union = existing.Concat(added).Distinct();
        foreach (var group in union.GroupBy(i => i.Type, StringComparer.Ordinal))
        {
            // A deal or order id is not a person's identity: a customer may have any number of deals and orders.
            if (!IdentityTypes.IsObject(group.Key) && group.Count() > Options.MaxPerType)
            {
                overType = group.Key;
                return false;
            }
        }

        overType = null;
        return true;
    }
}
