using JourneyHub.Core.Admin;

namespace JourneyHub.UnitTests.Admin;

public sealed class DeadLetterIdsTests
{
    private const string Blob = "hubspot/2026/01/01/abc.json";

    [Fact]
    public void Ids_are_the_same_in_every_process()
    {
        // Literal values: a process-randomized hash (string.GetHashCode) would give other ids after a restart,
        // and a retried failure would then add a second dead letter instead of overwriting the first.
        Assert.Equal("dl_73ba005ca5fd935aada818c6", DeadLetterIds.ForRejectedEntry(Blob, 3));
        Assert.Equal("dl_30cbc4ba72985f0c2d155691", DeadLetterIds.ForTouchpointWithoutIdentity(Blob, 3));
    }

    [Fact]
    public void Each_kind_of_failure_of_one_payload_has_its_own_id()
    {
        string[] ids =
        [
            DeadLetterIds.ForPayload(Blob),
            DeadLetterIds.ForRejectedEntry(Blob, 3),
            DeadLetterIds.ForTouchpointWithoutIdentity(Blob, 3),
            DeadLetterIds.ForRejectedEntry(Blob, 4),
            DeadLetterIds.ForPoisonMessage("journey-ingest-poison", Blob),
            DeadLetterIds.ForPoisonMessage("journey-erasure-poison", Blob),
            DeadLetterIds.ForUnreadableMessage(Blob),
        ];

        Assert.Equal(ids.Length, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id => Assert.Matches("^dl_[0-9a-f]{24}$", id));
    }

    [Fact]
    public void A_rejection_without_an_entry_index_is_the_payload_failure()
    {
        Assert.Equal(DeadLetterIds.ForPayload(Blob), DeadLetterIds.ForRejectedEntry(Blob, null));
    }
}
