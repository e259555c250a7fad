using System.Text.Json;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources.HubSpot;
using Microsoft.Extensions.Logging;
using Refit;

namespace JourneyHub.Azure.HubSpot;

/// <summary>
/// Reads the objects that generic HubSpot webhooks announce by id (<see cref="HubSpotObjects.Pending"/>) and puts the
/// touchpoints of their associated contacts in their place. An object that cannot be read (gone, no contact, not a valid
/// answer) keeps its pending touchpoint: it has no person, so the processor keeps it as a dead letter to replay.
/// </summary>
public sealed partial class HubSpotObjectReader(IHubSpotApi api, ILogger<HubSpotObjectReader> logger)
{
    private static readonly string[] Associations = ["contacts"];
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 32 };

    public async Task<IReadOnlyList<Touchpoint>> ExpandAsync(IReadOnlyList<Touchpoint> touchpoints, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(touchpoints);
        if (!touchpoints.Any(HubSpotObjects.IsPending))
        {
            return touchpoints;
        }

        var result = new List<Touchpoint>(touchpoints.Count);
        foreach (var touchpoint in touchpoints)
        {
            if (!HubSpotObjects.IsPending(touchpoint))
            {
                result.Add(touchpoint);
                continue;
            }

            result.AddRange(await ResolveAsync(touchpoint, cancellationToken));
        }

        return result;
    }

    private async Task<IReadOnlyList<Touchpoint>> ResolveAsync(Touchpoint pending, CancellationToken cancellationToken)
    {
        var kind = HubSpotObjects.ByPath(pending.Attributes[HubSpotObjects.PendingAttribute])!;
        var objectId = pending.Attributes["objectId"];
        JsonDocument document;
        try
        {
            await using var body = await api.GetObjectAsync(kind.Path, objectId, kind.Properties, Associations, cancellationToken);
            document = await JsonDocument.ParseAsync(body, DocumentOptions, cancellationToken);
        }
        catch (ApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            LogObjectNotFound(kind.Path, objectId);
            return [pending];
        }

        using (document)
        {
            var resolved = new List<Touchpoint>();
            foreach (var outcome in HubSpotObjects.Resolve(pending, document.RootElement))
            {
                if (outcome.Touchpoint is { } touchpoint)
                {
                    // What the processor set before enrichment travels on: receipt time, raw payload and correlation.
                    var attributes = new Dictionary<string, string>(touchpoint.Attributes, StringComparer.Ordinal);
                    if (pending.Attributes.TryGetValue("correlationId", out var correlationId))
                    {
                        attributes["correlationId"] = correlationId;
                    }

                    resolved.Add(touchpoint with { ReceivedAt = pending.ReceivedAt, RawRef = pending.RawRef, Attributes = attributes });
                }
                else
                {
                    LogUnresolved(kind.Path, objectId, outcome.Error ?? "unknown");
                }
            }

            return resolved.Count > 0 ? resolved : [pending];
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "HubSpot {ObjectType} {ObjectId} not found; the event stays without a person")]
    private partial void LogObjectNotFound(string objectType, string objectId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "HubSpot {ObjectType} {ObjectId} names no customer interaction: {Reason}")]
    private partial void LogUnresolved(string objectType, string objectId, string reason);
}
