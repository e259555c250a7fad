namespace JourneyHub.Functions.Ui;

/// <summary>The segment journey map page (Ui/segment-map.*), composed once.</summary>
public static class SegmentMapPage
{
    private static readonly Lazy<UiPage> Loaded = new(() => UiPage.Load("segment-map"));

    public static UiPage Instance => Loaded.Value;
}
