using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Processing;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Sources.Pull;

namespace JourneyHub.Core.Privacy;

/// <summary>
/// Which sources' raw payloads can be redacted entry by entry, and where their per-person entries are. A path names the
/// JSON arrays that hold the entries: <c>""</c> is the root array, <c>a.b</c> the array <c>b</c> of the object <c>a</c>,
/// <c>a[].b</c> the arrays <c>b</c> of every item of the array <c>a</c>. Everything outside the entries (the envelope) must
/// name the sender only (portal, page, business unit), never a person: that is what makes removing entries enough.
/// Sources not listed are deleted whole when a person is erased: single-event sources (one payload is one person's
/// event: Shopify, Zendesk, Intercom, Typeform, SurveyMonkey, Delighted, custom sources), Salesforce Outbound Messages
/// (SOAP XML) and HubSpot engagement pages (their <c>associations</c> map names contacts outside the entries).
/// </summary>
public static class RedactablePayloads
{
    private static readonly Dictionary<string, string[]> Paths = new(StringComparer.Ordinal)
    {
        // A HubSpot Webhooks delivery is a JSON array of up to 100 events of any contacts and deals.
        [SourceId.HubSpot.Name] = [""],
        [SourceId.Trustpilot.Name] = ["events"],
        [SourceId.Meta.Name] = ["entry[].messaging", "entry[].changes"],
        [SourceId.Instagram.Name] = ["entry[].messaging", "entry[].changes"],

        // Pulled pages hold one record per item, usually of as many people.
        [SourceId.HubSpotPull.Name] = ["results"],
        [SourceId.SalesforcePull.Name] = ["records"],
        [SourceId.TrustpilotPull.Name] = ["reviews"],
        [SourceId.MetaPull.Name] = ["data"],
        [SourceId.Google.Name] = ["reviews"],
    };

    /// <summary>The entry paths of a payload of <paramref name="source"/>; null when its payloads are deleted whole.</summary>
    public static IReadOnlyList<string>? EntryPaths(string source, IReadOnlyDictionary<string, string> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        if (source == SourceId.HubSpotPull.Name
            && properties.GetValueOrDefault(HubSpotPullAdapter.ObjectTypeProperty) is { } objectType
            && objectType != "contacts")
        {
            return null;
        }

        return Paths.GetValueOrDefault(source);
    }

    /// <summary>The sources whose payloads get a redacted copy (documentation and tests).</summary>
    public static IReadOnlyCollection<string> Sources => Paths.Keys;
}

/// <summary>What erasing a person does to one raw payload.</summary>
public enum RedactionKind
{
    /// <summary>The source is not redacted entry by entry, or the payload cannot be split: it is deleted whole.</summary>
    NotRedactable,

    /// <summary>No entry names the person (e.g. a deal event shared with another contact, or a copy redacted before): kept as it is.</summary>
    NoEntryOfThePerson,

    /// <summary>Some entries name the person: a copy without them replaces the payload.</summary>
    Redacted,

    /// <summary>Every entry names the person: the payload is deleted.</summary>
    EveryEntryOfThePerson,
}

/// <param name="Body">The redacted copy, for <see cref="RedactionKind.Redacted"/>.</param>
public sealed record RedactionPlan(RedactionKind Kind, byte[]? Body, int Entries, int Removed)
{
    public static RedactionPlan NotRedactable { get; } = new(RedactionKind.NotRedactable, null, 0, 0);
}

/// <summary>
/// Decides, entry by entry, which parts of a raw payload belong to erased people, by the same adapter that ingests it:
/// each entry is normalized alone (the envelope with that one entry) and it belongs to the person when one of its
/// touchpoints, or its rejection, names an erased identity (compared after <see cref="TouchpointBounds"/>, as stored).
/// Entries an adapter ignores (a Messenger read receipt) still carry ids, so an entry also belongs to the person when
/// one of its JSON values is exactly an erased identity's value (case-insensitive; whole values, never substrings).
/// The copy keeps the envelope and every other entry as equivalent JSON, so the other people's events replay through
/// the ordinary path into the same rows (touchpoint ids come from source event ids, not positions). Free text of
/// another person's entry that mentions the erased person (a reply quoting a name) stays, as it does on their timeline.
/// </summary>
public sealed class PayloadRedactor(SourceRegistry sources)
{
    private static readonly JsonSerializerOptions Output = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <param name="erased">The identities of erased people (and objects only erased people were associated with).</param>
    public RedactionPlan Plan(RawPayload payload, IReadOnlySet<Identity> erased)
    {
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentNullException.ThrowIfNull(erased);
        if (RedactablePayloads.EntryPaths(payload.Source, payload.Properties) is not { } paths || sources.Adapter(payload.Source) is not { } adapter)
        {
            return RedactionPlan.NotRedactable;
        }

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(payload.Body.Span);
        }
        catch (JsonException)
        {
            return RedactionPlan.NotRedactable;
        }

