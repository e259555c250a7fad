using System.Security.Cryptography;
using System.Text.Json;
using JourneyHub.Core.Schema;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace JourneyHub.Functions.Http;

/// <summary>
/// JSON answers with a strong ETag over the exact bytes, so a poller sending <c>If-None-Match</c> gets 304 without a
/// body when nothing changed (a new touchpoint, a merge or a different page changes the bytes, hence the tag).
/// </summary>
public static class ConditionalResults
{
    public static IActionResult Json<T>(HttpRequest request, T body)
    {
        ArgumentNullException.ThrowIfNull(request);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body, JourneyJson.Options);
        var etag = "\"" + Convert.ToBase64String(SHA256.HashData(bytes), 0, 18).Replace('+', '-').Replace('/', '_') + "\"";
        var headers = new Dictionary<string, string> { ["ETag"] = etag, ["Cache-Control"] = "private, no-cache" };
        return Matches(request.Headers.IfNoneMatch.ToString(), etag)
            ? HubResults.Status(304, headers)
            : HubResults.Utf8Json(200, bytes, headers: headers);
    }

    /// <summary>RFC 9110 weak comparison: <c>*</c>, or any listed tag equal ignoring a <c>W/</c> prefix.</summary>
    internal static bool Matches(string ifNoneMatch, string etag) =>
        !string.IsNullOrWhiteSpace(ifNoneMatch)
        && ifNoneMatch.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Any(tag => tag == "*" || (tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag) == etag);
}
