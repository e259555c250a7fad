using System.Text.Json;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Schema;
using Microsoft.Extensions.Options;

namespace JourneyHub.UnitTests.Sources;

/// <summary>Small helpers shared by the source tests.</summary>
internal static class SourceTestKit
{
    public static readonly DateTimeOffset ReceivedAt = new(2025, 3, 14, 14, 22, 10, TimeSpan.Zero);

    public static RawPayload Raw(string source, byte[] body, IReadOnlyDictionary<string, string>? properties = null) =>
        new(source, $"{source}/blob", body, ReceivedAt, "corr-1", properties ?? new Dictionary<string, string>());

    public static RawPayload RawFixture(string source, string fixture, IReadOnlyDictionary<string, string>? properties = null) =>
        Raw(source, FixtureTransform is { } transform ? transform(fixture, Fixture.Bytes(fixture)) : Fixture.Bytes(fixture), properties);

    /// <summary>Rewrites every fixture body read on this thread (the worst-values tests inflate each payload's strings).</summary>
    [ThreadStatic]
    public static Func<string, byte[], byte[]>? FixtureTransform;

    public static IOptionsMonitor<T> Monitor<T>(T value) => new FixedMonitor<T>(value);

    /// <summary>Reads a *.headers.json fixture: headers, and any top-level string such as testAppSecret.</summary>
    public static HeadersFixture Headers(string fixture)
    {
        using var document = JsonDocument.Parse(Fixture.Text(fixture));
        var root = document.RootElement;
        var headers = root.GetProperty("headers").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
        var strings = root.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String).ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
        return new HeadersFixture(headers, strings);
    }

    public static InboundWebhook Webhook(byte[] body, IReadOnlyDictionary<string, string> headers, string? sourceName = null) =>
        new("POST", "https://hub.example/api/webhooks/x", headers, body, "application/json", sourceName);

    public static string Ids(Touchpoint touchpoint) => string.Join(' ', touchpoint.Identities.Select(i => i.ToString()));

    private sealed class FixedMonitor<T>(T value) : IOptionsMonitor<T>
    {
        public T CurrentValue => value;

        public T Get(string? name) => value;

        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }
}

internal sealed record HeadersFixture(IReadOnlyDictionary<string, string> Headers, IReadOnlyDictionary<string, string> Strings);
