using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;
using JourneyHub.Core.Processing;
using JourneyHub.Core.Schema;

namespace JourneyHub.Azure.Storage;

/// <summary>Erased people, kept only as SHA-256 hashes of their identities, so nothing personal survives erasure.</summary>
public sealed class TableSuppressionList(StorageClients clients, StorageBootstrap bootstrap) : ISuppressionList
{
    private const string Partition = "suppressed";

    private TableClient Table => clients.Tables.GetTableClient(StorageNames.SuppressionsTable);

    public async Task<bool> IsSuppressedAsync(IReadOnlyList<Identity> identities, CancellationToken cancellationToken)
    {
        await bootstrap.EnsureAsync(cancellationToken);
        foreach (var identity in identities)
        {
            var found = await Table.GetEntityIfExistsAsync<TableEntity>(Partition, Hash(identity), ["RowKey"], cancellationToken);
            if (found.HasValue)
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
            await Table.UpsertEntityAsync(new TableEntity(Partition, Hash(identity)) { ["SuppressedAt"] = DateTimeOffset.UtcNow }, TableUpdateMode.Replace, cancellationToken);
        }
    }

    internal static string Hash(Identity identity) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity.Type + ":" + identity.Value)));
}
