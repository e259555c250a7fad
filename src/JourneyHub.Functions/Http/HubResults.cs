using System.Text;
using System.Text.Json;
using JourneyHub.Core.Api;
using JourneyHub.Core.Schema;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace JourneyHub.Functions.Http;

/// <summary>
/// Results that write themselves to the response, so the Functions worker and the local host produce
/// identical bytes without depending on MVC formatters.
/// </summary>
public static class HubResults
{
    public static IActionResult Json<T>(int status, T body, string contentType = "application/json", IReadOnlyDictionary<string, string>? headers = null) =>
        Utf8Json(status, JsonSerializer.SerializeToUtf8Bytes(body, JourneyJson.Options), contentType, headers);

    /// <summary>A body serialized already (an ETag was computed over these bytes): written as it is, not serialized again.</summary>
    public static IActionResult Utf8Json(int status, byte[] utf8Json, string contentType = "application/json", IReadOnlyDictionary<string, string>? headers = null) =>
        new WriteResult(status, contentType, utf8Json, headers);

    public static IActionResult Text(int status, string body, string contentType) =>
        new WriteResult(status, contentType, Encoding.UTF8.GetBytes(body), null);

    public static IActionResult Status(int status, IReadOnlyDictionary<string, string>? headers = null) =>
        new WriteResult(status, null, [], headers);

    /// <summary>RFC 9457 problem details; the title says what was wrong, never how the code failed.</summary>
    public static IActionResult Problem(int status, string title, string detail, string? instance = null, IReadOnlyDictionary<string, string>? headers = null) =>
        Json(status, new ProblemBody($"https://httpstatuses.io/{status}", title, status, detail, instance), "application/problem+json", headers);

    public static IActionResult Problem(ApiError error, string? instance = null) => Problem(error.Status, error.Title, error.Detail, instance);

    private sealed record ProblemBody(string Type, string Title, int Status, string Detail, string? Instance);

    private sealed class WriteResult(int status, string? contentType, byte[] body, IReadOnlyDictionary<string, string>? headers) : IActionResult
    {
        public async Task ExecuteResultAsync(ActionContext context)
        {
            var response = context.HttpContext.Response;
            response.StatusCode = status;
            foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            {
                response.Headers[name] = value;
            }

            if (contentType is null)
            {
                return;
            }

            response.ContentType = contentType;
            response.ContentLength = body.Length;
            await response.Body.WriteAsync(body, context.HttpContext.RequestAborted);
        }
    }
}
