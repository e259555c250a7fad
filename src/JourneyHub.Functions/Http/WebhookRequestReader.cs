using JourneyHub.Core.Ingestion;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JourneyHub.Functions.Http;

/// <summary>
/// Reads a webhook request into an <see cref="InboundWebhook"/>: the body byte for byte (never re-encoded,
/// since signatures cover the raw bytes), capped at 1 MiB, and the URL as the sender saw it.
/// </summary>
public sealed partial class WebhookRequestReader(IOptions<WebhookUrlOptions> urlOptions, ILogger<WebhookRequestReader> logger)
{
    public async Task<(InboundWebhook? Webhook, IActionResult? Problem)> ReadAsync(
        HttpRequest request,
        string source,
        IReadOnlyCollection<string> acceptedMediaTypes,
        string? sourceName,
        CancellationToken cancellationToken)
    {
        if (request.ContentLength > WebhookIntake.MaxBodyBytes)
        {
            return Reject(source, 413, "Body too large", $"Webhook bodies are limited to {WebhookIntake.MaxBodyBytes} bytes.");
        }

        var mediaType = request.ContentType?.Split(';', 2)[0].Trim();
        if (mediaType is null || !acceptedMediaTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase))
        {
            return Reject(source, 415, "Unsupported content type", $"Send the body as {string.Join(" or ", acceptedMediaTypes)}; got '{mediaType ?? "none"}'.");
        }

        var body = await ReadBoundedAsync(request.Body, WebhookIntake.MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return Reject(source, 413, "Body too large", $"Webhook bodies are limited to {WebhookIntake.MaxBodyBytes} bytes.");
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers)
        {
            // A repeated signature header is ambiguous: keep it visible as one joined value, which will not verify.
            headers[name] = values.Count == 1 ? values[0] ?? "" : string.Join(",", values.ToArray());
        }

        return (new InboundWebhook(request.Method, ExternalUrl(request, urlOptions.Value.TrustForwardedHeaders), headers, body, request.ContentType, sourceName), null);
    }

    /// <summary>
    /// The URL the sender called, as far as this host can tell. X-Forwarded-Proto/-Host are read only when
    /// <paramref name="trustForwardedHeaders"/> is set (a proxy in front of the app that sets them): anyone can send
    /// them, so by default they are ignored. Signature checks that need the public URL behind a proxy are better
    /// served by a configured canonical URL (<c>Sources__HubSpot__WebhookUrl</c>).
    /// </summary>
    public static string ExternalUrl(HttpRequest request, bool trustForwardedHeaders)
    {
        var scheme = (trustForwardedHeaders ? FirstForwarded(request.Headers["X-Forwarded-Proto"]) : null) ?? request.Scheme;
        var host = (trustForwardedHeaders ? FirstForwarded(request.Headers["X-Forwarded-Host"]) : null) ?? request.Host.Value;
        return $"{scheme}://{host}{request.PathBase}{request.Path}{request.QueryString}";
    }

    private static string? FirstForwarded(Microsoft.Extensions.Primitives.StringValues values) =>
        values.Count == 0 ? null : values[0]?.Split(',', 2)[0].Trim() is { Length: > 0 } first ? first : null;

    private static async Task<byte[]?> ReadBoundedAsync(Stream stream, int max, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > max)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private (InboundWebhook?, IActionResult?) Reject(string source, int status, string title, string detail)
    {
        LogRejected(source, status, title);
        return (null, HubResults.Problem(status, title, detail));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook for {Source} refused with {Status}: {Title}")]
    private partial void LogRejected(string source, int status, string title);
}

/// <summary>How webhook requests' URLs are read (section <c>Webhooks</c>).</summary>
public sealed class WebhookUrlOptions
{
    public const string Section = "Webhooks";

    /// <summary>
    /// <c>Webhooks__TrustForwardedHeaders</c>: take scheme and host from X-Forwarded-Proto/-Host. Off by default;
    /// turn it on only when a proxy you run sets (and overwrites) them.
    /// </summary>
    public bool TrustForwardedHeaders { get; set; }
}