        if (root is null)
        {
            return RedactionPlan.NotRedactable;
        }

        var arrays = EntryArrays(root, paths);
        var entries = arrays.Sum(a => a.Count);
        if (entries == 0)
        {
            return RedactionPlan.NotRedactable;
        }

        // The envelope with every entry array emptied; each entry is judged inside a copy of it.
        var skeleton = root.DeepClone();
        foreach (var array in EntryArrays(skeleton, paths))
        {
            array.Clear();
        }

        var values = erased.Select(i => i.Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var owned = new bool[entries];
        var ordinal = 0;
        for (var a = 0; a < arrays.Count; a++)
        {
            foreach (var entry in arrays[a])
            {
                var alone = skeleton.DeepClone();
                EntryArrays(alone, paths)[a].Add(entry?.DeepClone());
                if (Names(adapter, payload with { Body = JsonSerializer.SerializeToUtf8Bytes(alone, Output) }, erased) is not { } names)
                {
                    // An entry the adapter cannot judge alone cannot be told apart: the payload goes whole.
                    return RedactionPlan.NotRedactable;
                }

                owned[ordinal++] = names || Mentions(entry, values);
            }
        }

        var removed = owned.Count(o => o);
        if (removed == 0)
        {
            return new RedactionPlan(RedactionKind.NoEntryOfThePerson, null, entries, 0);
        }

        if (removed == entries)
        {
            return new RedactionPlan(RedactionKind.EveryEntryOfThePerson, null, entries, removed);
        }

        ordinal = 0;
        foreach (var array in arrays)
        {
            var first = ordinal;
            ordinal += array.Count;
            for (var i = array.Count - 1; i >= 0; i--)
            {
                if (owned[first + i])
                {
                    array.RemoveAt(i);
                }
            }
        }

        return new RedactionPlan(RedactionKind.Redacted, JsonSerializer.SerializeToUtf8Bytes(root, Output), entries, removed);
    }

    /// <summary>Whether one entry names an erased identity; null when the adapter failed on it.</summary>
    private static bool? Names(ISourceAdapter adapter, RawPayload alone, IReadOnlySet<Identity> erased)
    {
        NormalizationResult result;
        try
        {
            result = adapter.Normalize(alone);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return null;
        }

        return result.Touchpoints.Select(TouchpointBounds.Apply).Any(t => t.Identities.Any(erased.Contains))
            || result.Rejected.Any(r => r.Identities.Any(erased.Contains));
    }

    /// <summary>Whether any scalar of the entry (string or number, at any depth, property names aside) is one of <paramref name="values"/>.</summary>
    private static bool Mentions(JsonNode? node, HashSet<string> values) => node switch
    {
        JsonObject o => o.Any(p => Mentions(p.Value, values)),
        JsonArray a => a.Any(item => Mentions(item, values)),
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => values.Contains(v.GetValue<string>()),
            JsonValueKind.Number => values.Contains(v.ToJsonString()),
            _ => false,
        },
        _ => false,
    };

    /// <summary>The entry arrays of a document, always in the same order for the same shape (so a copy lines up with its original).</summary>
    private static List<JsonArray> EntryArrays(JsonNode root, IReadOnlyList<string> paths)
    {
        var arrays = new List<JsonArray>();
        foreach (var path in paths)
        {
            IEnumerable<JsonNode?> nodes = [root];
            if (path.Length > 0)
            {
                foreach (var step in path.Split('.'))
                {
                    var each = step.EndsWith("[]", StringComparison.Ordinal);
                    var name = each ? step[..^2] : step;
                    nodes = nodes.Select(n => n is JsonObject o ? o[name] : null).ToList();
                    if (each)
                    {
                        nodes = nodes.OfType<JsonArray>().SelectMany(a => a).ToList();
                    }
                }
            }

            arrays.AddRange(nodes.OfType<JsonArray>());
        }

        return arrays;
    }
}
