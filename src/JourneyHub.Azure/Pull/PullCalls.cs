using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using JourneyHub.Core.Pull;
using Polly.Timeout;
using Refit;

namespace JourneyHub.Azure.Pull;

/// <summary>Reads a Refit stream answer into bytes and turns every failure into a <see cref="PullFetchException"/> that says what to do.</summary>
internal static class PullCalls
{
    public static async Task<byte[]> ReadAsync(string source, string settings, Func<Task<Stream>> call)
    {
        try
        {
            await using var stream = await call();
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer);
            return buffer.ToArray();
        }
        catch (ApiException ex)
        {
            var status = (int)ex.StatusCode;
            var path = ex.RequestMessage?.RequestUri?.AbsolutePath ?? "?";
            var body = ex.Content ?? "";
            if (ex.StatusCode == HttpStatusCode.Unauthorized || (ex.StatusCode == HttpStatusCode.Forbidden && !PullResilience.IsThrottleBody(body)))
            {
                throw new PullFetchException(
                    $"{source}: authentication failed ({status} {ex.StatusCode}) on {path}; check {settings}AccessToken (and the token's scopes).",
                    status,
                    isAuthFailure: true,
                    ex);
            }

            var throttled = ex.StatusCode == HttpStatusCode.TooManyRequests || PullResilience.IsThrottleBody(body);
            var what = throttled ? "is still throttling after retries" : "failed";
            throw new PullFetchException($"{source}: {path} {what} ({status} {ex.StatusCode}): {Clip(body)}", status, isAuthFailure: false, ex);
        }
        catch (Exception ex) when (CauseOf(ex) is HttpRequestException or TimeoutRejectedException or PullThrottledException)
        {
            var cause = CauseOf(ex);
            throw new PullFetchException($"{source}: {cause.GetType().Name}: {cause.Message}", null, isAuthFailure: false, ex);
        }
    }

    /// <summary>Refit wraps what failed before an answer came back (connection, timeout, throttle gate); the cause says what to do.</summary>
    private static Exception CauseOf(Exception ex) => ex is ApiRequestException { InnerException: { } inner } ? inner : ex;

    public static JsonDocument Parse(byte[] body) => JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });

    public static string Cursor<T>(T cursor, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) => JsonSerializer.Serialize(cursor, info);

    public static T ReadCursor<T>(string cursor, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) =>
        JsonSerializer.Deserialize(cursor, info) ?? throw new InvalidOperationException("The checkpoint cursor is empty.");

    public static string? Str(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.ValueKind == JsonValueKind.Number ? value.GetRawText() : null
            : null;

    public static DateTimeOffset? Time(string? text) =>
        text is null ? null
        : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) ? at
        : null;

    public static byte[] Envelope(byte[] search, byte[]? associations)
    {
        // The two API answers, byte for byte, side by side: nothing is re-serialized.
        using var buffer = new MemoryStream();
        buffer.Write("{\"search\":"u8);
        buffer.Write(search);
        buffer.Write(",\"associations\":"u8);
        buffer.Write(associations is { Length: > 0 } ? associations : "null"u8.ToArray());
        buffer.Write("}"u8);
        return buffer.ToArray();
    }

    private static string Clip(string text) => text.Length > 300 ? text[..300] : text;
}

/// <summary><c>Since</c> moves forward past the 10,000-result window; <c>Origin</c> is where every phase starts.</summary>
public sealed record HubSpotCursor(int Phase, long Origin, long Since, long? Until, string? After);

public sealed record SalesforceCursor(int SObject, DateTimeOffset Since, DateTimeOffset? Until, string? Next);

public sealed record GoogleCursor(int Location, DateTimeOffset Since, DateTimeOffset? Until, string? PageToken);

public sealed record TrustpilotCursor(int Page, DateTimeOffset Since, DateTimeOffset? Until);

public sealed record MetaCursor(long Since, long? Until, string? PostsAfter, IReadOnlyList<string>? Posts, int PostIndex, string? CommentsAfter, bool PostsDone);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(HubSpotCursor))]
[JsonSerializable(typeof(SalesforceCursor))]
[JsonSerializable(typeof(GoogleCursor))]
[JsonSerializable(typeof(TrustpilotCursor))]
[JsonSerializable(typeof(MetaCursor))]
internal sealed partial class PullCursorJsonContext : JsonSerializerContext;
