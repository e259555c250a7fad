using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using System.Xml.Linq;
using JourneyHub.Core.Ingestion;
using JourneyHub.Core.Processing;
using JourneyHub.Core.Schema;
using JourneyHub.Core.Sources;
using JourneyHub.Core.Sources.Pull;
using JourneyHub.Core.Sources.Salesforce;

namespace JourneyHub.Core.Privacy;

/// <summary>
/// Which sources' raw payloads can be redacted entry by entry, and where their per-person entries are. A path names the
/// JSON arrays that hold the entries: <c>""</c> is the root array, <c>a.b</c> the array <c>b</c> of the object <c>a</c>,
/// <c>a[].b</c> the arrays <c>b</c> of every item of the array <c>a</c>. Everything outside the entries (the envelope) must
/// name the sender only (portal, page, business unit), never a person: that is what makes removing entries enough.
/// XML payloads name their entries by element instead (<see cref="XmlEntries"/>): a Salesforce Outbound Message's
/// <c>Notification</c>s. Sources not listed are deleted whole when a person is erased: single-event sources (one
/// payload is one person's event: Shopify, Zendesk, Intercom, Typeform, SurveyMonkey, Delighted, custom sources) and
/// HubSpot engagement pages (their <c>associations</c> map names contacts outside the entries).
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

    /// <summary>The entry element of an XML payload of <paramref name="source"/>; null when it is not an XML source redacted entry by entry.</summary>
    public static XName? XmlEntries(string source) =>
        source == SourceId.Salesforce.Name ? SalesforceOutboundMessage.OutboundNs + "Notification" : null;

    /// <summary>The sources whose payloads get a redacted copy (documentation and tests).</summary>
    public static IReadOnlyCollection<string> Sources => [.. Paths.Keys, SourceId.Salesforce.Name];
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
        if (sources.Adapter(payload.Source) is not { } adapter)
        {
            return RedactionPlan.NotRedactable;
        }

        if (RedactablePayloads.XmlEntries(payload.Source) is { } element)
        {
            return PlanXml(adapter, payload, element, erased);
        }

        if (RedactablePayloads.EntryPaths(payload.Source, payload.Properties) is not { } paths)
        {
            return RedactionPlan.NotRedactable;
        }

        if (ParseJson(payload) is not { } root)
        {
            return RedactionPlan.NotRedactable;
        }

        var arrays = EntryArrays(root, paths);
        var entries = arrays.Sum(a => a.Count);
        if (entries == 0)
        {
            return RedactionPlan.NotRedactable;
        }

        var values = erased.Select(i => i.Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var owned = new bool[entries];
        var ordinal = 0;
        foreach (var (entry, alone) in JsonEntriesAlone(payload, root, paths))
        {
            if (Names(adapter, alone, erased) is not { } names)
            {
                // An entry the adapter cannot judge alone cannot be told apart: the payload goes whole.
                return RedactionPlan.NotRedactable;
            }

            owned[ordinal++] = names || Mentions(entry, values);
        }

        if (Decided(owned) is { } decided)
        {
            return decided;
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

        return new RedactionPlan(RedactionKind.Redacted, JsonSerializer.SerializeToUtf8Bytes(root, Output), entries, owned.Count(o => o));
    }

    /// <summary>
    /// The same judgement over the entry elements of an XML payload (read with DTDs prohibited, like the adapter reads it):
    /// each entry alone in the document (the document without its other entries), text and attribute values compared as
    /// JSON values are. The document without any entry is built once and each entry is put back where it stood among the
    /// other nodes, judged and taken out again: the work grows with the payload, not with its square (a 100-notification
    /// Outbound Message was copied whole 100 times).
    /// </summary>
    private static RedactionPlan PlanXml(ISourceAdapter adapter, RawPayload payload, XName element, IReadOnlySet<Identity> erased)
    {
        if (LoadXml(payload) is not { } document)
        {
            return RedactionPlan.NotRedactable;
        }

        var entries = document.Descendants(element).ToList();
        if (entries.Count == 0)
        {
            return RedactionPlan.NotRedactable;
        }

        var values = erased.Select(i => i.Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var owned = new bool[entries.Count];
        var k = 0;
        foreach (var alone in XmlEntriesAlone(payload, document, entries, element))
        {
            if (Names(adapter, alone, erased) is not { } judged)
            {
                return RedactionPlan.NotRedactable;
            }

            owned[k] = judged || entries[k].DescendantsAndSelf().Any(e => (!e.HasElements && values.Contains(e.Value)) || e.Attributes().Any(a => values.Contains(a.Value)));
            k++;
        }

        if (Decided(owned) is { } decided)
        {
            return decided;
        }

        RemoveAll(entries.Where((_, k) => owned[k]).ToList());
        return new RedactionPlan(RedactionKind.Redacted, Bytes(document), entries.Count, owned.Count(o => o));
    }

    /// <summary>
    /// The identities the payload's entries name, each entry read alone (the envelope with only that entry, as
    /// <see cref="Plan"/> judges it) by the same adapter: for a payload the adapter cannot read whole (one event of a
    /// HubSpot batch with a value of the wrong type fails the whole array), whose entries the readable ones are. An entry
    /// the adapter cannot read alone names no one. Empty for a source whose payloads are not split into entries (one
    /// payload is one event) and for bytes that are not even the source's JSON or XML.
    /// </summary>
    public static IReadOnlySet<Identity> IdentitiesByEntry(ISourceAdapter adapter, RawPayload payload)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        ArgumentNullException.ThrowIfNull(payload);
        var found = new HashSet<Identity>();
        IEnumerable<RawPayload> entries;
        if (RedactablePayloads.XmlEntries(payload.Source) is { } element)
        {
            if (LoadXml(payload) is not { } document)
            {
                return found;
            }

            entries = XmlEntriesAlone(payload, document, document.Descendants(element).ToList(), element);
        }
        else if (RedactablePayloads.EntryPaths(payload.Source, payload.Properties) is { } paths && ParseJson(payload) is { } root)
        {
            entries = JsonEntriesAlone(payload, root, paths).Select(e => e.Alone);
        }
        else
        {
            return found;
        }

        foreach (var alone in entries)
        {
            try
            {
                found.UnionWith(adapter.Normalize(alone).Identities);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // An entry the adapter cannot read alone names no one.
            }
        }

        return found;
    }

    private static JsonNode? ParseJson(RawPayload payload)
    {
        try
        {
            return JsonNode.Parse(payload.Body.Span);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Each entry of a JSON payload, in order, with the envelope holding only that entry (every other entry array emptied).</summary>
    private static IEnumerable<(JsonNode? Entry, RawPayload Alone)> JsonEntriesAlone(RawPayload payload, JsonNode root, IReadOnlyList<string> paths)
    {
        var arrays = EntryArrays(root, paths);
        var skeleton = root.DeepClone();
        foreach (var array in EntryArrays(skeleton, paths))
        {
            array.Clear();
        }

        for (var a = 0; a < arrays.Count; a++)
        {
            foreach (var entry in arrays[a])
            {
                var alone = skeleton.DeepClone();
                EntryArrays(alone, paths)[a].Add(entry?.DeepClone());
                yield return (entry, payload with { Body = JsonSerializer.SerializeToUtf8Bytes(alone, Output) });
            }
        }
    }

    /// <summary>The XML document, read with DTDs prohibited as the adapter reads it; null when it is not XML.</summary>
    private static XDocument? LoadXml(RawPayload payload)
    {
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(payload.Body.ToArray(), writable: false), SalesforceOutboundMessage.SafeSettings());
            return XDocument.Load(reader, LoadOptions.PreserveWhitespace);
        }
        catch (XmlException)
        {
            return null;
        }
    }

    /// <summary>
    /// Each of <paramref name="entries"/> (the <paramref name="element"/>s of <paramref name="document"/>, in document order)
    /// alone in the document: the document without entries is built once, and each entry is put back where it stood among
    /// the other nodes while it is judged and taken out again (the work grows with the payload, not with its square).
    /// </summary>
    private static IEnumerable<RawPayload> XmlEntriesAlone(RawPayload payload, XDocument document, List<XElement> entries, XName element)
    {
        var withoutEntries = new XDocument(document);
        var copiedEntries = withoutEntries.Descendants(element).ToList();

        // Asked before the entries come out: once removed, a nested entry no longer has its outer one as an ancestor.
        var nested = copiedEntries.Select(e => e.Ancestors(element).Any()).ToArray();
        var places = RemoveAll(copiedEntries);
        for (var k = 0; k < entries.Count; k++)
        {
            // An entry inside another entry goes with the outer one when the others go: alone, it is the document without entries.
            var alone = nested[k] ? null : PutBack(entries[k], element, places[copiedEntries[k]]);
            try
            {
                yield return payload with { Body = Bytes(withoutEntries) };
            }
            finally
            {
                alone?.Remove();
            }
        }
    }

    /// <summary>Where a removed node stood: its container and the kept node it followed (null: it came first).</summary>
    private readonly record struct NodePlace(XContainer Container, XNode? After);

    /// <summary>
    /// Takes <paramref name="elements"/> out of their containers with one pass over each container's nodes (<see cref="XNode.Remove"/>
    /// walks the container's nodes to unlink one, so removing entries one by one grows with the square of their number), and
    /// says where each stood among the nodes kept.
    /// </summary>
    private static Dictionary<XElement, NodePlace> RemoveAll(List<XElement> elements)
    {
        var removed = elements.ToHashSet();
        var places = new Dictionary<XElement, NodePlace>(elements.Count);
        foreach (var container in elements.Select(e => (XContainer?)e.Parent ?? e.Document).OfType<XContainer>().Distinct().ToList())
        {
            var kept = new List<XNode>();
            foreach (var node in container.Nodes())
            {
                if (node is XElement e && removed.Contains(e))
                {
                    places[e] = new NodePlace(container, kept.Count == 0 ? null : kept[^1]);
                }
                else
                {
                    kept.Add(node);
                }
            }

            container.ReplaceNodes(kept);
        }

        return places;
    }

    /// <summary>A copy of <paramref name="entry"/>, without entries inside it, back at <paramref name="place"/>.</summary>
    private static XElement PutBack(XElement entry, XName element, NodePlace place)
    {
        var copy = new XElement(entry);
        RemoveAll(copy.Descendants(element).ToList());
        if (place.After is { } after)
        {
            after.AddAfterSelf(copy);
        }
        else
        {
            place.Container.AddFirst(copy);
        }

        return copy;
    }

    /// <summary>The plan when no entry or every entry is the person's; null when a copy is needed.</summary>
    private static RedactionPlan? Decided(bool[] owned)
    {
        var removed = owned.Count(o => o);
        return removed == 0 ? new RedactionPlan(RedactionKind.NoEntryOfThePerson, null, owned.Length, 0)
            : removed == owned.Length ? new RedactionPlan(RedactionKind.EveryEntryOfThePerson, null, owned.Length, removed)
            : null;
    }

    private static byte[] Bytes(XDocument document)
    {
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, new XmlWriterSettings { Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false) }))
        {
            document.Save(writer);
        }

        return stream.ToArray();
    }

    /// <summary>
    /// Every identity the payload names, as the adapter reads it and as stored (after <see cref="TouchpointBounds"/>), its
    /// rejections' included: the identities <see cref="Plan"/> can match entries by. Empty when no adapter reads the payload.
    /// </summary>
    public IReadOnlySet<Identity> IdentitiesIn(RawPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var found = new HashSet<Identity>();
        if (sources.Adapter(payload.Source) is not { } adapter)
        {
            return found;
        }

        NormalizationResult result;
        try
        {
            result = adapter.Normalize(payload);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return found;
        }

        // TouchpointBounds only drops identities (too many, too long), so the stored ones are among these.
        found.UnionWith(result.Identities);
        return found;
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
