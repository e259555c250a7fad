using Cronos;
using Microsoft.Azure.Functions.Worker;

namespace JourneyHub.LocalHost;

/// <summary>
/// Plays the Functions host's timer scheduler for local runs: every <see cref="TimerTriggerAttribute"/> function runs on
/// its six-field CRON schedule (UTC), with <c>%name%</c> resolved from configuration like the host does. Off unless
/// <c>LocalHost:RunTimers</c> is true, so tests and ordinary local runs stay deterministic. An invocation that is still
/// running when the next one is due is not started twice (the host's timers are singletons too).
/// </summary>
public sealed partial class TimerTriggerWorker(
    IServiceProvider services,
    IConfiguration configuration,
    TimeProvider clock,
    ILogger<TimerTriggerWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!configuration.GetValue("LocalHost:RunTimers", false))
        {
            return;
        }

        await Task.Yield();
        var timers = new List<Task>();
        foreach (var function in FunctionCatalog.TimerFunctions)
        {
            if (Resolve(function.Schedule, configuration) is not { } expression)
            {
                LogScheduleMissing(function.Name, function.Schedule);
                continue;
            }

            CronExpression cron;
            try
            {
                cron = CronExpression.Parse(expression, expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
            }
            catch (CronFormatException ex)
            {
                LogScheduleInvalid(ex, function.Name, expression);
                continue;
            }

            LogScheduled(function.Name, expression);
            timers.Add(RunAsync(function, cron, stoppingToken));
        }

        await Task.WhenAll(timers);
    }

    /// <summary><c>%HubSpotPullSchedule%</c> → the setting's value (<c>__</c> and <c>:</c> are the same key); a literal stays as it is.</summary>
    internal static string? Resolve(string schedule, IConfiguration configuration) =>
        schedule.Length > 2 && schedule[0] == '%' && schedule[^1] == '%'
            ? configuration[schedule[1..^1].Replace("__", ":", StringComparison.Ordinal)] is { Length: > 0 } value ? value : null
            : schedule;

    private async Task RunAsync(TimerFunction function, CronExpression cron, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = clock.GetUtcNow();
            if (cron.GetNextOccurrence(now.UtcDateTime, TimeZoneInfo.Utc) is not { } next)
            {
                return;
            }

            try
            {
                await Task.Delay(new DateTimeOffset(next, TimeSpan.Zero) - now, clock, stoppingToken);
                await InvokeAsync(function, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                var inner = ex is System.Reflection.TargetInvocationException { InnerException: { } e } ? e : ex;
                LogInvocationFailed(inner, function.Name);
            }
        }
    }

    private async Task InvokeAsync(TimerFunction function, CancellationToken stoppingToken)
    {
        await using var scope = services.CreateAsyncScope();
        var instance = ActivatorUtilities.CreateInstance(scope.ServiceProvider, function.Method.DeclaringType!);
        var arguments = function.Method.GetParameters()
            .Select(p => p.ParameterType == typeof(TimerInfo) ? new TimerInfo()
                : p.ParameterType == typeof(CancellationToken) ? (object)stoppingToken
                : throw new InvalidOperationException($"The local host cannot bind parameter '{p.Name}' of {function.Name}."))
            .ToArray();
        await (Task)function.Method.Invoke(instance, arguments)!;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Timer {Function} not scheduled: setting {Schedule} is missing")]
    private partial void LogScheduleMissing(string function, string schedule);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Timer {Function} not scheduled: '{Expression}' is not a CRON expression")]
    private partial void LogScheduleInvalid(Exception exception, string function, string expression);

    [LoggerMessage(Level = LogLevel.Information, Message = "Timer {Function} scheduled: {Expression} (UTC)")]
    private partial void LogScheduled(string function, string expression);

    [LoggerMessage(Level = LogLevel.Error, Message = "Timer {Function} failed")]
    private partial void LogInvocationFailed(Exception exception, string function);
}
