using System.Net;
using System.Text;
using System.Text.Json;
using JourneyHub.IntegrationTests.Infrastructure;

namespace JourneyHub.IntegrationTests.Sources;

/// <summary>One signed delivery per source through the local host, then the customer's timeline through the API.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class WebhookSourcesEndToEndTests(AzuriteFixture azurite) : LocalHostTests(azurite)
{
    private const string FunctionKey = "local-function-key";
    private const string MetaSecret = "3b1f0c9d8e7a6b5c4d3e2f1a0b9c8d7e";
    private const string MetaVerifyToken = "verify-me-please";
    private const string OrganizationId = "00D5g000004ZkQ1EAK";
    private const string CustomSecret = "whsec_BwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSY=";

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["LocalHost__FunctionKey"] = FunctionKey,
        ["Sources__Meta__AppSecret"] = MetaSecret,
        ["Sources__Meta__VerifyToken"] = MetaVerifyToken,
        ["Sources__Salesforce__OrganizationId"] = OrganizationId,
        ["Sources__Custom__contoso-pos__Secret"] = CustomSecret,
    };

    [Fact]
    public async Task Salesforce_outbound_message_is_acknowledged_in_soap_and_lands_on_the_contacts_timelines()
    {
        var body = Fixture.Bytes("salesforce/salesforce-outbound-message.xml");
        using var response = await Host.Client.SendAsync(SignedRequests.Plain(Url($"/api/webhooks/salesforce?code={FunctionKey}"), body, "text/xml"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/xml", response.Content.Headers.ContentType?.MediaType);
        var ack = await response.Content.ReadAsStringAsync();
        Assert.Contains("<Ack>true</Ack>", ack, StringComparison.Ordinal);
        Assert.Contains("notificationsResponse", ack, StringComparison.Ordinal);

        // Other tests on the shared Azurite may add to the same person (same fixture contact): find this delivery's row.
        var timeline = await Api.TimelineWhenAsync("salesforce:0035g00000XyZ12AAB", t => t.GetProperty("items").EnumerateArray().Any(i => i.GetProperty("sourceEventId").GetString() == "04l5g00000RfT3nAAF"));
        var item = Assert.Single(timeline.GetProperty("items").EnumerateArray(), i => i.GetProperty("sourceEventId").GetString() == "04l5g00000RfT3nAAF");
        Assert.Equal("salesforce", item.GetProperty("source").GetString());
        Assert.Contains(item.GetProperty("identities").EnumerateArray(), i => i.GetProperty("value").GetString() == "maria.lindqvist@example.com");
    }

    [Fact]
    public async Task Salesforce_from_another_organization_or_without_the_function_key_is_refused()
    {
        var body = Encoding.UTF8.GetBytes(Fixture.Text("salesforce/salesforce-outbound-message.xml").Replace(OrganizationId, "00D000000000001AAA", StringComparison.Ordinal));
        using var wrongOrg = await Host.Client.SendAsync(SignedRequests.Plain(Url($"/api/webhooks/salesforce?code={FunctionKey}"), body, "text/xml"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongOrg.StatusCode);

        using var noKey = await Host.Client.SendAsync(SignedRequests.Plain(Url("/api/webhooks/salesforce"), Fixture.Bytes("salesforce/salesforce-outbound-message.xml"), "text/xml"));
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
    }

    [Fact]
    public async Task Meta_verification_handshake_echoes_the_challenge_only_for_the_right_token()
    {
        var ok = await Host.Client.GetAsync(Url($"/api/webhooks/meta?hub.mode=subscribe&hub.verify_token={MetaVerifyToken}&hub.challenge=1158201444"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("1158201444", await ok.Content.ReadAsStringAsync());
        Assert.Equal("text/plain", ok.Content.Headers.ContentType?.MediaType);

        var wrong = await Host.Client.GetAsync(Url("/api/webhooks/meta?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444"));
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
    }

    [Fact]
    public async Task Meta_messenger_message_signed_over_raw_bytes_lands_on_the_senders_timeline()
    {
        var body = Fixture.Bytes("meta/meta-page-messenger-message.json");
        using var response = await Host.Client.SendAsync(SignedRequests.Meta(Url("/api/webhooks/meta"), body, MetaSecret));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var item = (await Api.TimelineWithAsync("meta:7012345678901234", 1)).GetProperty("items")[0];
        Assert.Equal("message.received", item.GetProperty("action").GetString());
        Assert.Equal("chat", item.GetProperty("channel").GetString());
    }

    [Fact]
    public async Task Instagram_comment_lands_as_an_indirect_social_touchpoint()
    {
        var body = Fixture.Bytes("meta/meta-instagram-comment.json");
        using var response = await Host.Client.SendAsync(SignedRequests.Meta(Url("/api/webhooks/meta"), body, MetaSecret));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        using var document = JsonDocument.Parse(body);
        var commenter = document.RootElement.GetProperty("entry")[0].GetProperty("changes")[0].GetProperty("value").GetProperty("from").GetProperty("id").GetString();
        var item = (await Api.TimelineWithAsync($"instagram:{commenter}", 1)).GetProperty("items")[0];
        Assert.Equal("instagram", item.GetProperty("source").GetString());
        Assert.Equal("indirect", item.GetProperty("kind").GetString());
        Assert.Equal("social", item.GetProperty("channel").GetString());
    }

    [Fact]
    public async Task Meta_with_a_wrong_signature_gets_401()
    {
        var body = Fixture.Bytes("meta/meta-page-messenger-message.json");
        using var response = await Host.Client.SendAsync(SignedRequests.Meta(Url("/api/webhooks/meta"), body, MetaSecret, "sha256=" + new string('0', 64)));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Trustpilot_review_carries_rating_and_exact_sentiment()
    {
        var body = Fixture.Bytes("trustpilot/trustpilot-webhook-service-review-created.json");
        using var response = await Host.Client.SendAsync(SignedRequests.Plain(Url($"/api/webhooks/trustpilot?code={FunctionKey}"), body, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var item = (await Api.TimelineWithAsync("trustpilot:5c1d2e3f4a5b6c7d8e9f0a1b", 1)).GetProperty("items")[0];
        Assert.Equal("review.posted", item.GetProperty("action").GetString());
        Assert.Equal(5, item.GetProperty("rating").GetProperty("value").GetInt32());
        Assert.Equal(1.0, item.GetProperty("sentiment").GetProperty("score").GetDouble());
        Assert.Equal("retention", item.GetProperty("stage").GetString());
    }

    [Fact]
    public async Task A_custom_source_purchase_and_survey_join_one_customer_by_email()
    {
        var email = $"shopper-{Guid.NewGuid():N}@example.com";
        var purchase = Encoding.UTF8.GetBytes(Fixture.Text("custom/standard-webhooks-custom-source.json").Replace("maria.lindqvist@example.com", email, StringComparison.Ordinal).Replace("+46701234567", "+4670" + Random.Shared.Next(1000000, 9999999), StringComparison.Ordinal));
        var survey = Encoding.UTF8.GetBytes(
            """{"type":"touchpoint.created","timestamp":"2025-03-20T10:00:00Z","data":{"sourceSystem":"contoso-pos","externalId":"nps-1","channel":"survey","occurredAt":"2025-03-20T10:00:00Z","action":"survey.answered","person":{"email":"EMAIL"},"survey":{"type":"nps","score":9,"comment":"Great staff"}}}"""
                .Replace("EMAIL", email, StringComparison.Ordinal));

        using (var first = await Host.Client.SendAsync(SignedRequests.StandardWebhooks(Url("/api/webhooks/custom/contoso-pos"), purchase, CustomSecret, "msg_" + Guid.NewGuid().ToString("N"))))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        }

        using (var second = await Host.Client.SendAsync(SignedRequests.StandardWebhooks(Url("/api/webhooks/custom/contoso-pos"), survey, CustomSecret, "msg_" + Guid.NewGuid().ToString("N"))))
        {
            Assert.Equal(HttpStatusCode.NoContent, second.StatusCode);
        }

        var timeline = await Api.TimelineWithAsync($"email:{email}", 2);
        var items = timeline.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["survey.answered", "purchase.completed"], items.Select(i => i.GetProperty("action").GetString()!).ToArray());
        Assert.Equal("custom:contoso-pos", items[0].GetProperty("source").GetString());
        Assert.Equal(9, items[0].GetProperty("survey").GetProperty("score").GetDouble());

        // The summary is written just after the rows, so it may trail the timeline by a moment.
        var journey = await Api.JourneyWhenAsync(timeline.GetProperty("customerId").GetString()!, j => j.GetProperty("touchpointCount").GetInt32() == 2);
        Assert.Equal(9, journey.GetProperty("latestNps").GetProperty("score").GetDouble());
        Assert.True(journey.GetProperty("converted").GetBoolean());
    }

    [Fact]
    public async Task A_custom_source_with_an_unknown_name_or_a_bad_signature_is_refused()
    {
        var body = Fixture.Bytes("custom/standard-webhooks-custom-source.json");
        using var unknown = await Host.Client.SendAsync(SignedRequests.StandardWebhooks(Url("/api/webhooks/custom/nobody"), body, CustomSecret, "msg_1"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        using var stale = await Host.Client.SendAsync(SignedRequests.StandardWebhooks(Url("/api/webhooks/custom/contoso-pos"), body, CustomSecret, "msg_2", DateTimeOffset.UtcNow.AddMinutes(-10)));
        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);

        using var wrongKey = await Host.Client.SendAsync(SignedRequests.StandardWebhooks(Url("/api/webhooks/custom/contoso-pos"), body, "whsec_ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoM=", "msg_3"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
    }

    [Fact]
    public async Task Read_routes_need_the_function_key_when_one_is_configured()
    {
        using var response = await Host.Client.GetAsync(Url("/api/customers?identity=email:a@example.com"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var health = await Host.Client.GetAsync(Url("/api/health"));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
