using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Pull;
using Microsoft.Extensions.DependencyInjection;

namespace JourneyHub.Core.Sources;

/// <summary>
/// Finds a source's parts by <see cref="SourceId"/>: its adapter, its webhook verifier, its enricher (if any) and its pull
/// connector (if pulled). Each part is registered once as an ordinary singleton of its interface and indexed here under
/// the <c>Source</c> it states itself, so the key and the part cannot disagree; two parts claiming one source fail the
/// first lookup (a test builds the registry of each host). A <c>custom:&lt;name&gt;</c> source is served by the <see cref="SourceId.Custom"/> parts.
/// </summary>
public sealed class SourceRegistry
{
    private readonly Lazy<Dictionary<SourceId, ISourceAdapter>> adapters;
    private readonly Lazy<Dictionary<SourceId, IWebhookVerifier>> verifiers;
    private readonly Lazy<Dictionary<SourceId, ITouchpointEnricher>> enrichers;
    private readonly Lazy<Dictionary<SourceId, IPullConnector>> connectors;

    /// <summary>Each kind of part is built on its first lookup: an intake never builds the pull connectors' HTTP clients.</summary>
    public SourceRegistry(IServiceProvider services)
        : this(services.GetServices<ISourceAdapter>, services.GetServices<IWebhookVerifier>, services.GetServices<ITouchpointEnricher>, services.GetServices<IPullConnector>)
    {
    }

    public SourceRegistry(
        IEnumerable<ISourceAdapter> adapters,
        IEnumerable<IWebhookVerifier> verifiers,
        IEnumerable<ITouchpointEnricher> enrichers,
        IEnumerable<IPullConnector> connectors)
        : this(() => adapters, () => verifiers, () => enrichers, () => connectors)
    {
    }

    private SourceRegistry(
        Func<IEnumerable<ISourceAdapter>> adapters,
        Func<IEnumerable<IWebhookVerifier>> verifiers,
        Func<IEnumerable<ITouchpointEnricher>> enrichers,
        Func<IEnumerable<IPullConnector>> connectors)
    {
        this.adapters = new(() => Index(adapters(), a => a.Source, "source adapter"));
        this.verifiers = new(() => Index(verifiers(), v => v.Source, "webhook verifier"));
        this.enrichers = new(() => Index(enrichers(), e => e.Source, "enricher"));
        this.connectors = new(() => Index(connectors(), c => c.Source, "pull connector"));
    }

    public IReadOnlyCollection<SourceId> AdapterSources => adapters.Value.Keys;

    public IReadOnlyCollection<SourceId> WebhookSources => verifiers.Value.Keys;

    public IReadOnlyCollection<SourceId> PulledSources => connectors.Value.Keys;

    public ISourceAdapter? Adapter(SourceId source) => adapters.Value.GetValueOrDefault(source.Adapter);

    /// <summary>By the name a queue message carries; null for a name that is not a source.</summary>
    public ISourceAdapter? Adapter(string source) => SourceId.TryParse(source, out var id) ? Adapter(id) : null;

    public IWebhookVerifier? Verifier(SourceId source) => verifiers.Value.GetValueOrDefault(source.Adapter);

    public ITouchpointEnricher? Enricher(SourceId source) => enrichers.Value.GetValueOrDefault(source.Adapter);

    public ITouchpointEnricher? Enricher(string source) => SourceId.TryParse(source, out var id) ? Enricher(id) : null;

    public IPullConnector? PullConnector(string source) => SourceId.TryParse(source, out var id) ? connectors.Value.GetValueOrDefault(id) : null;

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
