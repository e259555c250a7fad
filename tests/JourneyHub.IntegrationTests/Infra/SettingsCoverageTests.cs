using System.Reflection;
using JourneyHub.IntegrationTests.Infrastructure;

namespace JourneyHub.IntegrationTests.Infra;

/// <summary>Every setting the app reads must be set by the Bicep templates, so a deployment cannot miss one.</summary>
public sealed class SettingsCoverageTests
{
    private static readonly string[] PlatformSettings =
    [
        "AzureWebJobsStorage__accountName",
        "AzureWebJobsStorage__credential",
        "AzureWebJobsStorage__clientId",
        "ServiceBus__FullyQualifiedNamespace",
        "ServiceBus__Topic",
        "ServiceBus__ClientId",
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
        "AZURE_CLIENT_ID",

        // Timer triggers bind the flat %<X>PullSchedule%: a missing setting keeps the function from being indexed.
        "HubSpotPullSchedule",
        "SalesforcePullSchedule",
        "GooglePullSchedule",
        "TrustpilotPullSchedule",
        "MetaPullSchedule",
        "RetentionSchedule",
        "Sources__Meta__PageId",

        // The retention sweep's age limit, from the same Bicep parameter as the blob lifecycle rule.
        "Retention__RawPayloadDays",

        // Required at start (ValidateOnStart); a Key Vault reference in Azure.
        "Privacy__SuppressionKey",
    ];

    public static TheoryData<string> SettingsTheAppReads()
    {
        var data = new TheoryData<string>();
        foreach (var setting in PlatformSettings.Concat(SourceSettings()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            data.Add(setting);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SettingsTheAppReads))]
    public void The_templates_set(string setting)
    {
        var templates = Directory.GetFiles(Path.Combine(Fixture.RepositoryRoot(), "infra"), "*.bicep", SearchOption.AllDirectories)
            .Select(File.ReadAllText);
        Assert.Contains(templates, text => text.Contains(setting, StringComparison.Ordinal));
    }

    public static TheoryData<string> StorageResourcesTheAppUses()
    {
        var data = new TheoryData<string>();
        var holders = typeof(JourneyHub.Azure.Storage.StorageNames).Assembly.GetTypes().Where(t => t.Name is "StorageNames" or "CustomerStorage" or "PullStorage");
        foreach (var field in holders.SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(f => f.IsLiteral && (f.Name.EndsWith("Table", StringComparison.Ordinal) || f.Name.EndsWith("Queue", StringComparison.Ordinal) || f.Name.EndsWith("Container", StringComparison.Ordinal))))
        {
            data.Add((string)field.GetRawConstantValue()!);
        }

        return data;
    }

    /// <summary>Tables and queues are created on first use too, but a deployment should not depend on that.</summary>
    [Theory]
    [MemberData(nameof(StorageResourcesTheAppUses))]
    public void The_storage_template_creates(string resource)
    {
        var storage = File.ReadAllText(Path.Combine(Fixture.RepositoryRoot(), "infra", "modules", "storage.bicep"));
        Assert.Contains($"'{resource}'", storage, StringComparison.Ordinal);
    }

    /// <summary>The settings the app refuses to start without are exactly the ones this test knows.</summary>
    [Fact]
    public void The_suppression_key_setting_is_the_one_its_options_bind()
    {
        var setting = JourneyHub.Azure.Storage.SuppressionKeyOptions.Section + "__" + nameof(JourneyHub.Azure.Storage.SuppressionKeyOptions.SuppressionKey);
        Assert.Contains(setting, PlatformSettings);
    }

    [Fact]
    public void The_retention_setting_is_the_one_its_options_bind()
    {
        var setting = JourneyHub.Azure.Retention.RetentionOptions.Section + "__" + nameof(JourneyHub.Azure.Retention.RetentionOptions.RawPayloadDays);
        Assert.Contains(setting, PlatformSettings);
    }

