using JourneyHub.Core.Pull;
using Microsoft.Azure.Functions.Worker;

namespace JourneyHub.Functions.Functions;

/// <summary>
/// One timer per pulled source. The schedule is an app setting (six-field CRON, e.g. <c>0 */15 * * * *</c>) resolved by the
/// host from <c>%Sources:&lt;X&gt;:PullSchedule%</c>, i.e. the setting <c>Sources__&lt;X&gt;__PullSchedule</c>, which must exist
/// (infra sets it). A source without credentials logs that once and does nothing.
/// </summary>
public sealed class PullFunctions(PullRunner runner)
{
    [Function("PullHubSpot")]
    public Task PullHubSpot([TimerTrigger("%Sources:HubSpot:PullSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        runner.RunIncrementalAsync(PullSources.HubSpot, cancellationToken);

    [Function("PullSalesforce")]
    public Task PullSalesforce([TimerTrigger("%Sources:Salesforce:PullSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        runner.RunIncrementalAsync(PullSources.Salesforce, cancellationToken);

    [Function("PullGoogle")]
    public Task PullGoogle([TimerTrigger("%Sources:Google:PullSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        runner.RunIncrementalAsync(PullSources.Google, cancellationToken);

    [Function("PullTrustpilot")]
    public Task PullTrustpilot([TimerTrigger("%Sources:Trustpilot:PullSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        runner.RunIncrementalAsync(PullSources.Trustpilot, cancellationToken);

    [Function("PullMeta")]
    public Task PullMeta([TimerTrigger("%Sources:Meta:PullSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        runner.RunIncrementalAsync(PullSources.Meta, cancellationToken);
}
