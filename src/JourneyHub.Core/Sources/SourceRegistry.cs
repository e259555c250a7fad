using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Pull;

namespace JourneyHub.Core.Sources;

/// <summary>
/// Finds a source's parts by <see cref="SourceId"/>: its adapter, its webhook verifier, its enricher (if any) and its pull
/// connector (if pulled). Each part is registered once as an ordinary singleton of its interface and indexed here under
/// the <c>Source</c> it states itself, so the key and the part cannot disagree; two parts claiming one source stop the
/// start. A <c>custom:&lt;name&gt;</c> source is served by the <see cref="SourceId.Custom"/> parts.
/// </summary>
public sealed class SourceRegistry
{
    private readonly Dictionary<SourceId, ISourceAdapter> adapters;
    private readonly Dictionary<SourceId, IWebhookVerifier> verifiers;
    private readonly Dictionary<SourceId, ITouchpointEnricher> enrichers;
    private readonly Dictionary<SourceId, IPullConnector> connectors;

    public SourceRegistry(
        IEnumerable<ISourceAdapter> adapters,
        IEnumerable<IWebhookVerifier> verifiers,
        IEnumerable<ITouchpointEnricher> enrichers,
        IEnumerable<IPullConnector> connectors)
    {
        this.adapters = Index(adapters, a => a.Source, "source adapter");
        this.verifiers = Index(verifiers, v => v.Source, "webhook verifier");
        this.enrichers = Index(enrichers, e => e.Source, "enricher");
        this.connectors = Index(connectors, c => c.Source, "pull connector");
    }

    public IReadOnlyCollection<SourceId> AdapterSources => adapters.Keys;

    public IReadOnlyCollection<SourceId> WebhookSources => verifiers.Keys;

    public IReadOnlyCollection<SourceId> PulledSources => connectors.Keys;

    public ISourceAdapter? Adapter(SourceId source) => adapters.GetValueOrDefault(source.Adapter);

    /// <summary>By the name a queue message carries; null for a name that is not a source.</summary>
    public ISourceAdapter? Adapter(string source) => SourceId.TryParse(source, out var id) ? Adapter(id) : null;

    public IWebhookVerifier? Verifier(SourceId source) => verifiers.GetValueOrDefault(source.Adapter);

    public ITouchpointEnricher? Enricher(SourceId source) => enrichers.GetValueOrDefault(source.Adapter);

    public ITouchpointEnricher? Enricher(string source) => SourceId.TryParse(source, out var id) ? Enricher(id) : null;

    public IPullConnector? PullConnector(string source) => SourceId.TryParse(source, out var id) ? connectors.GetValueOrDefault(id) : null;

    private static Dictionary<SourceId, T> Index<T>(IEnumerable<T> parts, Func<T, SourceId> source, string what)
        where T : class
    {
        var index = new Dictionary<SourceId, T>();
        foreach (var part in parts)
        {
            var key = source(part);
            if (key == default)
            {
                throw new InvalidOperationException($"The {what} {part.GetType().Name} names no source.");
            }

            if (!index.TryAdd(key, part))
            {
                throw new InvalidOperationException($"Two {what}s claim source '{key}': {index[key].GetType().Name} and {part.GetType().Name}.");
            }
        }

        return index;
    }
}
