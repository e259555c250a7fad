using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Identities;

/// <summary>
/// A link the hub refused to make: a merge over <see cref="IdentityOptions.MaxMerges"/>, or more identities of one type
/// than <see cref="IdentityOptions.MaxPerType"/>. Kept per customer so an operator can see why two records stayed apart.
/// </summary>
public sealed record IdentityConflict
{
    public required string CustomerId { get; init; }
    public required DateTimeOffset At { get; init; }

    /// <summary>Machine-readable: <c>max-per-type</c> or <c>max-merges</c>.</summary>
    public required string Reason { get; init; }
    public required string Detail { get; init; }

    /// <summary>What caused the attempt (source, action and event id of the touchpoint).</summary>
    public required string Cause { get; init; }
    public IReadOnlyList<Identity> Identities { get; init; } = [];
    public IReadOnlyList<string> OtherCustomerIds { get; init; } = [];
}

public static class IdentityConflictReasons
{
    public const string MaxPerType = "max-per-type";
    public const string MaxMerges = "max-merges";
}

/// <summary>The IdentityConflicts table: one partition per customer, newest first.</summary>
public interface IIdentityConflictStore
{
    Task RecordAsync(IdentityConflict conflict, CancellationToken cancellationToken);

    Task<IReadOnlyList<IdentityConflict>> ListAsync(string customerId, int limit, CancellationToken cancellationToken);

    Task<int> DeleteCustomerAsync(string customerId, CancellationToken cancellationToken);
}
