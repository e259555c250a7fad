using System.Collections.Frozen;
using System.Runtime.InteropServices;
using System.Xml;
using System.Xml.Linq;
using JourneyHub.Core.Sources.Kit;

namespace JourneyHub.Core.Sources.Salesforce;

/// <summary>
/// A parsed SOAP 1.1 Outbound Message: <c>Envelope/Body/notifications</c> (namespace
/// <c>http://soap.sforce.com/2005/09/outbound</c>) with the org and action ids and up to 100 <c>Notification</c>
/// elements, each an <c>Id</c> and one <c>sObject</c> whose <c>xsi:type</c> names the object type.
/// </summary>
public sealed record SalesforceOutboundMessage(string? OrganizationId, string? ActionId, IReadOnlyList<SalesforceNotification> Notifications)
{
    public static readonly XNamespace OutboundNs = "http://soap.sforce.com/2005/09/outbound";
    private static readonly XNamespace XsiNs = "http://www.w3.org/2001/XMLSchema-instance";

    /// <summary><see cref="SalesforceObjectTypes.Mapped"/>, looked up by the characters of an <c>xsi:type</c>.</summary>
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> MappedTypes =
        SalesforceObjectTypes.Mapped
            .ToFrozenSet(StringComparer.Ordinal)
            .GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>1 MiB of body can never need more characters than this.</summary>
    public const long MaxCharacters = 2L * 1024 * 1024;

