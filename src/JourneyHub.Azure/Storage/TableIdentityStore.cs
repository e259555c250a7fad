using Azure;
using Azure.Data.Tables;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;

namespace JourneyHub.Azure.Storage;

/// <summary>
/// The identity table: one partition per identity, keyed by its <see cref="IdentityKeys"/> hash (HMAC-SHA256 under the
/// suppression key), holding one row, <see cref="LinkRow"/>, the single truth about the identity: the customer it belongs
/// to (<c>CustomerId</c>, absent when nobody holds it) and whether its person was erased (<c>SuppressedAt</c>). So:
/// <list type="bullet">
/// <item>an identity's whole standing is one point read;</item>
/// <item>a claim is an insert of the row, which the service makes atomic: the first writer wins, everyone else reads the winner;</item>
/// <item>erasure never deletes the row: it replaces a link to the erased customer, under its ETag, with a suppressed
/// marker (no customer), or inserts the marker where there is no row. A claim therefore always meets the row once the
/// identity was ever linked or erased, and a marker answers it "suppressed": no interleaving of a claim and an erasure
/// links an erased person's identity to a new customer (a deleted row between the claim's conflict and its read would);</item>
/// <item>a link to anyone else is theirs: erasure keeps it and only stamps <c>SuppressedAt</c> on it, and the link wins
/// while it exists (the suppression counts only while nobody holds the identity);</item>
/// <item>the suppressions are spread over the identities' partitions instead of one hot partition shared by every lookup;</item>
/// <item>no plain identity is stored: the keys are hashes nobody can reverse by trying every phone number without the key
/// (which lives in Key Vault), and the row holds only the customer id (nothing reads an identity back from a link: a
/// customer's identities are listed on its summary row, which erasure strips).</item>
/// </list>
/// Changing <c>Privacy__SuppressionKey</c> therefore orphans every link as well as every suppression: it must never change.
/// </summary>
public sealed class TableIdentityStore(StorageClients clients, StorageBootstrap bootstrap, IdentityKeys keys, TimeProvider clock) : IIdentityStore
{
    public const string LinkRow = "link";
    private const string CustomerIdColumn = "CustomerId";
    private const string SuppressedAtColumn = "SuppressedAt";
    private const string LinkedAtColumn = "LinkedAt";
    private const int MaxConcurrencyRetries = 20;

    private TableClient Table => clients.Tables.GetTableClient(StorageNames.IdentitiesTable);

    public async Task<IdentityLookup> LookupAsync(Identity identity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identity);
        await bootstrap.EnsureAsync(cancellationToken);
        var row = await ReadAsync(keys.Hash(identity), cancellationToken);
        return row is null ? new IdentityLookup(null, IsSuppressed: false) : new IdentityLookup(row.GetString(CustomerIdColumn), IsSuppressed(row));
    }

    public async Task<IdentityClaim> ClaimAsync(Identity identity, string customerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identity);
        await bootstrap.EnsureAsync(cancellationToken);
        var partition = keys.Hash(identity);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await Table.AddEntityAsync(new TableEntity(partition, LinkRow) { [CustomerIdColumn] = customerId, [LinkedAtColumn] = clock.GetUtcNow() }, cancellationToken);
                return new IdentityClaim(customerId);
            }
            catch (RequestFailedException ex) when (ex.Status == 409 && attempt < MaxConcurrencyRetries)
            {
                // The row exists: a link (theirs wins) or an erased person's marker (nobody may claim it). Nothing deletes
                // the row, so it is there to read; the retry only covers a row removed by hand meanwhile.
                var row = await ReadAsync(partition, cancellationToken);
                if (row is not null)
                {
                    return new IdentityClaim(row.GetString(CustomerIdColumn));
                }
            }
        }
    }

    public async Task<bool> ReassignAsync(Identity identity, string fromCustomerId, string toCustomerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identity);
        await bootstrap.EnsureAsync(cancellationToken);
        var row = await ReadAsync(keys.Hash(identity), cancellationToken);

        // A marker names no customer, so it never matches: an erased identity nobody holds is never handed to anyone.
        if (row is null || row.GetString(CustomerIdColumn) != fromCustomerId)
        {
            return false;
        }

        // Only the customer changes. A SuppressedAt the link carries (an erasure of someone else who shared the identity)
        // stays: the merge moves a live person's identity to the customer that now is that person, so the link keeps
        // winning, and if that customer is erased later its erasure turns the row into a marker all the same.
        row[CustomerIdColumn] = toCustomerId;
        row[LinkedAtColumn] = clock.GetUtcNow();
        try
        {
            await Table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return false;
        }
    }

    public async Task<int> SuppressAndUnlinkAsync(IReadOnlyCollection<Identity> identities, IReadOnlyCollection<string> erasedCustomerIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identities);
        ArgumentNullException.ThrowIfNull(erasedCustomerIds);
        await bootstrap.EnsureAsync(cancellationToken);
        var unlinked = 0;
        foreach (var partition in identities.Select(keys.Hash).Distinct(StringComparer.Ordinal))
        {
            if (await SuppressAndUnlinkAsync(partition, erasedCustomerIds, cancellationToken))
            {
                unlinked++;
            }
        }

        return unlinked;
    }

    /// <summary>
    /// One identity, one conditional write of its row: the marker in place of a link to an erased customer (under the
    /// link's ETag), the marker where there is no row (an insert), or <c>SuppressedAt</c> on a link to anyone else (under
    /// its ETag). A concurrent claim, merge or erasure fails the write instead of being overwritten; the row is read again.
    /// </summary>
    private async Task<bool> SuppressAndUnlinkAsync(string partition, IReadOnlyCollection<string> erasedCustomerIds, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var row = await ReadAsync(partition, cancellationToken);
            var owner = row?.GetString(CustomerIdColumn);
            var unlink = owner is not null && erasedCustomerIds.Contains(owner, StringComparer.Ordinal);
            try
            {
                if (row is null)
                {
                    await Table.AddEntityAsync(Marker(partition, clock.GetUtcNow()), cancellationToken);
                }
                else if (unlink)
                {
                    await Table.UpdateEntityAsync(Marker(partition, SuppressedAt(row) ?? clock.GetUtcNow()), row.ETag, TableUpdateMode.Replace, cancellationToken);
                }
                else if (!IsSuppressed(row))
                {
                    await Table.UpdateEntityAsync(new TableEntity(partition, LinkRow) { [SuppressedAtColumn] = clock.GetUtcNow() }, row.ETag, TableUpdateMode.Merge, cancellationToken);
                }

                return unlink;
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412 && attempt < MaxConcurrencyRetries)
            {
                // Claimed, moved or erased between the read and the write: nothing was written; read again.
            }
        }
    }

    private static TableEntity Marker(string partition, DateTimeOffset suppressedAt) =>
        new(partition, LinkRow) { [SuppressedAtColumn] = suppressedAt };

    private static DateTimeOffset? SuppressedAt(TableEntity row) => row.GetDateTimeOffset(SuppressedAtColumn);

    private static bool IsSuppressed(TableEntity row) => SuppressedAt(row) is not null;

    /// <summary>The identity's row: one point read.</summary>
    private async Task<TableEntity?> ReadAsync(string partition, CancellationToken cancellationToken)
    {
        var found = await Table.GetEntityIfExistsAsync<TableEntity>(partition, LinkRow, cancellationToken: cancellationToken);
        return found.HasValue ? found.Value : null;
    }
}
