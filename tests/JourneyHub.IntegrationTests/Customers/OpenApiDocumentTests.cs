using System.Text.Json.Nodes;
using JourneyHub.Functions.Http;
using JourneyHub.IntegrationTests.Infrastructure;
using JourneyHub.LocalHost;

namespace JourneyHub.IntegrationTests.Customers;

/// <summary>The served OpenAPI document cannot drift from the code: routes from the triggers, Touchpoint from the JSON Schema.</summary>
public sealed class OpenApiDocumentTests
{
    private static readonly string[] HttpMethods = ["get", "put", "post", "delete", "patch", "head", "options"];

    [Fact]
    public void Paths_and_methods_are_exactly_the_http_triggers()
    {
        var document = JsonNode.Parse(OpenApiDocument.Text)!;
        var documented = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Where(m => HttpMethods.Contains(m.Key)).Select(m => $"{m.Key.ToUpperInvariant()} {p.Key}"))
            .Order(StringComparer.Ordinal)
            .ToList();
        var served = FunctionCatalog.HttpFunctions
            .SelectMany(f => f.Methods.Select(m => $"{m.ToUpperInvariant()} /{f.PublicRoute}"))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(served, documented);
    }

    [Fact]
    public void Function_key_routes_are_documented_with_the_key_and_anonymous_ones_without()
    {
        var paths = JsonNode.Parse(OpenApiDocument.Text)!["paths"]!;
        foreach (var function in FunctionCatalog.HttpFunctions)
        {
            foreach (var method in function.Methods)
            {
                var security = paths["/" + function.PublicRoute]![method.ToLowerInvariant()]!["security"]!.AsArray();
                Assert.True(
                    function.AuthLevel == Microsoft.Azure.Functions.Worker.AuthorizationLevel.Anonymous ? security.Count == 0 : security.Count > 0,
                    $"{method} /{function.Route} is {function.AuthLevel} but documents {security.Count} security requirement(s)");
            }
        }
    }

    [Fact]
    public void The_touchpoint_component_is_the_json_schema()
    {
        var schema = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixture.RepositoryRoot(), "schemas", "touchpoint.v1.schema.json")))!.AsObject();
        schema.Remove("$schema");
        schema.Remove("$id");
        var component = JsonNode.Parse(OpenApiDocument.Text)!["components"]!["schemas"]!["Touchpoint"]!;

        Assert.True(JsonNode.DeepEquals(schema, component), "components.schemas.Touchpoint differs from schemas/touchpoint.v1.schema.json");
    }

    [Fact]
    public void The_read_api_source_filters_take_exactly_the_sources_the_touchpoint_schema_names()
    {
        var pattern = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixture.RepositoryRoot(), "schemas", "touchpoint.v1.schema.json")))!["properties"]!["source"]!["pattern"]!.GetValue<string>();
        var builtIn = pattern.TrimStart('^', '(').TrimEnd(')', '$').Split('|').Where(name => !name.StartsWith("custom:", StringComparison.Ordinal)).Order(StringComparer.Ordinal);

        Assert.Equal(builtIn, JourneyHub.Core.Sources.SourceId.TouchpointSources.Select(s => s.Name).Order(StringComparer.Ordinal));

        // The OpenAPI document gives the filters the same list, so a client can validate before it asks.
        var paths = JsonNode.Parse(OpenApiDocument.Text)!["paths"]!;
        foreach (var (path, name) in new[] { ("/api/customers/{customerId}/timeline", "source"), ("/api/journeys/funnel", "source") })
        {
            var parameter = paths[path]!["get"]!["parameters"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == name)!;
            Assert.Equal(SourceFilterPattern, parameter["schema"]!["pattern"]!.GetValue<string>());
        }
    }

    private static string SourceFilterPattern =>
        "^(" + string.Join("|", JourneyHub.Core.Sources.SourceId.TouchpointSources.Select(s => s.Name)) + "|custom:[a-z0-9][a-z0-9._-]{0,49})$";
}
