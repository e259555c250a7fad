using System.Text.Json;
using System.Xml;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using JourneyHub.Core;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Sources.Custom;
using JourneyHub.Core.Sources.HubSpot;
using JourneyHub.Core.Sources.Meta;
using JourneyHub.Core.Sources.Salesforce;
using JourneyHub.Core.Sources.Trustpilot;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace JourneyHub.Benchmarks;

/// <summary>
/// Normalization per source, per event, against the floor of deserializing the same payload into the
/// adapter's own wire types with its own source-generated System.Text.Json context (Salesforce: reading
/// the same XML with the same safe XmlReader settings). Every method handles <see cref="Payloads.Events"/>
/// events, so the Mean and Allocated columns are per event, and Ratio is adapter ÷ bare deserialization.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class NormalizationBenchmarks
{
    private static readonly DateTimeOffset ReceivedAt = new(2025, 3, 14, 14, 22, 10, TimeSpan.Zero);

    private readonly Dictionary<string, string> noProperties = [];
    private ServiceProvider services = null!;
    private ISourceAdapter hubSpot = null!;
    private ISourceAdapter salesforce = null!;
    private ISourceAdapter meta = null!;
    private ISourceAdapter trustpilot = null!;
    private ISourceAdapter custom = null!;
    private RawPayload hubSpotPayload = null!;
    private RawPayload salesforcePayload = null!;
    private RawPayload metaPayload = null!;
    private RawPayload instagramPayload = null!;
    private RawPayload trustpilotPayload = null!;
    private RawPayload[] customPayloads = null!;

    [GlobalSetup]
    public void Setup()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.AddJourneyHubCore();
        services = builder.Services.BuildServiceProvider();
        hubSpot = services.GetRequiredService<SourceRegistry>().Adapter(SourceId.HubSpot)!;
        salesforce = services.GetRequiredService<SourceRegistry>().Adapter(SourceId.Salesforce)!;
        meta = services.GetRequiredService<SourceRegistry>().Adapter(SourceId.Meta)!;
        trustpilot = services.GetRequiredService<SourceRegistry>().Adapter(SourceId.Trustpilot)!;
        custom = services.GetRequiredService<SourceRegistry>().Adapter(SourceId.Custom)!;
        hubSpotPayload = Raw("hubspot", Payloads.HubSpot());
        salesforcePayload = Raw("salesforce", Payloads.Salesforce());
        metaPayload = Raw("meta", Payloads.MetaPage());
        instagramPayload = Raw("meta", Payloads.Instagram());
        trustpilotPayload = Raw("trustpilot", Payloads.Trustpilot());
        customPayloads = [.. Payloads.Custom().Select((b, i) => new RawPayload("custom:contoso-pos", "custom/blob", b, ReceivedAt, "corr", new Dictionary<string, string> { [CustomWebhookVerifier.WebhookIdProperty] = "msg_" + i }))];

        // A benchmark of the wrong thing is worse than none: every payload must normalize fully.
        foreach (var (adapter, payloads) in new[] { (hubSpot, new[] { hubSpotPayload }), (salesforce, [salesforcePayload]), (meta, [metaPayload]), (meta, [instagramPayload]), (trustpilot, [trustpilotPayload]), (custom, customPayloads) })
        {
            var result = payloads.Select(adapter.Normalize).ToList();
            var count = result.Sum(r => r.Touchpoints.Count);
            if (count != Payloads.Events || result.Any(r => r.Rejected.Count > 0))
            {
                throw new InvalidOperationException($"{adapter.Source}: {count} touchpoints, rejected: {string.Join("; ", result.SelectMany(r => r.Rejected).Select(r => r.Reason).Take(3))}");
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup() => services.Dispose();

    private RawPayload Raw(string source, byte[] body) => new(source, source + "/blob", body, ReceivedAt, "corr", noProperties);

    [Benchmark(Baseline = true, OperationsPerInvoke = Payloads.Events), BenchmarkCategory("hubspot")]
    public object? HubSpotDeserialize() => JsonSerializer.Deserialize(hubSpotPayload.Body.Span, HubSpotJsonContext.Default.HubSpotEventArray);

    [Benchmark(OperationsPerInvoke = Payloads.Events), BenchmarkCategory("hubspot")]
    public object HubSpotNormalize() => hubSpot.Normalize(hubSpotPayload);

    [Benchmark(Baseline = true, OperationsPerInvoke = Payloads.Events), BenchmarkCategory("salesforce")]
    public int SalesforceXmlRead()
    {
        using var reader = XmlReader.Create(new MemoryStream(salesforcePayload.Body.ToArray(), writable: false), SalesforceOutboundMessage.SafeSettings());
        var nodes = 0;
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.Text)
            {
                _ = reader.Value;
            }

            nodes++;
        }

        return nodes;
    }

    [Benchmark(OperationsPerInvoke = Payloads.Events), BenchmarkCategory("salesforce")]
    public object SalesforceNormalize() => salesforce.Normalize(salesforcePayload);

    [Benchmark(Baseline = true, OperationsPerInvoke = Payloads.Events), BenchmarkCategory("meta-page")]
    public object? MetaPageDeserialize() => JsonSerializer.Deserialize(metaPayload.Body.Span, MetaJsonContext.Default.MetaNotification);

    [Benchmark(OperationsPerInvoke = Payloads.Events), BenchmarkCategory("meta-page")]
    public object MetaPageNormalize() => meta.Normalize(metaPayload);

    [Benchmark(Baseline = true, OperationsPerInvoke = Payloads.Events), BenchmarkCategory("instagram")]
    public object? InstagramDeserialize() => JsonSerializer.Deserialize(instagramPayload.Body.Span, MetaJsonContext.Default.MetaNotification);

    [Benchmark(OperationsPerInvoke = Payloads.Events), BenchmarkCategory("instagram")]
    public object InstagramNormalize() => meta.Normalize(instagramPayload);

    [Benchmark(Baseline = true, OperationsPerInvoke = Payloads.Events), BenchmarkCategory("trustpilot")]
    public object? TrustpilotDeserialize() => JsonSerializer.Deserialize(trustpilotPayload.Body.Span, TrustpilotJsonContext.Default.TrustpilotWebhook);

    [Benchmark(OperationsPerInvoke = Payloads.Events), BenchmarkCategory("trustpilot")]
    public object TrustpilotNormalize() => trustpilot.Normalize(trustpilotPayload);

    [Benchmark(Baseline = true, OperationsPerInvoke = Payloads.Events), BenchmarkCategory("custom")]
    public int CustomDeserialize()
    {
        var n = 0;
        foreach (var payload in customPayloads)
        {
            n += JsonSerializer.Deserialize(payload.Body.Span, CustomJsonContext.Default.CustomEvent) is null ? 0 : 1;
        }

        return n;
    }

    [Benchmark(OperationsPerInvoke = Payloads.Events), BenchmarkCategory("custom")]
    public int CustomNormalize()
    {
        var n = 0;
        foreach (var payload in customPayloads)
        {
            n += custom.Normalize(payload).Touchpoints.Count;
        }

        return n;
    }
}
