using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace JourneyHub.Testing;

/// <summary>
/// A host builder for the hub's registration entries (<c>AddJourneyHubCore</c>, <c>AddJourneyHubAzure</c>,
/// <c>AddJourneyHubFunctions</c>) over exactly the given settings: no appsettings file, environment variables or command
/// line, so a developer's machine settings never change what a test sees. Logging and options are registered, as in the
/// real hosts.
/// </summary>
public static class HubHostBuilder
{
    public static HostApplicationBuilder Create(IEnumerable<KeyValuePair<string, string?>>? settings = null)
    {
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(settings ?? []);
        return Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Configuration = configuration });
    }
}
