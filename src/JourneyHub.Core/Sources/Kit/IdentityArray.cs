using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Sources.Kit;

/// <summary>
/// A touchpoint's identities when an adapter knows the few it may name: an array of exactly the ones present, which is what
/// the touchpoint keeps (a <see cref="List{T}"/> would add its own object and spare capacity to every touchpoint).
/// </summary>
public static class IdentityArray
{
    /// <summary>The non-null identities among <paramref name="first"/>, <paramref name="second"/> and <paramref name="third"/>, in that order, each once.</summary>
    /// <remarks>The same list <see cref="IdentityListExtensions.AddIfPresent"/> builds from the same values, added in the same order.</remarks>
    public static Identity[] Of(Identity? first, Identity? second = null, Identity? third = null)
    {
        if (second is not null && second == first)
        {
            second = null;
        }

        if (third is not null && (third == first || third == second))
        {
            third = null;
        }

        var count = (first is null ? 0 : 1) + (second is null ? 0 : 1) + (third is null ? 0 : 1);
        if (count == 0)
        {
            return [];
        }

        var identities = new Identity[count];
        var at = 0;
        foreach (var identity in (ReadOnlySpan<Identity?>)[first, second, third])
        {
            if (identity is not null)
            {
                identities[at++] = identity;
            }
        }

        return identities;
    }
}
