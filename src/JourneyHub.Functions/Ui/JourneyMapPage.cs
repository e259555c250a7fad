namespace JourneyHub.Functions.Ui;

/// <summary>The customer journey map page (Ui/journey-map.*), composed once.</summary>
public static class JourneyMapPage
{
    private static readonly Lazy<UiPage> Loaded = new(() => UiPage.Load("journey-map"));

    public static UiPage Instance => Loaded.Value;
}
