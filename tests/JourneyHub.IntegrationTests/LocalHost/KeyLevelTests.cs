using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using JourneyHub.Functions.Http;
using JourneyHub.IntegrationTests.Infrastructure;
using JourneyHub.LocalHost;
using Microsoft.Azure.Functions.Worker;

namespace JourneyHub.IntegrationTests.LocalHost;

/// <summary>
/// Each key opens one door, through the local host on Azurite: the read API, the Salesforce and Trustpilot webhooks
/// and the admin routes (erasure, dead letters, backfill) each refuse no key, a wrong key and every other door's key,
/// and accept their own; the admin key (the master key in Azure) opens every door, the host key every function-level one.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class KeyLevelTests(AzuriteFixture azurite) : LocalHostTests(azurite)
{
    private static readonly Dictionary<string, string> Keys = new(StringComparer.Ordinal)
    {
        ["read-api"] = "key-for-the-read-api",
        ["salesforce"] = "key-for-salesforce-only",
        ["trustpilot"] = "key-for-trustpilot-only",
        ["admin"] = "key-for-admin-routes",
        ["host"] = "host-level-key-never-handed-out",
    };

    public static TheoryData<string, string> DoorsAndKeys()
    {
        var data = new TheoryData<string, string>();
        foreach (var door in new[] { "read-api", "salesforce", "trustpilot", "admin", "erasure" })
        {
            foreach (var key in Keys.Keys.Append("none").Append("wrong"))
            {
                data.Add(door, key);
            }
        }

        return data;
    }

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["LocalHost__FunctionKeys__read-api"] = Keys["read-api"],
        ["LocalHost__FunctionKeys__salesforce"] = Keys["salesforce"],
        ["LocalHost__FunctionKeys__trustpilot"] = Keys["trustpilot"],
        ["LocalHost__AdminKey"] = Keys["admin"],
        ["LocalHost__FunctionKey"] = Keys["host"],
    };

    [Theory]
    [MemberData(nameof(DoorsAndKeys))]
    public async Task A_door_opens_only_to_its_own_key_the_admin_key_and_for_function_level_doors_the_host_key(string door, string key)
    {
        var opens = key == door
            || key == "admin"
            || (key == "host" && door is "read-api" or "salesforce" or "trustpilot");

        using var request = RequestTo(door);
        if (key != "none")
        {
            request.Headers.Add("x-functions-key", key == "wrong" ? "not-a-key-of-this-hub" : Keys[key]);
        }

        using var response = await Host.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (opens)
        {
            // Past the key check the route answers for itself (404 unknown customer, 415 wrong body type, 200 list).
            Assert.True(response.StatusCode != HttpStatusCode.Unauthorized, $"{door} refused the {key} key: {body}");
        }
        else
        {
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{door} accepted the {key} key ({(int)response.StatusCode}): {body}");
            Assert.Contains("x-functions-key", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_webhook_key_in_the_code_query_parameter_opens_its_webhook_as_Salesforce_sends_it()
    {
        using var own = await Host.Client.PostAsync(new Uri("/api/webhooks/salesforce?code=" + Keys["salesforce"], UriKind.Relative), new StringContent("x", Encoding.UTF8, "text/plain"));
        using var other = await Host.Client.PostAsync(new Uri("/api/webhooks/salesforce?code=" + Keys["trustpilot"], UriKind.Relative), new StringContent("x", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, own.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
    }

    [Fact]
    public void Every_key_protected_webhook_has_a_key_of_its_own()
    {
        var webhooks = FunctionCatalog.HttpFunctions.Where(f => f.AuthLevel == AuthorizationLevel.Function && f.Route.StartsWith("api/webhooks/", StringComparison.Ordinal));

        Assert.All(webhooks, f => Assert.True(
            FunctionKeys.Webhooks.ContainsKey(f.Name),
            $"{f.Name} is a function-level webhook without a key of its own: add it to FunctionKeys.Webhooks and to eng/hooks/postdeploy.*"));
    }

    [Theory]
    [InlineData("postdeploy.sh")]
    [InlineData("postdeploy.ps1")]
    public void The_deploy_hook_creates_each_door_on_exactly_its_functions(string hook)
    {
        var text = File.ReadAllText(Path.Combine(Fixture.RepositoryRoot(), "eng", "hooks", hook));
        var doors = FunctionCatalog.HttpFunctions
            .Select(f => (f.Name, Key: FunctionKeys.KeyNameFor(f.Name, f.AuthLevel)))
            .Where(f => f.Key is not null)
            .GroupBy(f => f.Key!, f => f.Name)
            .ToList();

        Assert.NotEmpty(doors);
        foreach (var door in doors)
        {
            var listed = HookList(text, hook, door.Key);
            Assert.True(
                door.Order(StringComparer.Ordinal).SequenceEqual(listed.Order(StringComparer.Ordinal)),
                $"eng/hooks/{hook} lists {string.Join(' ', listed)} for '{door.Key}', the functions are {string.Join(' ', door.Order(StringComparer.Ordinal))}");
        }
    }

    /// <summary>postdeploy.sh: READ_API_FUNCTIONS="A B"; postdeploy.ps1: 'read-api' = @('A', 'B').</summary>
    private static string[] HookList(string text, string hook, string key)
    {
        var pattern = hook.EndsWith(".sh", StringComparison.Ordinal)
            ? $"^{key.Replace('-', '_').ToUpperInvariant()}_FUNCTIONS=\"(?<list>[^\"]*)\""
            : $"'{Regex.Escape(key)}'\\s*=\\s*@\\((?<list>[^)]*)\\)";
        var match = Regex.Match(text, pattern, RegexOptions.Multiline);
        Assert.True(match.Success, $"eng/hooks/{hook} has no list for '{key}'");
        return match.Groups["list"].Value.Split([' ', ',', '\''], StringSplitOptions.RemoveEmptyEntries);
    }

    private static HttpRequestMessage RequestTo(string door) => door switch
    {
        "read-api" => new HttpRequestMessage(HttpMethod.Get, new Uri("/api/customers?identity=email:nobody-" + Guid.NewGuid().ToString("N") + "@example.com", UriKind.Relative)),
        "salesforce" => new HttpRequestMessage(HttpMethod.Post, new Uri("/api/webhooks/salesforce", UriKind.Relative)) { Content = new StringContent("x", Encoding.UTF8, "text/plain") },
        "trustpilot" => new HttpRequestMessage(HttpMethod.Post, new Uri("/api/webhooks/trustpilot", UriKind.Relative)) { Content = new StringContent("x", Encoding.UTF8, "text/plain") },
        "admin" => new HttpRequestMessage(HttpMethod.Get, new Uri("/api/admin/dead-letters?limit=1", UriKind.Relative)),
        "erasure" => new HttpRequestMessage(HttpMethod.Get, new Uri("/api/customers/cus_0195a1b2c3d4e5f6a7b8c9d0/erasure", UriKind.Relative)),
        _ => throw new ArgumentOutOfRangeException(nameof(door), door, null),
    };
}
