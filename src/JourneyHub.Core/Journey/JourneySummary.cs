using System.Globalization;
using JourneyHub.Core.Ports;
using JourneyHub.Core.Schema;

namespace JourneyHub.Core.Journey;

/// <summary>The journey summary served by GET /api/customers/{id}/journey, derived from the stored <see cref="JourneyState"/>.</summary>
public sealed record JourneySummary
{
    public required string CustomerId { get; init; }
    public string? MergedFrom { get; init; }
    public JourneyStage? CurrentStage { get; init; }
    public int TouchpointCount { get; init; }
    public DateTimeOffset? FirstTouchAt { get; init; }
    public DateTimeOffset? LastTouchAt { get; init; }
    public required IReadOnlyDictionary<string, StageSpan> Stages { get; init; }
    public required IReadOnlyDictionary<string, int> ByChannel { get; init; }
    public required IReadOnlyDictionary<string, int> ByKind { get; init; }
    public required IReadOnlyList<SentimentTrendPoint> SentimentTrend { get; init; }
    public SurveyPoint? LatestNps { get; init; }
    public SurveyPoint? LatestCsat { get; init; }
    public SurveyPoint? LatestCes { get; init; }
    public bool Converted { get; init; }
    public DateTimeOffset? ConvertedAt { get; init; }
    public double? DaysToConvert { get; init; }

    public static JourneySummary From(CustomerRecord customer, DateTimeOffset now)
    {
        _ = now;
        var state = customer.Journey;
        var convertedAt = state.Stages.TryGetValue(JourneyStage.Decision, out var decision) ? decision.First : (DateTimeOffset?)null;
        return new JourneySummary
        {
            CustomerId = customer.CustomerId,
            CurrentStage = state.CurrentStage,
            TouchpointCount = state.TouchpointCount,
            FirstTouchAt = state.FirstTouchAt,
            LastTouchAt = state.LastTouchAt,
            Stages = state.Stages.OrderBy(s => s.Key).ToDictionary(s => Wire(s.Key), s => s.Value, StringComparer.Ordinal),
            ByChannel = state.ByChannel.OrderByDescending(c => c.Value).ToDictionary(c => Wire(c.Key), c => c.Value, StringComparer.Ordinal),
            ByKind = state.ByKind.ToDictionary(k => Wire(k.Key), k => k.Value, StringComparer.Ordinal),
            SentimentTrend = state.SentimentByMonth
                .OrderBy(m => m.Key, StringComparer.Ordinal)
                .Select(m => new SentimentTrendPoint(m.Key, Math.Round(m.Value.Sum / m.Value.Count, 3), m.Value.Count))
                .ToList(),
            LatestNps = state.LatestNps,
            LatestCsat = state.LatestCsat,
            LatestCes = state.LatestCes,
            Converted = convertedAt is not null,
            ConvertedAt = convertedAt,
            DaysToConvert = convertedAt is { } c && state.FirstTouchAt is { } f
                ? Math.Round((c - f).TotalDays, 2)
                : null,
        };
    }

    private static string Wire<T>(T value) where T : struct, Enum =>
        System.Text.Json.JsonSerializer.Serialize(value, JourneyJson.Options).Trim('"');
}

public sealed record SentimentTrendPoint(string Month, double Average, int Count)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Month}: {Average} ({Count})");
}
