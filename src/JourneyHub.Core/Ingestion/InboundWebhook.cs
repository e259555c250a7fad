using JourneyHub.Core.Signatures;

namespace JourneyHub.Core.Ingestion;

/// <summary>A webhook request as received, independent of the web framework: the exact bytes and the URL the sender used.</summary>
public sealed record InboundWebhook(
    string Method,
    string Url,
    IReadOnlyDictionary<string, string> Headers,
    ReadOnlyMemory<byte> Body,
    string? ContentType,
    string? SourceName = null)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>Checks that a delivery really comes from its sender. One per source, found by <see cref="Sources.SourceRegistry"/>.</summary>
public interface IWebhookVerifier
{
    Sources.SourceId Source { get; }

    WebhookVerification Verify(InboundWebhook webhook, DateTimeOffset now);
}

public sealed record WebhookVerification(SignatureCheck Check, string Detail, IReadOnlyDictionary<string, string>? Properties = null)
{
    public bool IsValid => Check == SignatureCheck.Valid;

    public static WebhookVerification Valid(IReadOnlyDictionary<string, string>? properties = null) => new(SignatureCheck.Valid, "valid", properties);
}
