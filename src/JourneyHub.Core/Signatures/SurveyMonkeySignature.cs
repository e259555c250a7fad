using System.Security.Cryptography;
using System.Text;

namespace JourneyHub.Core.Signatures;

/// <summary>
/// SurveyMonkey webhook callbacks (SurveyMonkey/public_api_docs, "Webhook Callbacks"):
/// <c>Sm-Signature: &lt;base64 HMAC-SHA1(key = "&lt;client id&gt;&amp;&lt;client secret&gt;", raw body)&gt;</c>, and
/// <c>Sm-Apikey</c> carries the client id. SurveyMonkey sends no timestamp; the response id makes redeliveries harmless.
/// </summary>
public static class SurveyMonkeySignature
{
    public const string HeaderName = "Sm-Signature";
    public const string ApiKeyHeaderName = "Sm-Apikey";

    private static readonly BodyHmac Scheme = BodyHmac.Base64(HashAlgorithmName.SHA1);

    public static SignatureCheck Verify(string? clientId, string? clientSecret, ReadOnlySpan<byte> body, string? signatureHeader) =>
        Scheme.Verify(string.IsNullOrEmpty(clientId) || string.IsNullOrEmpty(clientSecret) ? null : Key(clientId, clientSecret), body, signatureHeader);

    /// <summary>The header value SurveyMonkey would send for these bytes (tests, fixtures and the load harness use it).</summary>
    public static string Compute(string clientId, string clientSecret, ReadOnlySpan<byte> body) => Scheme.Sign(Key(clientId, clientSecret), body);

    private static byte[] Key(string clientId, string clientSecret) => Encoding.UTF8.GetBytes(clientId + "&" + clientSecret);
}
