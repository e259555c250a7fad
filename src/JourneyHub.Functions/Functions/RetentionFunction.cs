using JourneyHub.Azure.Retention;
using Microsoft.Azure.Functions.Worker;

namespace JourneyHub.Functions.Functions;

/// <summary>
/// The daily retention sweep (<see cref="RetentionSweeper"/>). The schedule is the flat app setting <c>RetentionSchedule</c>
/// (six-field CRON; infra sets <c>0 30 3 * * *</c>, 03:30 UTC daily), flat for the same reason as the pull schedules:
/// the platform schedules timers from the trigger metadata, where nested names are reported to stay unresolved.
/// </summary>
public sealed class RetentionFunction(RetentionSweeper sweeper)
{
    [Function("RetentionSweep")]
    public Task Run([TimerTrigger("%RetentionSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        sweeper.SweepAsync(cancellationToken);
}
