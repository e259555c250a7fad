using System.Globalization;
using System.Text.Json;
using JourneyHub.Core.Identities;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Journey;
using JourneyHub.Core.Pull;
using JourneyHub.Core.Schema;
using JourneyHub.Core.SentimentScoring;
using JourneyHub.Core.Sources.HubSpot;
using JourneyHub.Core.Sources.Kit;

namespace JourneyHub.Core.Sources.Pull;

/// <summary>
/// Pages pulled from HubSpot CRM v3 (property <c>objectType</c> says which): contacts from the search API, and
/// e-mails, calls, meetings and feedback submissions as <c>{"search":&lt;search page&gt;,"associations":&lt;v4 batch read&gt;}</c>.
/// Touchpoints carry source <c>hubspot</c>. Ids are facts, not fetches: <c>contact:&lt;id&gt;:created</c>,
/// <c>contact:&lt;id&gt;:lifecycle:&lt;stage&gt;</c>, <c>&lt;objectType&gt;:&lt;id&gt;:&lt;contactId&gt;</c>, so pulling the same record
/// again stores nothing new. An engagement becomes one touchpoint per associated contact, because the identities of one
/// touchpoint are taken to be one person.
/// </summary>
public sealed class HubSpotPullAdapter : ISourceAdapter
{
    public const string ObjectTypeProperty = "objectType";

    /// <summary>Page property: the contact property the persona rules read (requested by the connector), copied into attributes.</summary>
    public const string PersonaFieldProperty = "personaField";

    /// <summary>Lifecycle stages whose <c>hs_lifecyclestage_&lt;stage&gt;_date</c> says when the contact reached them.</summary>
    public static IReadOnlyList<string> LifecycleStages { get; } =
        ["subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "evangelist"];

    private static readonly TouchpointFactory Touchpoints = new(SourceId.HubSpot);

    /// <summary>The rules table's <c>lifecycle:</c> rows for HubSpot, read once: a pulled stage means what a webhook's does.</summary>
    private static readonly SignalStages LifecycleJourneyStages = JourneyRules.StagesOf(SourceId.HubSpot.Name, JourneyRules.LifecycleSignal);

    public SourceId Source => SourceId.HubSpotPull;

    public NormalizationResult Normalize(RawPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var objectType = payload.Properties.GetValueOrDefault(ObjectTypeProperty) ?? "contacts";
        using var document = JsonDocument.Parse(payload.Body, PullJson.DocumentOptions);
        var root = document.RootElement;
        if (objectType == "contacts")
        {
            var personaField = payload.Properties.GetValueOrDefault(PersonaFieldProperty);
            return EntryCollector.CollectMany(root.Arr("results").ToList(), c => [MapContactCreated(c, personaField), .. MapLifecycle(c, personaField)], static (i, c) => $"HubSpot contact {i} ({PullJson.ItemId(c)})");
        }

        var search = root.TryGetProperty("search", out var s) ? s : root;
        var associations = ReadAssociations(root.Obj("associations"));
        return EntryCollector.CollectMany(search.Arr("results").ToList(), e => MapEngagement(objectType, e, associations), (i, e) => $"HubSpot {objectType} {i} ({PullJson.ItemId(e)})");
    }

    private static AdapterOutcome MapContactCreated(JsonElement contact, string? personaField)
    {
        if (contact.Str("id") is not { Length: > 0 } id)
        {
            return AdapterOutcome.Fail("the contact has no id");
        }

        var properties = contact.Obj("properties");
        var createdAt = PullJson.Time(properties.Str("createdate")) ?? PullJson.Time(contact.Str("createdAt"));
        if (createdAt is null)
        {
            return AdapterOutcome.Fail("the contact has no createdate", ContactIdentities(id, properties));
        }

        return AdapterOutcome.Ok(Touchpoints.Create($"contact:{id}:created", createdAt.Value, Channel.Crm, "contact.created", "Contact created in HubSpot", ContactIdentities(id, properties), ContactAttributes(id, properties, personaField)));
    }

    private static IEnumerable<AdapterOutcome> MapLifecycle(JsonElement contact, string? personaField)
    {
        var properties = contact.Obj("properties");
        if (contact.Str("id") is not { Length: > 0 } id || properties.Str("lifecyclestage") is not { Length: > 0 } stage)
        {
            yield break;
        }

        var at = PullJson.Time(properties.Str($"hs_lifecyclestage_{stage}_date")) ?? PullJson.Time(properties.Str("lastmodifieddate")) ?? PullJson.Time(contact.Str("updatedAt"));
        if (at is null)
        {
            yield return AdapterOutcome.Fail($"lifecycle stage '{stage}' has no date");
            yield break;
        }

        var attributes = ContactAttributes(id, properties, personaField).Set("lifecyclestage", stage);
        yield return AdapterOutcome.Ok(Touchpoints.Create(
            $"contact:{id}:lifecycle:{stage}",
            at.Value,
            Channel.Crm,
            "lifecycle.changed",
            $"Lifecycle stage changed to {stage}",
            ContactIdentities(id, properties),
            attributes,
            stage: LifecycleJourneyStages.StageOf(stage)));
    }

    /// <summary>One engagement of a search page: the same facts a generic webhook makes of it (<see cref="HubSpotObjects.FromObject"/>).</summary>
    private static IEnumerable<AdapterOutcome> MapEngagement(string objectType, JsonElement engagement, Dictionary<string, List<string>> associations)
    {
        var id = engagement.Str("id");
        var contacts = HubSpotObjects.Contacts(engagement, id is not null && associations.TryGetValue(id, out var list) ? list : null);
        return HubSpotObjects.FromObject(objectType, engagement, contacts);
    }

    /// <summary>v4 batch read: <c>{"results":[{"from":{"id"},"to":[{"toObjectId"}]}]}</c> → object id → contact ids.</summary>
    private static Dictionary<string, List<string>> ReadAssociations(JsonElement associations)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var row in associations.Arr("results"))
        {
            if (row.Obj("from").Str("id") is not { Length: > 0 } from)
            {
                continue;
            }

            var contacts = result.TryGetValue(from, out var list) ? list : result[from] = [];
            foreach (var to in row.Arr("to"))
            {
                if ((to.Str("toObjectId") ?? to.Str("id")) is { Length: > 0 } contactId && !contacts.Contains(contactId))
                {
                    contacts.Add(contactId);
                }
            }
        }

        return result;
    }

    private static List<Identity> ContactIdentities(string id, JsonElement properties)
    {
        var identities = new List<Identity>(3);
        identities.AddIfPresent(IdentityTypes.HubSpot, id);
        identities.AddIfPresent(IdentityTypes.Email, properties.Str("email"));
        identities.AddIfPresent(IdentityTypes.Phone, properties.Str("phone"));
        identities.AddIfPresent(IdentityTypes.Phone, properties.Str("mobilephone"));
        return identities;
    }

    private static AttributeDictionary ContactAttributes(string id, JsonElement properties, string? personaField)
    {
        var attributes = new AttributeDictionary()
            .Set("objectId", id)
            .AddIfPresent("firstname", properties.Str("firstname"))
            .AddIfPresent("lastname", properties.Str("lastname"));
        return personaField is null ? attributes : attributes.AddIfPresent(personaField, properties.Str(personaField));
    }
}
