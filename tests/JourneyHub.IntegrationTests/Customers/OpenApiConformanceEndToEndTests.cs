using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using JourneyHub.Functions.Http;
using JourneyHub.IntegrationTests.Infrastructure;

namespace JourneyHub.IntegrationTests.Customers;

/// <summary>
/// What an external client sees, held against what /api/openapi.json promises: every operation of the document is called
/// on the local host (keys on, Azurite), with good and bad input, and every answer must have a documented status, a
/// documented content type, a body that validates against the documented schema, and the documented headers. Tools that
/// generate clients from the document break on any difference, so a new route or status must come with its description.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed partial class OpenApiConformanceEndToEndTests(AzuriteFixture azurite) : LocalHostTests(azurite)
{
    private const string HubSpotSecret = "5b0c7e2a-9d14-4f3b-8a61-2c7e9f0d1b35";
    private const string MetaSecret = "0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d";
    private const string VerifyToken = "conformance-verify";
    private const string CustomSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string OrganizationId = "00D5g000004ZkQ1EAK";
    private const string FunctionKey = "conformance-function-key";
    private const string AdminKey = "conformance-admin-key";
    private static readonly Uri DocumentUri = new("https://journeyhub.test/openapi.json");
    private const string MetaBody = """{"object":"page","entry":[]}""";
    private static readonly string[] Methods = ["get", "post", "delete", "head", "put", "patch"];

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Sources__HubSpot__ClientSecret"] = HubSpotSecret,
        ["Sources__Meta__AppSecret"] = MetaSecret,
        ["Sources__Meta__VerifyToken"] = VerifyToken,
        ["Sources__Custom__conformance_e2e__Secret"] = CustomSecret,
        ["Sources__Salesforce__OrganizationId"] = OrganizationId,
        ["LocalHost__FunctionKey"] = FunctionKey,
        ["LocalHost__AdminKey"] = AdminKey,
    };

    [Fact]
    public async Task Every_operation_answers_as_the_openapi_document_says_for_good_and_bad_input()
    {
        var document = JsonNode.Parse(OpenApiDocument.Text)!;
        var contact = HubSpotEvents.NewId();
        var email = $"conformance-{Guid.NewGuid():N}@example.com";
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        var checks = new List<(HttpMethod Method, string Path, HttpContent? Body, string? Key, IReadOnlyDictionary<string, string>? Headers)>
        {
            // Webhooks: accepted, unsigned, wrong content type.
            (HttpMethod.Post, "/api/webhooks/hubspot", null, null, null),
            (HttpMethod.Post, "/api/webhooks/hubspot", Json("[]"), null, null),
            (HttpMethod.Post, "/api/webhooks/hubspot", new StringContent("[]", Encoding.UTF8, "text/plain"), null, null),
            (HttpMethod.Post, "/api/webhooks/salesforce", Xml(OrganizationId), FunctionKey, null),
            (HttpMethod.Post, "/api/webhooks/salesforce", Xml("00D000000000000AAA"), FunctionKey, null),
            (HttpMethod.Post, "/api/webhooks/salesforce", Xml(OrganizationId), null, null),
            (HttpMethod.Get, $"/api/webhooks/meta?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token={VerifyToken}", null, null, null),
            (HttpMethod.Get, "/api/webhooks/meta?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=wrong", null, null, null),
            (HttpMethod.Post, "/api/webhooks/meta", null, null, null),
            (HttpMethod.Post, "/api/webhooks/meta", Json(MetaBody), null, JourneyHub.Core.Signatures.WebhookSigner.Meta(MetaSecret, Encoding.UTF8.GetBytes(MetaBody)).ToDictionary()),
            (HttpMethod.Post, "/api/webhooks/meta", Json(MetaBody), null, null),
            (HttpMethod.Post, "/api/webhooks/trustpilot", Json("""{"events":[]}"""), FunctionKey, null),
            (HttpMethod.Post, "/api/webhooks/trustpilot", Json("""{"events":[]}"""), null, null),
            (HttpMethod.Post, "/api/webhooks/custom/conformance_e2e", null, null, null),
            (HttpMethod.Post, "/api/webhooks/custom/unknown-source", Json("{}"), null, null),
            (HttpMethod.Post, "/api/webhooks/custom/Not_A_Name", Json("{}"), null, null),
            (HttpMethod.Post, "/api/webhooks/shopify", Json("{}"), null, null),
            (HttpMethod.Post, "/api/webhooks/zendesk", Json("{}"), null, null),
            (HttpMethod.Post, "/api/webhooks/intercom", Json("{}"), null, null),
            (HttpMethod.Post, "/api/webhooks/typeform", Json("{}"), null, null),
            (HttpMethod.Head, "/api/webhooks/surveymonkey", null, null, null),
            (HttpMethod.Post, "/api/webhooks/surveymonkey", Json("{}"), null, null),
            (HttpMethod.Post, "/api/webhooks/delighted", new StringContent("{}", Encoding.UTF8, "application/xml"), null, null),

            // Anonymous pages and documents.
            (HttpMethod.Get, "/api/health", null, null, null),
            (HttpMethod.Get, "/api/ui", null, null, null),
            (HttpMethod.Get, "/api/ui/journeys", null, null, null),
            (HttpMethod.Get, "/api/openapi.json", null, null, null),
        };

        // Deliveries that make a customer to read back: a HubSpot contact and a custom NPS answer of one person.
        var hubspot = HubSpotEvents.Batch(HubSpotEvents.ContactCreated(contact, at), HubSpotEvents.PropertyChange(contact, "lifecyclestage", "customer", at.AddMinutes(1)));
        using (var delivered = await Host.Client.SendAsync(SignedRequests.HubSpot(Url("/api/webhooks/hubspot"), hubspot, HubSpotSecret)))
        {
            Assert.Equal(HttpStatusCode.NoContent, delivered.StatusCode);
        }

        var custom = StandardWebhooksEvents.TouchpointCreated(new JsonObject
        {
            ["sourceSystem"] = "conformance",
            ["externalId"] = "answer-1",
            ["channel"] = "survey",
            ["occurredAt"] = at.AddMinutes(2).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["person"] = new JsonObject { ["email"] = email, ["externalIds"] = new JsonObject { ["hubspot"] = contact.ToString(System.Globalization.CultureInfo.InvariantCulture) } },
            ["survey"] = new JsonObject { ["type"] = "nps", ["score"] = 9, ["comment"] = "Fast and friendly" },
            ["attributes"] = new JsonObject { ["persona"] = "Conformance tester" },
        });
        using (var delivered = await Host.Client.SendAsync(SignedRequests.StandardWebhooks(Url("/api/webhooks/custom/conformance_e2e"), custom, CustomSecret, StandardWebhooksEvents.NewWebhookId())))
        {
            Assert.Equal(HttpStatusCode.NoContent, delivered.StatusCode);
        }

        await Api.TimelineWithAsync($"email:{email}", 3);
        var customerId = await Api.CustomerIdAsync($"email:{email}");
        var window = $"from={at.AddDays(-1):yyyy-MM-dd}&to={at.AddDays(2):yyyy-MM-dd}";
        checks.AddRange(
        [
            (HttpMethod.Get, $"/api/customers?identity=email:{email}", null, FunctionKey, null),
            (HttpMethod.Get, "/api/customers?identity=email:nobody-" + Guid.NewGuid().ToString("N") + "@example.com", null, FunctionKey, null),
            (HttpMethod.Get, "/api/customers?identity=nosuchtype:1", null, FunctionKey, null),
            (HttpMethod.Get, $"/api/customers?identity=email:{email}", null, null, null),
            (HttpMethod.Get, $"/api/customers/{customerId}/timeline?limit=2", null, FunctionKey, null),
            (HttpMethod.Get, $"/api/customers/{customerId}/timeline?stage=1", null, FunctionKey, null),
            (HttpMethod.Get, "/api/customers/cus_000000000000000000000000/timeline", null, FunctionKey, null),
            (HttpMethod.Get, $"/api/customers/{customerId}/timeline", null, null, null),
            (HttpMethod.Get, $"/api/customers/{customerId}/journey", null, FunctionKey, null),
            (HttpMethod.Get, "/api/customers/not-an-id/journey", null, FunctionKey, null),
            (HttpMethod.Get, $"/api/journeys/funnel?{window}", null, FunctionKey, null),
            (HttpMethod.Get, "/api/journeys/funnel?source=nosuchsource", null, FunctionKey, null),
            (HttpMethod.Get, $"/api/journeys/map?{window}&segment=persona:Conformance%20tester", null, FunctionKey, null),
            (HttpMethod.Get, $"/api/journeys/map?{window}&segment=source:hubspot", null, FunctionKey, null),
            (HttpMethod.Get, "/api/journeys/map?segment=bogus:1", null, FunctionKey, null),
            (HttpMethod.Get, $"/api/journeys/map/customers?{window}&segment=all&metric=retention.touch.survey%20survey.answered", null, FunctionKey, null),
            (HttpMethod.Get, "/api/journeys/map/customers?metric=nothing", null, FunctionKey, null),
            (HttpMethod.Get, "/api/admin/dead-letters?limit=5", null, AdminKey, null),
            (HttpMethod.Get, "/api/admin/dead-letters?limit=0", null, AdminKey, null),
            (HttpMethod.Get, "/api/admin/dead-letters", null, FunctionKey, null),
            (HttpMethod.Post, "/api/admin/replay", Json("""{"ids":["dl_0"]}"""), AdminKey, null),
            (HttpMethod.Post, "/api/admin/replay", Json("""{"ids":"""), AdminKey, null),
            (HttpMethod.Post, "/api/admin/replay", new StringContent("ids", Encoding.UTF8, "text/plain"), AdminKey, null),
            (HttpMethod.Get, "/api/admin/backfill/nosuchsource", null, AdminKey, null),
            (HttpMethod.Get, "/api/admin/backfill/hubspot", null, AdminKey, null),
            (HttpMethod.Post, "/api/admin/backfill/nosuchsource", null, AdminKey, null),
            (HttpMethod.Post, "/api/admin/backfill/hubspot?from=2025-01-01T00:00:00Z&to=2025-01-02T00:00:00Z", null, AdminKey, null),
            (HttpMethod.Get, $"/api/customers/{customerId}/erasure", null, AdminKey, null),
            (HttpMethod.Delete, "/api/customers/not-an-id", null, AdminKey, null),
            (HttpMethod.Delete, $"/api/customers/{customerId}", null, FunctionKey, null),
            (HttpMethod.Delete, $"/api/customers/{customerId}", null, AdminKey, null),
            (HttpMethod.Get, $"/api/customers/{customerId}/erasure", null, AdminKey, null),
        ]);

        var failures = new List<string>();
        var exercised = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (method, path, body, key, headers) in checks)
        {
            using var request = new HttpRequestMessage(method, Url(path)) { Content = body };
            if (key is not null)
            {
                request.Headers.Add("x-functions-key", key);
            }

            foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            using var response = await Host.Client.SendAsync(request);
            var template = TemplateOf(document, path);
            if (template is null)
            {
                failures.Add($"{method} {path}: no path of the document matches");
                continue;
            }

            exercised.Add($"{method.Method.ToUpperInvariant()} {template}");
            failures.AddRange(await ConformanceFailuresAsync(document, template, method, path, response));
        }

        var documented = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Where(m => Methods.Contains(m.Key)).Select(m => $"{m.Key.ToUpperInvariant()} {p.Key}"))
            .ToHashSet(StringComparer.Ordinal);
        failures.AddRange(documented.Except(exercised).Order(StringComparer.Ordinal).Select(o => $"{o}: documented but not called by this test (add a call)"));
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>Why this answer does not match the document; empty when it does.</summary>
    private static async Task<List<string>> ConformanceFailuresAsync(JsonNode document, string template, HttpMethod method, string path, HttpResponseMessage response)
    {
        var failures = new List<string>();
        var what = $"{method} {path} → {(int)response.StatusCode}";
        var status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var responses = document["paths"]![template]![method.Method.ToLowerInvariant()]!["responses"]!;
        var documented = responses[status] ?? responses[status[0] + "XX"];
        if (documented is null)
        {
            failures.Add($"{what}: status not documented");
            return failures;
        }

        foreach (var header in documented["headers"]?.AsObject().Select(h => h.Key) ?? [])
        {
            if (!response.Headers.Contains(header) && !response.Content.Headers.Contains(header))
            {
                failures.Add($"{what}: documented header {header} missing");
            }
        }

        var bytes = await response.Content.ReadAsByteArrayAsync();
        if (bytes.Length == 0 || method == HttpMethod.Head)
        {
            return failures;
        }

        var mediaType = response.Content.Headers.ContentType?.MediaType ?? "";
        if (documented["content"]?[mediaType] is not { } content)
        {
            failures.Add($"{what}: a {mediaType} body is not documented");
            return failures;
        }

        if (mediaType.EndsWith("json", StringComparison.Ordinal) && content["schema"] is { } schemaNode)
        {
            var result = Schema(document, schemaNode).Evaluate(JsonNode.Parse(bytes), Evaluation(document));
            if (!result.IsValid)
            {
                var errors = result.Details.Where(d => d.HasErrors).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")).Take(5);
                failures.Add($"{what}: body does not match the schema: {string.Join("; ", errors)}");
            }
        }

        return failures;
    }

    /// <summary>The document's path that a concrete path matches, literal paths first (as routing does).</summary>
    private static string? TemplateOf(JsonNode document, string pathAndQuery)
    {
        var path = pathAndQuery.Split('?', 2)[0];
        return document["paths"]!.AsObject().Select(p => p.Key)
            .OrderBy(t => t.Contains('{', StringComparison.Ordinal))
            .FirstOrDefault(t => Regex.IsMatch(path, "^" + TemplateParameter().Replace(Regex.Escape(t).Replace(@"\{", "{", StringComparison.Ordinal), "[^/]+") + "$"));
    }

    /// <summary>A response schema of the document, its <c>#/components/…</c> references pointed at the registered document.</summary>
    private static JsonSchema Schema(JsonNode document, JsonNode schema) =>
        JsonSchema.FromText(schema.ToJsonString().Replace("\"#/components/", $"\"{DocumentUri}#/components/", StringComparison.Ordinal));

    private static EvaluationOptions Evaluation(JsonNode document)
    {
        var options = new EvaluationOptions { OutputFormat = OutputFormat.List };
        options.SchemaRegistry.Register(new JsonNodeBaseDocument(document, DocumentUri));
        return options;
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    private static StringContent Xml(string organizationId) => new(
        $"""<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound"><OrganizationId>{organizationId}</OrganizationId><ActionId>04k5g000000Conf</ActionId></notifications></soapenv:Body></soapenv:Envelope>""",
        Encoding.UTF8,
        "text/xml");

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex TemplateParameter();
}
