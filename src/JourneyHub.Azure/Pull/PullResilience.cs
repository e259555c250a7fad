using System.Globalization;
using System.Net;
using System.Text.Json;
using JourneyHub.Azure.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Timeout;

namespace JourneyHub.Azure.Pull;

/// <summary>
/// The pipeline of the pull clients and of the HubSpot client (which enrichment shares): total timeout → retry →
/// per-attempt timeout → throttle gate, tuned from <c>Http:Resilience</c> like the standard handler. Unlike the standard handler it also knows each API's throttling dialect: Retry-After, HubSpot's
/// <c>X-HubSpot-RateLimit-*</c>, Meta's <c>X-Business-Use-Case-Usage</c> and error codes, and Salesforce's
/// <c>403 REQUEST_LIMIT_EXCEEDED</c>. A throttled request waits what the API asks; when that is longer than
/// <c>Pull:MaxThrottleDelay</c> it is not retried at all, and the run stops on its checkpoint instead of hammering.
/// </summary>
public static partial class PullResilience
{
    public const string MaxThrottleDelayKey = "Pull:MaxThrottleDelay";
    public const string ThrottleDelayKey = "Pull:ThrottleDelay";

    private static readonly string[] UsageFields = ["call_count", "total_cputime", "total_time"];

    private static readonly HashSet<int> MetaThrottleCodes = [4, 17, 32, 613, 80001, 80002, 80004, 80005, 80006];

