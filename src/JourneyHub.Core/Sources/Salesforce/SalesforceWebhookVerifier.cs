using System.Security.Cryptography;
using System.Text;
using System.Xml;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Signatures;
using Microsoft.Extensions.Options;

namespace JourneyHub.Core.Sources.Salesforce;

/// <summary>
/// Salesforce Outbound Messages carry no signature: the function key authenticates the caller, and the
/// <c>OrganizationId</c> in the body must be ours. A body that is not well-formed XML is let through marked
/// <c>malformed=true</c>, so it is archived and dead-lettered rather than lost (the caller already proved itself).
/// </summary>
public sealed class SalesforceWebhookVerifier(IOptionsMonitor<SalesforceOptions> options) : IWebhookVerifier
{
    public const string MalformedProperty = "malformed";

    public SourceId Source => SourceId.Salesforce;

    public WebhookVerification Verify(InboundWebhook webhook, DateTimeOffset now)
    {
        var configured = options.CurrentValue.OrganizationId?.Trim();
        if (string.IsNullOrEmpty(configured))
        {
            return new WebhookVerification(SignatureCheck.NotConfigured, "Sources:Salesforce:OrganizationId is not set.");
        }

        string? organizationId;
        try
        {
            organizationId = SalesforceOutboundMessage.ReadOrganizationId(webhook.Body);
        }
        catch (XmlException ex)
        {
            return WebhookVerification.Valid(new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [MalformedProperty] = "true",
                ["malformedReason"] = ex.Message.Length > 300 ? ex.Message[..300] : ex.Message,
            });
        }

        if (string.IsNullOrEmpty(organizationId))
        {
            return new WebhookVerification(SignatureCheck.Missing, "The Outbound Message carries no OrganizationId.");
        }

        return OrganizationMatches(configured, organizationId)
            ? WebhookVerification.Valid()
            : new WebhookVerification(SignatureCheck.Mismatch, "The OrganizationId is not the configured Salesforce org.");
    }

    /// <summary>Salesforce sends 18-character ids; a configured 15-character id is the case-sensitive prefix of it.</summary>
    internal static bool OrganizationMatches(string configured, string received)
    {
        var given = received.Trim();
        if (configured.Length == 15 && given.Length == 18)
        {
            given = given[..15];
        }

        var a = SHA256.HashData(Encoding.UTF8.GetBytes(configured));
        var b = SHA256.HashData(Encoding.UTF8.GetBytes(given));
        return CryptographicOperations.FixedTimeEquals(a, b);
    }
}
