using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace JourneyHub.Azure.Pull;

/// <summary>
/// Per-source "do not call before" times, set when an API answered throttled or said it is at its limit. Shared by every
/// request of the process, so parallel or later runs wait too.
/// </summary>
public sealed class PullThrottleGate(TimeProvider clock, IConfiguration configuration)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> blockedUntil = new(StringComparer.Ordinal);

    public TimeSpan MaxWait => configuration.GetValue<TimeSpan?>(PullResilience.MaxThrottleDelayKey) ?? TimeSpan.FromSeconds(60);

    public void Block(string source, TimeSpan delay)
    {
        var until = clock.GetUtcNow() + delay;
        blockedUntil.AddOrUpdate(source, until, (_, current) => current > until ? current : until);
    }

    public TimeSpan WaitFor(string source) =>
        blockedUntil.TryGetValue(source, out var until) && until > clock.GetUtcNow() ? until - clock.GetUtcNow() : TimeSpan.Zero;
}

/// <summary>Thrown instead of sending a request to an API that asked to be left alone for longer than the run may wait.</summary>
public sealed class PullThrottledException(string message) : Exception(message);

/// <summary>Innermost handler: waits out the gate before each attempt and closes it when an answer says "at the limit".</summary>
public sealed class PullThrottleHandler(PullThrottleGate gate, string source, TimeProvider clock) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var wait = gate.WaitFor(source);
        if (wait > gate.MaxWait)
        {
            throw new PullThrottledException($"{source} asked not to be called for another {wait.TotalSeconds:0} s; the run stops on its checkpoint.");
        }

        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, clock, cancellationToken);
        }

        var response = await base.SendAsync(request, cancellationToken);
        if (PullResilience.NearLimitPause(response) is { } pause)
        {
            gate.Block(source, pause);
        }

        return response;
    }
}

/// <summary>Adds the source's credentials from the current settings, so rotated secrets apply without a restart.</summary>
public sealed class PullAuthHandler(IOptionsMonitor<PullSourceSettings> settings, string source) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var current = settings.Get(source);
        if (current.AccessToken is { Length: > 0 } token)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        if (current.ApiKey is { Length: > 0 } apiKey)
        {
            request.Headers.Remove("apikey");
            request.Headers.TryAddWithoutValidation("apikey", apiKey);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