    /// <summary>
    /// Adds the pipeline and, inside it, the <see cref="PullThrottleHandler"/> of <paramref name="source"/>, so every
    /// attempt first waits out what the API asked of any client of the process.
    /// </summary>
    public static IHttpClientBuilder AddPullResilience(this IHttpClientBuilder builder, IConfiguration configuration, string source)
    {
        builder.Services.TryAddSingleton<PullThrottleGate>();
        builder.AddResilienceHandler("pull", (pipeline, context) =>
        {
            var options = new HttpStandardResilienceOptions();
            options.Retry.MaxRetryAttempts = 4;
            options.AttemptTimeout.Timeout = TimeSpan.FromSeconds(30);
            options.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(180);
            configuration.GetSection(ResilienceSetup.Section).Bind(options);
            var maxThrottle = configuration.GetValue<TimeSpan?>(MaxThrottleDelayKey) ?? TimeSpan.FromSeconds(60);
            var throttleBase = configuration.GetValue<TimeSpan?>(ThrottleDelayKey) ?? TimeSpan.FromSeconds(5);
            var logger = context.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PullResilience).FullName!);
            var gate = context.ServiceProvider.GetRequiredService<PullThrottleGate>();

            pipeline.AddTimeout(options.TotalRequestTimeout);
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.Retry.MaxRetryAttempts,
                Delay = options.Retry.Delay,
                MaxDelay = options.Retry.MaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldRetryAfterHeader = false,
                ShouldHandle = async args => args.Outcome switch
                {
                    { Exception: HttpRequestException or TimeoutRejectedException } => true,
                    { Result: { } response } => await ClassifyAsync(response, args.AttemptNumber, throttleBase, args.Context.CancellationToken) switch
                    {
                        { Retry: false } => false,
                        { Delay: { } delay } when delay > maxThrottle => false,
                        _ => true,
                    },
                    _ => false,
                },
                DelayGenerator = async args =>
                {
                    if (args.Outcome.Result is not { } response)
                    {
                        return null;
                    }

                    var verdict = await ClassifyAsync(response, args.AttemptNumber, throttleBase, args.Context.CancellationToken);
                    if (verdict.Delay is { } delay)
                    {
                        gate.Block(source, delay);
                    }

                    return verdict.Delay;
                },
                OnRetry = args =>
                {
                    LogRetry(logger, source, args.Outcome.Result is { } r ? (int)r.StatusCode : 0, args.AttemptNumber + 1, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            });
            pipeline.AddTimeout(options.AttemptTimeout);
        });
        builder.AddHttpMessageHandler(sp => new PullThrottleHandler(sp.GetRequiredService<PullThrottleGate>(), source, sp.GetRequiredService<TimeProvider>()));
        return builder;
    }

    /// <summary>Retry or not, and how long the API asked to wait (null: the jittered exponential backoff).</summary>
    internal static async ValueTask<(bool Retry, TimeSpan? Delay)> ClassifyAsync(HttpResponseMessage response, int attempt, TimeSpan throttleBase, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var hinted = ServerDelay(response);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            return (true, hinted ?? Backoff(throttleBase, attempt));
        }

        if (status >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout)
        {
            return (true, hinted);
        }

        if (response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest)
        {
            // Salesforce says "403 REQUEST_LIMIT_EXCEEDED" and Graph "400 code 80001" where others say 429: read the body.
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (IsThrottleBody(body))
            {
                return (true, hinted ?? Backoff(throttleBase, attempt));
            }
        }

        return (false, null);
    }

    internal static bool IsThrottleBody(string body)
    {
        if (body.Contains("REQUEST_LIMIT_EXCEEDED", StringComparison.Ordinal))
        {
            return true;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("code", out var code)
                && code.TryGetInt32(out var value)
                && MetaThrottleCodes.Contains(value);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>What the server asked for: Retry-After, HubSpot's window, or Meta's time to regain access.</summary>
    internal static TimeSpan? ServerDelay(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter is { } retryAfter)
        {
            if (retryAfter.Delta is { } delta)
            {
                return delta;
            }

            if (retryAfter.Date is { } date)
            {
                // Measured against the server's own clock (its Date header) when it sends one, so that skew between our
                // clock and the API's neither stretches nor cuts the wait it asked for.
                var wait = date - (response.Headers.Date ?? TimeProvider.System.GetUtcNow());
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }
        }

        if (Header(response, "X-HubSpot-RateLimit-Remaining") == "0"
            && long.TryParse(Header(response, "X-HubSpot-RateLimit-Interval-Milliseconds"), NumberStyles.None, CultureInfo.InvariantCulture, out var intervalMs))
        {
            return TimeSpan.FromMilliseconds(intervalMs);
        }

        if (MetaRegainAccess(Header(response, "X-Business-Use-Case-Usage")) is { } regain && regain > TimeSpan.Zero)
        {
            return regain;
        }

        return null;
    }

    /// <summary>Meta: <c>{"&lt;id&gt;":[{"type","call_count","total_cputime","total_time","estimated_time_to_regain_access"}]}</c>, minutes.</summary>
    internal static TimeSpan? MetaRegainAccess(string? usage)
    {
        if (string.IsNullOrEmpty(usage))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(usage);
            var minutes = 0;
            foreach (var business in document.RootElement.EnumerateObject())
            {
                foreach (var entry in business.Value.ValueKind == JsonValueKind.Array ? business.Value.EnumerateArray() : default)
                {
                    if (entry.TryGetProperty("estimated_time_to_regain_access", out var value) && value.TryGetInt32(out var m))
                    {
                        minutes = Math.Max(minutes, m);
                    }
                }
            }

            return TimeSpan.FromMinutes(minutes);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// How close a successful answer says the API is to its limit: HubSpot remaining = 0, or a Meta usage of 95 % or more
    /// of any budget. The gate then holds the next request back instead of letting it be refused.
    /// </summary>
    internal static TimeSpan? NearLimitPause(HttpResponseMessage response)
    {
        if (Header(response, "X-HubSpot-RateLimit-Remaining") == "0"
            && long.TryParse(Header(response, "X-HubSpot-RateLimit-Interval-Milliseconds"), NumberStyles.None, CultureInfo.InvariantCulture, out var intervalMs))
        {
            return TimeSpan.FromMilliseconds(intervalMs);
        }

        if (Header(response, "X-Business-Use-Case-Usage") is { Length: > 0 } usage)
        {
            try
            {
                using var document = JsonDocument.Parse(usage);
                foreach (var business in document.RootElement.EnumerateObject())
                {
                    foreach (var entry in business.Value.ValueKind == JsonValueKind.Array ? business.Value.EnumerateArray() : default)
                    {
                        var highest = UsageFields
                            .Select(n => entry.TryGetProperty(n, out var v) && v.TryGetInt32(out var i) ? i : 0)
                            .Max();
                        if (highest >= 95)
                        {
                            return MetaRegainAccess(usage) is { } regain && regain > TimeSpan.Zero ? regain : TimeSpan.FromMinutes(1);
                        }
                    }
                }
            }
            catch (JsonException)
            {
                return null;
            }
        }

        return null;
    }

    private static TimeSpan Backoff(TimeSpan throttleBase, int attempt) =>
        TimeSpan.FromTicks(throttleBase.Ticks * (1L << Math.Min(attempt, 6)));

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pull client {Client}: status {Status}, retry {Attempt} in {Delay}")]
    private static partial void LogRetry(ILogger logger, string client, int status, int attempt, TimeSpan delay);
}
