using System.Text;

namespace JourneyHub.Core.Timeline;

/// <summary>Opaque paging cursor: the last row key served, base64url so callers do not build their own.</summary>
public static class Cursor
{
    public static string Encode(string rowKey) => Convert.ToBase64String(Encoding.UTF8.GetBytes(rowKey)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Decode(string cursor)
    {
        var base64 = cursor.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        try
        {
            var rowKey = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
            return rowKey.Length is > 20 and < 200 && char.IsAsciiDigit(rowKey[0]) ? rowKey : throw new FormatException("cursor is not one this API issued");
        }
        catch (FormatException ex)
        {
            throw new FormatException("cursor is not one this API issued", ex);
        }
    }
}
