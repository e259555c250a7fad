using System.Net.Http.Headers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;

namespace JourneyHub.Azure.Configuration;

public static class ResilienceSetup
{
    public const string Section = "Http:Resilience";

    /// <summary>
    /// The standard pipeline (rate limiter, total timeout, retry with jittered backoff honouring
    /// Retry-After on 429/503, circuit breaker, per-attempt timeout); every number can be tuned in
    /// <c>Http:Resilience</c> (tests shorten the delays).
    /// </summary>
    public static IHttpClientBuilder AddJourneyHubResilience(this IHttpClientBuilder builder, IConfiguration configuration)
    {
        builder.AddStandardResilienceHandler(options =>
        {
            options.Retry.MaxRetryAttempts = 4;
            options.Retry.ShouldRetryAfterHeader = true;
            options.AttemptTimeout.Timeout = TimeSpan.FromSeconds(10);
            options.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(60);
            options.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(30);
            configuration.GetSection(Section).Bind(options);
        });
        return builder;
    }
}

/// <summary>Adds "Authorization: Bearer" from the current options value, so rotated tokens apply without a restart.</summary>
public sealed class BearerTokenHandler<TOptions>(Func<string?> token) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (token() is { Length: > 0 } value)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", value);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
