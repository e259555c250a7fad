using System.Security.Cryptography;
using System.Text;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Signatures;
using Microsoft.Extensions.Options;

namespace JourneyHub.Core.Sources.Meta;

/// <summary>Meta Graph webhooks (page and instagram objects) are signed with the app secret over the raw body.</summary>
public sealed class MetaWebhookVerifier(IOptionsMonitor<MetaOptions> options) : IWebhookVerifier
{
    public SourceId Source => SourceId.Meta;

    public WebhookVerification Verify(InboundWebhook webhook, DateTimeOffset now)
    {
        var check = MetaSignature.Verify(options.CurrentValue.AppSecret, webhook.Body.Span, WebhookHeaders.Get(webhook, MetaSignature.HeaderName));
        return check == SignatureCheck.Valid
            ? WebhookVerification.Valid()
            : new WebhookVerification(check, check switch
            {
                SignatureCheck.NotConfigured => "Sources:Meta:AppSecret is not set.",
                SignatureCheck.Missing => "The X-Hub-Signature-256 header is missing.",
                SignatureCheck.Malformed => "X-Hub-Signature-256 is not 'sha256=' followed by 64 hex digits.",
                _ => "X-Hub-Signature-256 does not match the body.",
            });
    }
}

/// <summary>The GET handshake Meta makes when a subscription is created: echo the challenge if the token matches.</summary>
public static class MetaVerification
{
    /// <returns>The challenge to return as <c>text/plain</c>, or null for a 403.</returns>
    public static string? Handshake(string? mode, string? verifyToken, string? challenge, MetaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.VerifyToken) || mode != "subscribe" || verifyToken is null || string.IsNullOrEmpty(challenge))
        {
            return null;
        }

        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(options.VerifyToken));
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(verifyToken));
        return CryptographicOperations.FixedTimeEquals(expected, given) ? challenge : null;
    }
}
