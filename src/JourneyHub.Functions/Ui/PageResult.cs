using Microsoft.AspNetCore.Mvc;

namespace JourneyHub.Functions.Ui;

/// <summary>Writes a fixed body with its headers, identically under the Functions worker and the local host.</summary>
public sealed class PageResult(byte[] body, string contentType, IReadOnlyDictionary<string, string> headers) : IActionResult
{
    public async Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.HttpContext.Response;
        response.StatusCode = 200;
        foreach (var (name, value) in headers)
        {
            response.Headers[name] = value;
        }

        response.ContentType = contentType;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.HttpContext.RequestAborted);
    }
}
