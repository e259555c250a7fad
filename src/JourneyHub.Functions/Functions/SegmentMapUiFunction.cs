using JourneyHub.Functions.Ui;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace JourneyHub.Functions.Functions;

/// <summary>
/// The segment journey map page. Anonymous because it holds no data: the page reads the function key from its URL
/// fragment (#code=) and sends it as x-functions-key to the map API, which checks it.
/// </summary>
public sealed class SegmentMapUiFunction
{
    private readonly UiPage page = SegmentMapPage.Instance;

    [Function("SegmentMapUi")]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "ui/journeys")] HttpRequest request)
    {
        // The page is the same for every request: the key and the segments travel in its own URL, read by its script.
        _ = request;
        return Task.FromResult<IActionResult>(new PageResult(page.Html, "text/html; charset=utf-8", page.Headers));
    }
}
