using JourneyHub.LocalHost;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;

namespace JourneyHub.IntegrationTests.LocalHost;

/// <summary>
/// Which key opens which door of the local host when only some keys are configured (KeyLevelTests covers all of them
/// set, over HTTP). CONTRACT.md names one setting, LocalHost__FunctionKey: a run with only that key must still reach the
/// admin level (erasure) with it, and never without a key.
/// </summary>
public sealed class LocalKeysTests
{
    private static readonly HttpFunction Erasure = FunctionCatalog.HttpFunctions.Single(f => f.Name == "EraseCustomer");
    private static readonly HttpFunction Timeline = FunctionCatalog.HttpFunctions.Single(f => f.Name == "GetTimeline");
    private static readonly HttpFunction Health = FunctionCatalog.HttpFunctions.Single(f => f.Name == "Health");

    [Fact]
    public void With_only_the_host_key_set_it_opens_function_and_admin_doors_and_nothing_opens_without_it()
    {
        var settings = Settings(("LocalHost:FunctionKey", "host"));

        Assert.Equal(AuthorizationLevel.Admin, Erasure.AuthLevel);
        Assert.True(LocalKeys.IsAuthorized(Request("host"), Erasure, settings));
        Assert.True(LocalKeys.IsAuthorized(Request("host"), Timeline, settings));
        Assert.False(LocalKeys.IsAuthorized(Request(null), Erasure, settings));
        Assert.False(LocalKeys.IsAuthorized(Request("other"), Erasure, settings));
        Assert.False(LocalKeys.IsAuthorized(Request(null), Timeline, settings));
        Assert.True(LocalKeys.IsAuthorized(Request(null), Health, settings));
    }

    [Fact]
    public void Once_an_admin_key_is_set_only_it_opens_the_admin_doors()
    {
        var settings = Settings(("LocalHost:FunctionKey", "host"), ("LocalHost:AdminKey", "admin"));

        Assert.False(LocalKeys.IsAuthorized(Request("host"), Erasure, settings));
        Assert.True(LocalKeys.IsAuthorized(Request("admin"), Erasure, settings));
        Assert.True(LocalKeys.IsAuthorized(Request("host"), Timeline, settings));
        Assert.True(LocalKeys.IsAuthorized(Request("admin"), Timeline, settings));
    }

    [Fact]
    public void Without_any_key_every_door_is_open_as_in_the_functions_core_tools()
    {
        var settings = Settings();

        Assert.True(LocalKeys.IsAuthorized(Request(null), Erasure, settings));
        Assert.True(LocalKeys.IsAuthorized(Request(null), Timeline, settings));
    }

    [Fact]
    public void A_named_key_alone_opens_its_door_and_leaves_the_admin_doors_closed()
    {
        var settings = Settings(("LocalHost:FunctionKeys:read-api", "read"));

        Assert.True(LocalKeys.IsAuthorized(Request("read"), Timeline, settings));
        Assert.False(LocalKeys.IsAuthorized(Request("read"), Erasure, settings));
    }

    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    private static HttpRequest Request(string? key)
    {
        var request = new DefaultHttpContext().Request;
        if (key is not null)
        {
            request.Headers["x-functions-key"] = key;
        }

        return request;
    }
}
