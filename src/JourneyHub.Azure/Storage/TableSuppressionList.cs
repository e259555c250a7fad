using Azure.Data.Tables;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;

namespace JourneyHub.Azure.Storage;

/// <summary>
/// Erased people, kept only as HMAC-SHA256 of their identities under a secret key, so nothing personal survives
/// erasure: a plain or salted hash of a phone number could be found again by hashing every possible number, a keyed
/// one cannot without the key (which lives in Key Vault, not in the table). Row keys are <see cref="IdentityKeys"/> hashes,
/// the one function every table that must find a person uses.
/// </summary>
public sealed class TableSuppressionList(StorageClients clients, StorageBootstrap bootstrap, IdentityKeys keys, TimeProvider clock) : ISuppressionList
{
    private const string Partition = "suppressed";

    private TableClient Table => clients.Tables.GetTableClient(StorageNames.SuppressionsTable);

    /// <summary>Azure Table filters allow at most 15 comparisons; one is the partition.</summary>
    private const int KeysPerQuery = 14;

    public async Task<bool> IsSuppressedAsync(IReadOnlyList<Identity> identities, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        if (identities.Count == 1)
        {
            return (await Table.GetEntityIfExistsAsync<TableEntity>(Partition, keys.Hash(identities[0]), ["RowKey"], cancellationToken)).HasValue;
        }

        // One single-partition query for all of a touchpoint's identities instead of a point read each.
        foreach (var chunk in identities.Select(keys.Hash).Distinct(StringComparer.Ordinal).Chunk(KeysPerQuery))
        {
            var rowKeys = string.Join(" or ", chunk.Select(hash => TableClient.CreateQueryFilter($"RowKey eq {hash}")));
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition}") + " and (" + rowKeys + ")";
            await foreach (var _ in Table.QueryAsync<TableEntity>(filter, maxPerPage: 1, select: ["RowKey"], cancellationToken: cancellationToken))
            {
                return true;
            }
        }

        return false;
    }

    public async Task SuppressAsync(IReadOnlyList<Identity> identities, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        foreach (var identity in identities)
        {
            await Table.UpsertEntityAsync(new TableEntity(Partition, keys.Hash(identity)) { ["SuppressedAt"] = clock.GetUtcNow() }, TableUpdateMode.Replace, cancellationToken);
        }
    }
}
