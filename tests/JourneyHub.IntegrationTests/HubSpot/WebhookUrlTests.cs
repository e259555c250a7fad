using JourneyHub.Functions.Http;
using Microsoft.AspNetCore.Http;

namespace JourneyHub.IntegrationTests.HubSpot;

/// <summary>X-Forwarded-* can be sent by anyone: the URL a signature is checked against ignores them unless configured.</summary>
public sealed class WebhookUrlTests
{
    [Fact]
    public void Forwarded_headers_are_ignored_by_default()
    {
        Assert.Equal("http://10.0.0.4:8080/api/webhooks/hubspot?x=1", WebhookRequestReader.ExternalUrl(ForwardedRequest(), trustForwardedHeaders: false));
    }

    [Fact]
    public void Forwarded_headers_give_scheme_and_host_when_trusted()
    {
        Assert.Equal("https://hooks.example.com/api/webhooks/hubspot?x=1", WebhookRequestReader.ExternalUrl(ForwardedRequest(), trustForwardedHeaders: true));
    }

    [Fact]
    public void Only_the_first_proxy_hop_counts_when_trusted()
    {
        var request = ForwardedRequest();
        request.Headers["X-Forwarded-Host"] = "hooks.example.com, internal-gateway.local";
        request.Headers["X-Forwarded-Proto"] = "https, http";

        Assert.Equal("https://hooks.example.com/api/webhooks/hubspot?x=1", WebhookRequestReader.ExternalUrl(request, trustForwardedHeaders: true));
    }

    private static HttpRequest ForwardedRequest()
    {
        var request = new DefaultHttpContext().Request;
        request.Scheme = "http";
        request.Host = new HostString("10.0.0.4", 8080);
        request.Path = "/api/webhooks/hubspot";
        request.QueryString = new QueryString("?x=1");
        request.Headers["X-Forwarded-Proto"] = "https";
        request.Headers["X-Forwarded-Host"] = "hooks.example.com";
        return request;
    }
}
