using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace JourneyHub.LoadHarness;

/// <summary>
/// Several concurrent senders that behave like webhook senders: a 5xx, 429 or refused connection is
/// retried (HubSpot, Meta and Salesforce all retry for hours); the resilience pipeline does the retrying.
/// Each attempt's reply latency is recorded.
/// </summary>
public sealed class Sender : IDisposable
{
    private readonly ServiceProvider services;
    private readonly ConcurrentBag<double> latencies = [];
    private readonly ConcurrentDictionary<int, int> statuses = new();
    private int attempts;
    private int transportErrors;

    public Sender(Uri baseAddress, int concurrency, int maxRetries)
    {
        var collection = new ServiceCollection();
        collection.AddSingleton(this);
        collection.AddTransient<LatencyHandler>();
        var client = collection.AddHttpClient("webhooks", c =>
            {
                c.BaseAddress = baseAddress;
                c.Timeout = Timeout.InfiniteTimeSpan;
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { MaxConnectionsPerServer = concurrency * 2, PooledConnectionLifetime = TimeSpan.FromMinutes(2) });
        client.AddResilienceHandler("sender", builder =>
            {
                builder.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = maxRetries,
                    BackoffType = DelayBackoffType.Constant,
                    Delay = TimeSpan.FromMilliseconds(250),
                    UseJitter = true,
                    ShouldRetryAfterHeader = false,
                });
                builder.AddTimeout(TimeSpan.FromSeconds(20));
            });
        client.AddHttpMessageHandler<LatencyHandler>();
        services = collection.BuildServiceProvider();
        Client = services.GetRequiredService<IHttpClientFactory>().CreateClient("webhooks");
    }

    public HttpClient Client { get; }

    public int Attempts => attempts;

    public int TransportErrors => transportErrors;

    public IReadOnlyDictionary<int, int> StatusCounts => statuses;

    public IReadOnlyList<double> Latencies => [.. latencies];

    /// <summary>
    /// Sends every item with <paramref name="concurrency"/> workers; <paramref name="progress"/> sees the count done.
    /// With <paramref name="perSecond"/>, item <c>i</c> is not started before <c>i / perSecond</c> seconds into the run.
    /// </summary>
    public async Task<TimeSpan> SendAllAsync<T>(
        IReadOnlyList<T> items,
        int concurrency,
        Func<T, HttpRequestMessage> request,
        Action<T, HttpStatusCode?> completed,
        Action<int>? progress,
        CancellationToken cancellationToken,
        int? perSecond = null)
    {
        var next = -1;
        var done = 0;
        var watch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < items.Count)
            {
                if (perSecond is { } rate && TimeSpan.FromSeconds((double)index / rate) - watch.Elapsed is { Ticks: > 0 } early)
                {
                    await Task.Delay(early, cancellationToken);
                }

                var item = items[index];
                HttpStatusCode? status = null;
                try
                {
                    using var message = request(item);
                    using var response = await Client.SendAsync(message, cancellationToken);
                    status = response.StatusCode;
                }
                catch (Exception ex) when (ex is HttpRequestException or TimeoutException or Polly.Timeout.TimeoutRejectedException && !cancellationToken.IsCancellationRequested)
                {
                    // Given up after every retry: counted as not accepted.
                }

                completed(item, status);
                progress?.Invoke(Interlocked.Increment(ref done));
            }
        });
        await Task.WhenAll(workers);
        return watch.Elapsed;
    }

    internal void Record(double milliseconds, HttpStatusCode? status)
    {
        Interlocked.Increment(ref attempts);
        if (status is { } s)
        {
            statuses.AddOrUpdate((int)s, 1, (_, c) => c + 1);
            if ((int)s < 300)
            {
                latencies.Add(milliseconds);
            }
        }
        else
        {
            Interlocked.Increment(ref transportErrors);
        }
    }

    public void Dispose() => services.Dispose();

    /// <summary>Innermost handler: times each attempt on the wire.</summary>
    private sealed class LatencyHandler(Sender sender) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var start = Stopwatch.GetTimestamp();
            try
            {
                var response = await base.SendAsync(request, cancellationToken);
                sender.Record(Stopwatch.GetElapsedTime(start).TotalMilliseconds, response.StatusCode);
                return response;
            }
            catch (HttpRequestException)
            {
                sender.Record(Stopwatch.GetElapsedTime(start).TotalMilliseconds, null);
                throw;
            }
        }
    }
}

public static class Percentiles
{
    public static double Of(IReadOnlyList<double> values, double percentile)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
