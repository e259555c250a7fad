using JourneyHub.Core.Journey;
using JourneyHub.Core.Journey.Segments;
using Microsoft.Extensions.DependencyInjection;

namespace JourneyHub.Azure.Segments;

public static class SegmentsServiceCollectionExtensions
{
    /// <summary>The segment journey map: persona rules, and the sharded aggregates the map is read from.</summary>
    public static IServiceCollection AddJourneyHubSegments(this IServiceCollection services)
    {
        services.AddOptions<PersonaOptions>().BindConfiguration(PersonaOptions.Section);
        services.AddSingleton<PersonaRules>();
        services.AddSingleton<TableSegmentAggregates>();
        services.AddSingleton<ISegmentAggregates>(sp => sp.GetRequiredService<TableSegmentAggregates>());
        return services;
    }
}