    /// <summary>
    /// The Functions host decodes queue messages as host.json says; the app's clients (and the local host's queue worker,
    /// which uses them) write and read with <see cref="JourneyHub.Azure.Storage.StorageClients.MessageEncoding"/>. They must agree.
    /// </summary>
    [Fact]
    public void Host_json_queue_encoding_matches_the_clients()
    {
        using var hostJson = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixture.RepositoryRoot(), "host.json")));
        var encoding = hostJson.RootElement.GetProperty("extensions").GetProperty("queues").GetProperty("messageEncoding").GetString();
        Assert.Equal(JourneyHub.Azure.Storage.StorageClients.MessageEncoding.ToString(), encoding, ignoreCase: true);
    }

    [Fact]
    public void Every_source_options_class_is_found()
    {
        var settings = SourceSettings().ToList();
        foreach (var source in new[] { "HubSpot", "Salesforce", "Meta", "Trustpilot", "Shopify", "Zendesk", "Intercom", "Typeform", "SurveyMonkey", "Delighted" })
        {
            Assert.Contains(settings, s => s.StartsWith($"Sources__{source}__", StringComparison.Ordinal));
        }
    }

    /// <summary>The webhook routes of the Functions app, read from its trigger attributes (<c>Route = "webhooks/&lt;name&gt;"</c>).</summary>
    public static TheoryData<string> WebhookRoutes()
    {
        var data = new TheoryData<string>();
        foreach (var route in WebhookRouteNames())
        {
            data.Add(route);
        }

        return data;
    }

    /// <summary>The README sends operators to <c>azd</c>'s <c>WEBHOOK_URL_&lt;SOURCE&gt;</c> outputs for every sender.</summary>
    [Theory]
    [MemberData(nameof(WebhookRoutes))]
    public void The_templates_output_the_url_of_webhook_route(string route)
    {
        var main = File.ReadAllText(Path.Combine(Fixture.RepositoryRoot(), "infra", "main.bicep"));
        var output = route == "custom" ? "WEBHOOK_URL_CUSTOM_BASE" : "WEBHOOK_URL_" + route.ToUpperInvariant().Replace('-', '_');
        Assert.Contains($"output {output} string", main, StringComparison.Ordinal);
    }

    [Fact]
    public void The_webhook_routes_are_found()
    {
        Assert.Superset(
            new HashSet<string>(["hubspot", "salesforce", "meta", "trustpilot", "custom", "shopify", "zendesk", "intercom", "typeform", "surveymonkey", "delighted"], StringComparer.Ordinal),
            new HashSet<string>(WebhookRouteNames(), StringComparer.Ordinal));
    }

    private static IEnumerable<string> WebhookRouteNames()
    {
        var functions = Path.Combine(Fixture.RepositoryRoot(), "src", "JourneyHub.Functions", "Functions");
        return Directory.GetFiles(functions, "*.cs", SearchOption.AllDirectories)
            .SelectMany(file => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(file), "Route = \"webhooks/([a-z0-9-]+)").Select(m => m.Groups[1].Value))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
    }

    /// <summary>Options classes bound from "Sources:&lt;X&gt;": each settable scalar property is one setting.</summary>
    private static IEnumerable<string> SourceSettings()
    {
        var assemblies = new[] { typeof(JourneyHub.Core.Schema.Touchpoint).Assembly, typeof(JourneyHub.Azure.Storage.StorageNames).Assembly };
        foreach (var type in assemblies.SelectMany(a => a.GetTypes()))
        {
            if (type.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() is not string section
                || !section.StartsWith("Sources:", StringComparison.Ordinal)
                || section == "Sources:Custom")
            {
                continue;
            }

            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && IsScalar(p.PropertyType)))
            {
                yield return section.Replace(":", "__", StringComparison.Ordinal) + "__" + property.Name;
            }
        }
    }

    private static bool IsScalar(Type type) =>
        (Nullable.GetUnderlyingType(type) ?? type) is var t && (t == typeof(string) || t.IsPrimitive || t == typeof(TimeSpan) || t.IsEnum || t == typeof(Uri));
}
