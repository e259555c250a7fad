namespace JourneyHub.LocalHost;

/// <summary>Starts Azurite on its default ports when the settings name development storage and nothing listens there.</summary>
public static class LocalStorage
{
    public static async Task<AzuriteProcess?> EnsureAzuriteAsync(IConfiguration configuration)
    {
        var connection = configuration["AzureWebJobsStorage"] ?? "";
        if (!connection.Contains("UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase)
            || AzuriteProcess.IsListening(10000) || AzuriteProcess.IsListening(10001) || AzuriteProcess.IsListening(10002))
        {
            return null;
        }

        Console.WriteLine("Starting Azurite on 127.0.0.1:10000-10002 (in memory)...");
        return await AzuriteProcess.StartAsync((10000, 10001, 10002));
    }
}
