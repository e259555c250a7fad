using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Json.Schema;
using JourneyHub.Azure.Customers;
using JourneyHub.Azure.Segments;
using JourneyHub.Azure.Storage;
using JourneyHub.IntegrationTests.Infrastructure;

namespace JourneyHub.IntegrationTests.Customers;

/// <summary>The read API and erasure through the local host over HTTP (function keys on), on a real Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ReadApiAndErasureEndToEndTests(AzuriteFixture azurite) : LocalHostTests(azurite)
{
    private const string Secret = "3c1d7a52-8e4f-4b6a-9d20-5f7e1c3b9a64";
    private const string FunctionKey = "read-api-test-key";
    private const string AdminKey = "erasure-admin-test-key";
    private const string SuppressionKey = "read-api-and-erasure-tests-suppression-key-0123";

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Sources__HubSpot__ClientSecret"] = Secret,
        ["Privacy__SuppressionKey"] = SuppressionKey,
        ["LocalHost__FunctionKey"] = FunctionKey,
        ["LocalHost__AdminKey"] = AdminKey,
    };

    [Fact]
    public async Task Timeline_pages_carry_an_etag_match_the_touchpoint_schema_and_need_the_function_key()
    {
        var contact = HubSpotEvents.NewId();
        var customerId = await IngestAsync(contact, 2);

        using var anonymous = await Host.Client.GetAsync(new Uri($"/api/customers/{customerId}/timeline", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        using var first = await SendAsync(HttpMethod.Get, $"/api/customers/{customerId}/timeline?limit=1");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        var page = JsonNode.Parse(await first.Content.ReadAsStringAsync())!;
        Assert.NotNull(page["nextCursor"]?.GetValue<string>());

        var schema = JsonSchema.FromText(File.ReadAllText(Path.Combine(Fixture.RepositoryRoot(), "schemas", "touchpoint.v1.schema.json")));
        foreach (var item in page["items"]!.AsArray())
        {
            var result = schema.Evaluate(item, new EvaluationOptions { OutputFormat = OutputFormat.List });
            Assert.True(result.IsValid, JsonSerializer.Serialize(result.Details.Where(d => d.HasErrors).Select(d => new { d.InstanceLocation, d.Errors })));
        }

        // Unchanged page → 304 without a body; a different page → a different tag.
        using var again = await SendAsync(HttpMethod.Get, $"/api/customers/{customerId}/timeline?limit=1", etag!.Tag);
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Empty(await again.Content.ReadAsByteArrayAsync());
        using var other = await SendAsync(HttpMethod.Get, $"/api/customers/{customerId}/timeline?limit=2", etag.Tag);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.NotEqual(etag.Tag, other.Headers.ETag!.Tag);

        // Journey summary of the same customer.
        using var journey = await SendAsync(HttpMethod.Get, $"/api/customers/{customerId}/journey");
        var summary = JsonNode.Parse(await journey.Content.ReadAsStringAsync())!;
        Assert.Equal(2, summary["touchpointCount"]!.GetValue<int>());
        Assert.NotNull(summary["churnRisk"]?["level"]);
    }

    [Theory]
    [InlineData("/api/journeys/funnel?from=yesterday", "Invalid query parameter 'from'")]
    [InlineData("/api/journeys/funnel?from=2025-03-01&to=2025-02-01", "Invalid query parameter 'from'")]
    [InlineData("/api/journeys/funnel?from=2020-01-01&to=2025-01-01", "Invalid query parameter 'to'")]
    [InlineData("/api/customers/cus_abc/timeline?limit=500", "Invalid query parameter 'limit'")]
    [InlineData("/api/customers/not-an-id/journey", "Invalid customer id")]
    [InlineData("/api/customers/cus_abc/erasure?x=1", "No erasure request")]
    [InlineData("/api/customers/cus_abc/timeline?stage=1", "Invalid query parameter 'stage'")]
    [InlineData("/api/customers/cus_abc/timeline?channel=web,email", "Invalid query parameter 'channel'")]
    [InlineData("/api/customers/cus_abc/timeline?source=nosuchsource", "Invalid query parameter 'source'")]
    [InlineData("/api/customers/cus_abc/timeline?source=hubspot-pull", "Invalid query parameter 'source'")]
    [InlineData("/api/journeys/funnel?source=nosuchsource", "Invalid query parameter 'source'")]
    [InlineData("/api/journeys/funnel?to=0001-01-01", "Invalid query parameter 'from'")]
    [InlineData("/api/journeys/funnel?to=9999-12-31T23:59:59Z", "Invalid query parameter 'to'")]
    [InlineData("/api/journeys/map?from=9999-12-30&to=9999-12-31T23:59:59Z", "Invalid query parameter 'to'")]
    [InlineData("/api/journeys/map?segment=source:nosuchsource", "Invalid query parameter 'segment'")]
    [InlineData("/api/customers?identity=nosuchtype:1", "Invalid query parameter 'identity'")]
    public async Task Bad_read_requests_get_problem_json_that_names_the_fault(string url, string title)
    {
        using var response = await SendAsync(HttpMethod.Get, url);
        Assert.InRange((int)response.StatusCode, 400, 499);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(title, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["title"]!.GetValue<string>());
    }

    [Fact]
    public async Task Funnel_and_openapi_answer()
    {
        using var funnel = await SendAsync(HttpMethod.Get, "/api/journeys/funnel?from=2024-01-01T00:00:00Z&to=2024-02-01T00:00:00Z&source=hubspot");
        Assert.Equal(HttpStatusCode.OK, funnel.StatusCode);
        Assert.Equal(4, JsonNode.Parse(await funnel.Content.ReadAsStringAsync())!["stages"]!.AsArray().Count);

        using var openapi = await Host.Client.GetAsync(new Uri("/api/openapi.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, openapi.StatusCode);
        Assert.Equal("3.1.0", JsonNode.Parse(await openapi.Content.ReadAsStringAsync())!["openapi"]!.GetValue<string>());
    }

    [Fact]
    public async Task Erasure_leaves_no_row_blob_or_identity_behind_and_suppresses_later_events()
    {
        var contact = HubSpotEvents.NewId();
        var customerId = await IngestAsync(contact, 2);
        var rawRefs = (await TimelineAsync(customerId)).Select(i => i["rawRef"]!.GetValue<string>()).Distinct().ToList();
        Assert.NotEmpty(rawRefs);
        Assert.NotNull(await Azurite.RawPayloadAsync(rawRefs[0]));

        // The identity's partition of the identity table is its keyed hash; before the erasure it holds the link alone.
        var identityPartition = new IdentityKeys(SuppressionKey).Hash(new Core.Schema.Identity("hubspot", contact.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var link = Assert.Single(await RowsAsync(StorageNames.IdentitiesTable, identityPartition));
        Assert.Equal((TableIdentityStore.LinkRow, customerId), (link.RowKey, link.GetString("CustomerId")));

        using var delete = await SendAsync(HttpMethod.Delete, $"/api/customers/{customerId}");
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        Assert.Equal($"/api/customers/{customerId}/erasure", delete.Headers.Location?.ToString());

        var status = await LocalHostProcess.EventuallyAsync(
            async () =>
            {
                using var response = await SendAsync(HttpMethod.Get, $"/api/customers/{customerId}/erasure");
                return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            },
            s => s["status"]?.GetValue<string>() == "completed");
        Assert.Equal("completed", status["status"]!.GetValue<string>());
        Assert.Equal(2, status["touchpoints"]!.GetValue<int>());

        // Only the erasure tombstone stays in the partition: the id, and that it is erased; nothing personal.
        var left = Assert.Single(await RowsAsync(StorageNames.TimelineTable, customerId));
        Assert.Equal(PartitionRows.Summary, left.RowKey);
        Assert.NotNull(left.GetDateTimeOffset("ErasedAt"));
        Assert.Equal("[]", left.GetString("Identities"));
        Assert.DoesNotContain("hubspot", left.GetString("Journey") ?? "", StringComparison.Ordinal);

        // The link is gone and the suppressed marker took its place, in the identity's own partition: no customer, erased.
        AssertSuppressedMarker(await RowsAsync(StorageNames.IdentitiesTable, identityPartition));

        // The map and the funnel keep only the customer's contribution row, emptied (it outranks a change still in
        // flight): no stage row, no first time named, nothing of its part of the map.
        var aggregates = new List<TableEntity>();
        await foreach (var row in Azurite.Table(TableSegmentAggregates.TableName).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {"c|" + customerId} or CustomerId eq {customerId}")))
        {
            aggregates.Add(row);
        }

        var contribution = Assert.Single(aggregates);
        Assert.Equal("c|" + customerId, contribution.RowKey);
        Assert.Equal(long.MaxValue, contribution.GetInt64("Version"));
        Assert.DoesNotContain(contribution.Keys, key => key.StartsWith("Stage", StringComparison.Ordinal));
        foreach (var rawRef in rawRefs)
        {
            Assert.Null(await Azurite.RawPayloadAsync(rawRef));
        }

        using (var gone = await SendAsync(HttpMethod.Get, $"/api/customers/{customerId}/journey"))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        // A later event for the same person is dropped at ingestion.
        var body = HubSpotEvents.Batch(HubSpotEvents.ContactCreated(contact, DateTimeOffset.UtcNow.AddMinutes(-1)));
        using (var later = await Host.Client.SendAsync(SignedRequests.HubSpot(Url("/api/webhooks/hubspot"), body, Secret)))
        {
            Assert.Equal(HttpStatusCode.NoContent, later.StatusCode);
        }

        var queue = Azurite.Queue(StorageNames.IngestQueue);
        await LocalHostProcess.EventuallyAsync(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount, c => c == 0);
        await Task.Delay(1000);
        using var lookup = await SendAsync(HttpMethod.Get, $"/api/customers?identity=hubspot:{contact}");
        Assert.Equal(HttpStatusCode.NotFound, lookup.StatusCode);
        AssertSuppressedMarker(await RowsAsync(StorageNames.IdentitiesTable, identityPartition));
    }

    private static void AssertSuppressedMarker(IEnumerable<TableEntity> identityRows)
    {
        var marker = Assert.Single(identityRows);
        Assert.Equal(TableIdentityStore.LinkRow, marker.RowKey);
        Assert.Null(marker.GetString("CustomerId"));
        Assert.NotNull(marker.GetDateTimeOffset("SuppressedAt"));
    }

    private async Task<string> IngestAsync(long contact, int events)
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(-10);
        var batch = Enumerable.Range(0, events)
            .Select(i => i == 0 ? HubSpotEvents.ContactCreated(contact, at) : HubSpotEvents.PropertyChange(contact, "lifecyclestage", i == 1 ? "customer" : "evangelist", at.AddMinutes(i)))
            .ToArray();
        using var response = await Host.Client.SendAsync(SignedRequests.HubSpot(Url("/api/webhooks/hubspot"), HubSpotEvents.Batch(batch), Secret));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        var customer = await Api.CustomerIdAsync($"hubspot:{contact}");
        await LocalHostProcess.EventuallyAsync(async () => (await TimelineAsync(customer)).Count, n => n == events);
        return customer;
    }

    private async Task<List<JsonNode>> TimelineAsync(string customerId)
    {
        using var response = await SendAsync(HttpMethod.Get, $"/api/customers/{customerId}/timeline?limit=200");
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["items"]!.AsArray().Select(n => n!).ToList();
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string? ifNoneMatch = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(url, UriKind.Relative));
        // Erasure is admin level (the master key in Azure); everything else here is the read API.
        var erasure = method == HttpMethod.Delete || url.Contains("/erasure", StringComparison.Ordinal);
        request.Headers.Add("x-functions-key", erasure ? AdminKey : FunctionKey);
        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }

        return await Host.Client.SendAsync(request);
    }

    private async Task<List<TableEntity>> RowsAsync(string table, string partitionKey)
    {
        var rows = new List<TableEntity>();
        await foreach (var entity in Azurite.Table(table).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey}")))
        {
            rows.Add(entity);
        }

        return rows;
    }
}
