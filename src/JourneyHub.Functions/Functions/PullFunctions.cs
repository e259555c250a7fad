using JourneyHub.Core.Pull;
using JourneyHub.Core.Sources;
using Microsoft.Azure.Functions.Worker;

namespace JourneyHub.Functions.Functions;

/// <summary>
/// One timer per pulled source. The schedule is a flat app setting (six-field CRON, e.g. <c>0 */15 * * * *</c>) named
/// <c>&lt;X&gt;PullSchedule</c>, resolved by the host from <c>%HubSpotPullSchedule%</c> etc., which must exist (infra sets it).
/// Flat on purpose: in Azure the platform schedules timers from the trigger metadata, and nested names
/// (<c>%Sources:HubSpot:PullSchedule%</c>) are reported to stay unresolved there, so the timer would never fire.
/// A source without credentials logs that once and does nothing.
/// </summary>
public sealed class PullFunctions(PullRunner runner)
{
    [Function("PullHubSpot")]
    public Task PullHubSpot([TimerTrigger("%HubSpotPullSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        runner.RunIncrementalAsync(SourceId.HubSpot.Name, cancellationToken);

    [Function("PullSalesforce")]
    public Task PullSalesforce([TimerTrigger("%SalesforcePullSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        runner.RunIncrementalAsync(SourceId.Salesforce.Name, cancellationToken);

    [Function("PullGoogle")]
    public Task PullGoogle([TimerTrigger("%GooglePullSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        runner.RunIncrementalAsync(SourceId.Google.Name, cancellationToken);

    [Function("PullTrustpilot")]
    public Task PullTrustpilot([TimerTrigger("%TrustpilotPullSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        runner.RunIncrementalAsync(SourceId.Trustpilot.Name, cancellationToken);

    [Function("PullMeta")]
    public Task PullMeta([TimerTrigger("%MetaPullSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        runner.RunIncrementalAsync(SourceId.Meta.Name, cancellationToken);
}
