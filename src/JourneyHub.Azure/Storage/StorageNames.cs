namespace JourneyHub.Azure.Storage;

/// <summary>Names of every storage resource the hub uses; infra/modules/storage.bicep creates the same ones.</summary>
public static class StorageNames
{
    public const string RawContainer = "raw-payloads";
    public const string IngestQueue = "journey-ingest";
    public const string IngestPoisonQueue = "journey-ingest-poison";
    /// <summary>Per identity (partition = its keyed hash): the link to its customer and, once its person is erased, its suppression.</summary>
    public const string IdentitiesTable = "Identities";
    public const string TimelineTable = "Timeline";
    public const string DeadLettersTable = "DeadLetters";

    /// <summary>The dead letters' person index: by keyed hash of an identity, its dead letters, and by dead letter, its people.</summary>
    public const string DeadLetterPeopleTable = "DeadLetterPeople";
    public const string CheckpointsTable = "Checkpoints";

    /// <summary>Raw payloads that fit one entity; larger ones are blobs in <see cref="RawContainer"/>.</summary>
    public const string RawPayloadsTable = "RawPayloads";

    /// <summary>
    /// Per object (deal, opportunity, order), in one partition: which customers it is associated with, the touchpoints that
    /// name only it (its history, which new associations receive) and the version row both change; and per customer, its objects.
    /// </summary>
    public const string ObjectsTable = "Objects";

    /// <summary>
    /// Customers' aggregates in shard partitions (<c>TableSegmentAggregates.Shards</c>): segment map contributions and sums, funnel stage rows, survey answers
    /// (created by <c>TableSegmentAggregates</c> on first use, not at bootstrap).
    /// </summary>
    public const string SegmentMapTable = "SegmentMap";

    public static IReadOnlyList<string> Tables { get; } =
        [IdentitiesTable, TimelineTable, DeadLettersTable, DeadLetterPeopleTable, CheckpointsTable, RawPayloadsTable, ObjectsTable];
}

/// <summary>Table keys may not hold '/', '\\', '#', '?' or control characters; escape them (and '%') reversibly.</summary>
public static class TableKey
{
    public static string Escape(string value)
    {
        var builder = new System.Text.StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c is '/' or '\\' or '#' or '?' or '%' || char.IsControl(c))
            {
                builder.Append('%').Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
