using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Signatures;
using Microsoft.Extensions.Options;

namespace JourneyHub.Core.Sources.Custom;

/// <summary>Standard Webhooks v1 per custom source; the source name is the route's <c>{name}</c>.</summary>
public sealed class CustomWebhookVerifier(IOptionsMonitor<CustomSourceOptions> options) : IWebhookVerifier
{
    /// <summary>The key under which the <c>webhook-id</c> travels to the processor (<see cref="RawPayload.Properties"/>).</summary>
    public const string WebhookIdProperty = "webhookId";

    public SourceId Source => SourceId.Custom;

    public WebhookVerification Verify(InboundWebhook webhook, DateTimeOffset now)
    {
        var name = webhook.SourceName;
        if (string.IsNullOrWhiteSpace(name) || !options.CurrentValue.Sources.TryGetValue(name, out var settings))
        {
            return new WebhookVerification(SignatureCheck.NotConfigured, $"No custom source named '{name}' is configured (Sources:Custom:<name>:Secret).");
        }

        var webhookId = WebhookHeaders.Get(webhook, StandardWebhooksSignature.IdHeader);
        var check = StandardWebhooksSignature.Verify(
            StandardWebhooksSignature.SplitSecrets(settings.Secret),
            webhookId,
            WebhookHeaders.Get(webhook, StandardWebhooksSignature.TimestampHeader),
            WebhookHeaders.Get(webhook, StandardWebhooksSignature.SignatureHeader),
            webhook.Body.Span,
            now);

        return check switch
        {
            SignatureCheck.Valid => WebhookVerification.Valid(new Dictionary<string, string>(StringComparer.Ordinal) { [WebhookIdProperty] = webhookId!.Trim() }),
            SignatureCheck.NotConfigured => new(check, $"Sources:Custom:{name}:Secret holds no usable whsec_ secret."),
            SignatureCheck.Missing => new(check, "webhook-id, webhook-timestamp and webhook-signature are all required."),
            SignatureCheck.Stale => new(check, "webhook-timestamp is more than 5 minutes away from now."),
            SignatureCheck.Malformed => new(check, "webhook-timestamp or webhook-signature is malformed (no v1 signature)."),
            _ => new(check, "No v1 signature in webhook-signature matches the body."),
        };
    }
}
