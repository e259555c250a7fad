using Azure;
using Azure.Data.Tables;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;

namespace JourneyHub.Azure.Storage;

/// <summary>
/// The identity table: one partition per identity, keyed by its <see cref="IdentityKeys"/> hash (HMAC-SHA256 under the
/// suppression key), holding at most two rows: <see cref="LinkRow"/> (the customer the identity belongs to) and
/// <see cref="SuppressedRow"/> (its person was erased). So:
/// <list type="bullet">
/// <item>an identity's whole standing, link and suppression, is one single-partition query;</item>
/// <item>a claim is an insert of the link row, which the service makes atomic: the first writer wins, everyone else reads the winner;</item>
/// <item>erasure deletes a link and writes its suppression in one entity-group transaction;</item>
/// <item>the suppressions are spread over the identities' partitions instead of one hot partition shared by every lookup;</item>
/// <item>no plain identity is stored: the keys are hashes nobody can reverse by trying every phone number without the key
/// (which lives in Key Vault), and the link row holds only the customer id (nothing reads an identity back from a link: a
/// customer's identities are listed on its summary row, which erasure strips).</item>
/// </list>
/// Changing <c>Privacy__SuppressionKey</c> therefore orphans every link as well as every suppression: it must never change.
/// </summary>
public sealed class TableIdentityStore(StorageClients clients, StorageBootstrap bootstrap, IdentityKeys keys, TimeProvider clock) : IIdentityStore
{
    public const string LinkRow = "link";
    public const string SuppressedRow = "suppressed";
    private const string CustomerIdColumn = "CustomerId";
    private const int MaxConcurrencyRetries = 20;

    private TableClient Table => clients.Tables.GetTableClient(StorageNames.IdentitiesTable);

    public async Task<IdentityLookup> LookupAsync(Identity identity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identity);
        await bootstrap.EnsureAsync(cancellationToken);
        var (link, suppressed) = await ReadAsync(keys.Hash(identity), cancellationToken);
        return new IdentityLookup(link?.GetString(CustomerIdColumn), suppressed);
    }

    public async Task<string> ClaimAsync(Identity identity, string customerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identity);
        await bootstrap.EnsureAsync(cancellationToken);
        var partition = keys.Hash(identity);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await Table.AddEntityAsync(new TableEntity(partition, LinkRow) { [CustomerIdColumn] = customerId, ["LinkedAt"] = clock.GetUtcNow() }, cancellationToken);
                return customerId;
            }
            catch (RequestFailedException ex) when (ex.Status == 409 && attempt < MaxConcurrencyRetries)
            {
                // Someone linked it first: theirs wins. Gone again before we could read it (an erasure): try the insert again.
                var winner = await Table.GetEntityIfExistsAsync<TableEntity>(partition, LinkRow, [CustomerIdColumn], cancellationToken);
                if (winner.HasValue)
                {
                    return winner.Value!.GetString(CustomerIdColumn);
                }
            }
        }
    }

    public async Task<bool> ReassignAsync(Identity identity, string fromCustomerId, string toCustomerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identity);
        await bootstrap.EnsureAsync(cancellationToken);
        var found = await Table.GetEntityIfExistsAsync<TableEntity>(keys.Hash(identity), LinkRow, cancellationToken: cancellationToken);
        if (!found.HasValue || found.Value!.GetString(CustomerIdColumn) != fromCustomerId)
        {
            return false;
        }

        var entity = found.Value;
        entity[CustomerIdColumn] = toCustomerId;
        entity["LinkedAt"] = clock.GetUtcNow();
        try
        {
            await Table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, cancellationToken);
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

    /// <summary>One identity: the suppression row and the deletion of a link to an erased customer in one transaction (its partition).</summary>
    private async Task<bool> SuppressAndUnlinkAsync(string partition, IReadOnlyCollection<string> erasedCustomerIds, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (link, suppressed) = await ReadAsync(partition, cancellationToken);
            var unlink = link is not null && erasedCustomerIds.Contains(link.GetString(CustomerIdColumn) ?? "", StringComparer.Ordinal);
            var actions = new List<TableTransactionAction>(2);
            if (!suppressed)
            {
                actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(partition, SuppressedRow) { ["SuppressedAt"] = clock.GetUtcNow() }));
            }

            if (unlink)
            {
                // Only the link as read: one moved to another customer meanwhile is theirs, and fails this write instead.
                actions.Add(new TableTransactionAction(TableTransactionActionType.Delete, link!, link!.ETag));
            }

            if (actions.Count == 0)
            {
                return false;
            }

            try
            {
                await Table.SubmitTransactionAsync(actions, cancellationToken);
                return unlink;
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 404 or 412 && attempt < MaxConcurrencyRetries)
            {
                // The link changed or went between the read and the write: nothing was written; read again.
            }
        }
    }

    /// <summary>Both rows of an identity's partition in one request (the partition holds at most two).</summary>
    private async Task<(TableEntity? Link, bool Suppressed)> ReadAsync(string partition, CancellationToken cancellationToken)
    {
        TableEntity? link = null;
        var suppressed = false;
        await foreach (var entity in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), cancellationToken: cancellationToken))
        {
            switch (entity.RowKey)
            {
                case LinkRow:
                    link = entity;
                    break;
                case SuppressedRow:
                    suppressed = true;
                    break;
            }
        }

        return (link, suppressed);
    }
}