    /// <summary>No DTDs (so no entity expansion), no external resolution, bounded size.</summary>
    public static XmlReaderSettings SafeSettings() => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = MaxCharacters,
        MaxCharactersFromEntities = 0,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CloseInput = true,
    };

    /// <summary>Reads only as far as the OrganizationId. Throws <see cref="XmlException"/> for XML that is not well-formed or has a DTD.</summary>
    public static string? ReadOrganizationId(ReadOnlyMemory<byte> body)
    {
        using var reader = XmlReader.Create(Stream(body), SafeSettings());
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "OrganizationId" && reader.NamespaceURI == OutboundNs.NamespaceName)
            {
                return reader.ReadElementContentAsString().Trim();
            }
        }

        return null;
    }

    /// <summary>
    /// One forward pass of an <see cref="XmlReader"/> over the body (no DOM, no copy of the bytes). The whole document is read,
    /// so XML that is not well-formed anywhere, or has a DTD, throws <see cref="XmlException"/> as a whole.
    /// </summary>
    public static SalesforceOutboundMessage Parse(ReadOnlyMemory<byte> body)
    {
        using var reader = XmlReader.Create(Stream(body), SafeSettings());
        var outbound = reader.NameTable.Add(OutboundNs.NamespaceName);
        var xsi = reader.NameTable.Add(XsiNs.NamespaceName);
        SalesforceOutboundMessage? message = null;
        while (reader.Read())
        {
            if (message is null && reader.NodeType == XmlNodeType.Element && (object)reader.NamespaceURI == outbound && reader.LocalName == "notifications")
            {
                message = ReadNotifications(reader, outbound, xsi);
            }
        }

        return message ?? throw new XmlException("Not a Salesforce Outbound Message: no notifications element in the SOAP body.");
    }

    /// <summary>The reader is on <c>notifications</c>; returns with it on the end of that element.</summary>
    private static SalesforceOutboundMessage ReadNotifications(XmlReader reader, string outbound, string xsi)
    {
        string? organizationId = null;
        string? actionId = null;
        var list = new List<SalesforceNotification>();
        if (reader.IsEmptyElement)
        {
            return new SalesforceOutboundMessage(null, null, list);
        }

        var depth = reader.Depth;
        while (reader.Read() && reader.Depth > depth)
        {
            if (reader.NodeType != XmlNodeType.Element || reader.Depth != depth + 1 || (object)reader.NamespaceURI != outbound)
            {
                continue;
            }

            switch (reader.LocalName)
            {
                case "OrganizationId":
                    organizationId ??= ReadValue(reader).Trim();
                    break;
                case "ActionId":
                    actionId ??= ReadValue(reader).Trim();
                    break;
                case "Notification":
                    list.Add(ReadNotification(reader, outbound, xsi));
                    break;
                default:
                    break;
            }
        }

        return new SalesforceOutboundMessage(organizationId, actionId, list);
    }

    private static SalesforceNotification ReadNotification(XmlReader reader, string outbound, string xsi)
    {
        string? id = null;
        string? type = null;
        var sObjectSeen = false;
        IReadOnlyDictionary<string, string>? fields = null;
        if (!reader.IsEmptyElement)
        {
            var depth = reader.Depth;
            while (reader.Read() && reader.Depth > depth)
            {
                if (reader.NodeType != XmlNodeType.Element || reader.Depth != depth + 1 || (object)reader.NamespaceURI != outbound)
                {
                    continue;
                }

                if (reader.LocalName == "Id" && id is null)
                {
                    id = ReadValue(reader).Trim();
                }
                else if (reader.LocalName == "sObject" && !sObjectSeen)
                {
                    sObjectSeen = true;
                    type = TypeName(reader.GetAttribute("type", xsi));
                    fields = ReadFields(reader, xsi);
                }
            }
        }

        return new SalesforceNotification(id, type, fields ?? AttributeDictionary.Empty);
    }

    /// <summary>
    /// The sObject's field elements by local name: non-nil, without child elements, and not blank. A flat
    /// <see cref="AttributeDictionary"/> rather than a hash table: a notification selects a handful of fields, read a few
    /// times each, and the hash buckets would cost more than the fields themselves.
    /// </summary>
    private static IReadOnlyDictionary<string, string> ReadFields(XmlReader reader, string xsi)
    {
        if (reader.IsEmptyElement)
        {
            return AttributeDictionary.Empty;
        }

        var fields = new AttributeDictionary();
        var depth = reader.Depth;
        while (reader.Read() && reader.Depth > depth)
        {
            if (reader.NodeType != XmlNodeType.Element || reader.Depth != depth + 1)
            {
                continue;
            }

            var name = reader.LocalName;
            // Most fields carry no attribute: asking for xsi:nil only then spares two name-table lookups per field.
            var nil = reader.HasAttributes && reader.GetAttribute("nil", xsi) == "true";
            var (value, hasElements) = ReadText(reader);
            if (!nil && !hasElements && value.Trim() is { Length: > 0 } trimmed)
            {
                fields.Set(name, trimmed);
            }
        }

        return fields;
    }

    private static string ReadValue(XmlReader reader) => ReadText(reader).Text;

    /// <summary>
    /// The text of the element the reader is on, all descendants' text joined as <see cref="XElement.Value"/> would, and
    /// whether it holds elements; leaves the reader on the element's end.
    /// </summary>
    private static (string Text, bool HasElements) ReadText(XmlReader reader)
    {
        if (reader.IsEmptyElement)
        {
            return ("", false);
        }

        var depth = reader.Depth;
        string? single = null;
        System.Text.StringBuilder? many = null;
        var hasElements = false;
        while (reader.Read() && reader.Depth > depth)
        {
            switch (reader.NodeType)
            {
                case XmlNodeType.Element:
                    hasElements = true;
                    break;
                case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.SignificantWhitespace or XmlNodeType.Whitespace:
                    if (single is null)
                    {
                        single = reader.Value;
                    }
                    else
                    {
                        (many ??= new System.Text.StringBuilder(single)).Append(reader.Value);
                    }

                    break;
                default:
                    break;
            }
        }

        return (many?.ToString() ?? single ?? "", hasElements);
    }

    private static MemoryStream Stream(ReadOnlyMemory<byte> body) =>
        MemoryMarshal.TryGetArray(body, out var segment) && segment.Array is not null
            ? new MemoryStream(segment.Array, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(body.ToArray(), writable: false);

    /// <summary><c>xsi:type="sf:Contact"</c> → <c>Contact</c>; the types the adapter maps are the same string every time.</summary>
    private static string? TypeName(string? type)
    {
        if (string.IsNullOrWhiteSpace(type))
        {
            return null;
        }

        var colon = type.IndexOf(':', StringComparison.Ordinal);
        var name = (colon < 0 ? type.AsSpan() : type.AsSpan(colon + 1)).Trim();
        return MappedTypes.TryGetValue(name, out var mapped) ? mapped : name.ToString();
    }
}

/// <summary>One Notification: its id (stable across Salesforce's retries) and the sObject's non-null fields by API name.</summary>
public sealed record SalesforceNotification(string? Id, string? ObjectType, IReadOnlyDictionary<string, string> Fields)
{
    public string? Field(string name) => Fields.TryGetValue(name, out var value) ? value : null;
}

/// <summary>The reply Salesforce needs to stop retrying a delivery.</summary>
public static class SalesforceAck
{
    public const string ContentType = "text/xml; charset=utf-8";

    public const string Xml =
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
         <soapenv:Body>
          <notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound">
           <Ack>true</Ack>
          </notificationsResponse>
         </soapenv:Body>
        </soapenv:Envelope>
        """;
}
