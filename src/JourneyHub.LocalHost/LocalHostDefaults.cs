namespace JourneyHub.LocalHost;

/// <summary>Settings the local host supplies when they are missing, so a clone runs on Azurite without any setup.</summary>
public static partial class LocalHostDefaults
{
    /// <summary>
    /// Suppression HMAC key for local runs only. It is public (it is in the source), so it protects nothing: the
    /// Functions app has no default and refuses to start without <c>Privacy__SuppressionKey</c>.
    /// </summary>
    public const string SuppressionKey = "journeyhub-local-only-suppression-key-not-a-secret";

    public const string SuppressionKeySetting = "Privacy:SuppressionKey";

    /// <summary>Adds the defaults for settings that are not set; returns the names of those it filled in.</summary>
    public static IReadOnlyList<string> Apply(ConfigurationManager configuration)
    {
        var filled = new List<string>();
        if (string.IsNullOrEmpty(configuration[SuppressionKeySetting]))
        {
            configuration[SuppressionKeySetting] = SuppressionKey;
            filled.Add(SuppressionKeySetting);
        }

        return filled;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Setting} is not set: using the local-only default from LocalHostDefaults (never use it in Azure)")]
    public static partial void LogDefaultUsed(ILogger logger, string setting);
}
