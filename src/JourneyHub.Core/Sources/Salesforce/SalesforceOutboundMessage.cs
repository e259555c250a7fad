using System.Xml;
using System.Xml.Linq;

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
        using var reader = XmlReader.Create(new MemoryStream(body.ToArray(), writable: false), SafeSettings());
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "OrganizationId" && reader.NamespaceURI == OutboundNs.NamespaceName)
            {
                return reader.ReadElementContentAsString().Trim();
            }
        }

        return null;
    }

    /// <summary>Throws <see cref="XmlException"/> for XML that is not well-formed or has a DTD.</summary>
    public static SalesforceOutboundMessage Parse(ReadOnlyMemory<byte> body)
    {
        XDocument document;
        using (var reader = XmlReader.Create(new MemoryStream(body.ToArray(), writable: false), SafeSettings()))
        {
            document = XDocument.Load(reader, LoadOptions.None);
        }

        var notifications = document.Descendants(OutboundNs + "notifications").FirstOrDefault()
            ?? throw new XmlException("Not a Salesforce Outbound Message: no notifications element in the SOAP body.");

        var list = new List<SalesforceNotification>();
        foreach (var notification in notifications.Elements(OutboundNs + "Notification"))
        {
            var id = notification.Element(OutboundNs + "Id")?.Value.Trim();
            var sObject = notification.Element(OutboundNs + "sObject");
            string? type = null;
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            if (sObject is not null)
            {
                type = TypeName(sObject);
                foreach (var field in sObject.Elements())
                {
                    if ((string?)field.Attribute(XsiNs + "nil") == "true" || field.HasElements)
                    {
                        continue;
                    }

                    var value = field.Value.Trim();
                    if (value.Length > 0)
                    {
                        fields[field.Name.LocalName] = value;
                    }
                }
            }

            list.Add(new SalesforceNotification(id, type, fields));
        }

        return new SalesforceOutboundMessage(
            notifications.Element(OutboundNs + "OrganizationId")?.Value.Trim(),
            notifications.Element(OutboundNs + "ActionId")?.Value.Trim(),
            list);
    }

    /// <summary><c>xsi:type="sf:Contact"</c> → <c>Contact</c>.</summary>
    private static string? TypeName(XElement sObject)
    {
        var type = (string?)sObject.Attribute(XsiNs + "type");
        if (string.IsNullOrWhiteSpace(type))
        {
            return null;
        }

        var colon = type.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? type.Trim() : type[(colon + 1)..].Trim();
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
