using JourneyHub.Functions.Ui;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace JourneyHub.Functions.Functions;

/// <summary>
/// The journey map page. Anonymous because it holds no data: the page reads the function key from its URL fragment
/// (#code=, never sent to the server) and sends it to the read API as x-functions-key; the API checks it.
/// </summary>
public sealed class JourneyMapFunction
{
    private readonly UiPage page = JourneyMapPage.Instance;

    [Function("JourneyMapUi")]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "ui")] HttpRequest request)
    {
        // The page is the same for every request: the key and the search travel in its own URL, read by its script.
        _ = request;
        return Task.FromResult<IActionResult>(new PageResult(page.Html, "text/html; charset=utf-8", page.Headers));
    }
}
