namespace JourneyHub.IntegrationTests.Infrastructure;

/// <summary>
/// The one fixture of the end-to-end tests: the built local host as its own process on the shared Azurite, started
/// with the settings the test class names and stopped after it, with its read API (<see cref="Api"/>) holding the
/// class's function key. A test class says what is different about its host, nothing else.
/// </summary>
public abstract class LocalHostTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private LocalHostProcess? host;

    protected AzuriteFixture Azurite { get; } = azurite;

    /// <summary>The running host (between <see cref="InitializeAsync"/> and <see cref="DisposeAsync"/>).</summary>
    protected LocalHostProcess Host => host ?? throw new InvalidOperationException("The local host has not been started.");

    protected HubReadApi Api { get; private set; } = null!;

    /// <summary>The host's settings as environment variables (<c>Sources__HubSpot__ClientSecret</c>, <c>LocalHost__FunctionKey</c>…).</summary>
    protected abstract IReadOnlyDictionary<string, string> Settings { get; }

    public virtual async Task InitializeAsync()
    {
        host = await LocalHostProcess.StartAsync(Azurite.ConnectionString, Settings);
        // The read API's own key when the class sets one, else the host-wide function key (or none: keys off).
        Api = new HubReadApi(host, Settings.GetValueOrDefault("LocalHost__FunctionKeys__read-api") ?? Settings.GetValueOrDefault("LocalHost__FunctionKey"));
    }

    public virtual async Task DisposeAsync()
    {
        if (host is not null)
        {
            await host.DisposeAsync();
        }
    }

    /// <summary>An absolute address on the host.</summary>
    protected Uri Url(string pathAndQuery) => new(Host.BaseAddress, pathAndQuery);
}
