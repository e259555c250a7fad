using System.Buffers;
using System.Text.Json;

namespace JourneyHub.Core.Sources.Kit;

/// <summary>Reads one item of a JSON array by hand; false when the item is not what the reader takes.</summary>
public delegate bool JsonItemReader<T>(ref Utf8JsonReader reader, out T item);

/// <summary>
/// The arrays of the adapters' hand readers: a JSON array (or null) read item by item into a pooled buffer and copied once
/// into an array of exactly their number, where the serializer reads into a growing list and then copies that.
/// </summary>
public static class JsonArrayReader
{
    /// <param name="reader">At the array's <see cref="JsonTokenType.StartArray"/> (or a null); left at its end.</param>
    /// <returns>False when the value is neither an array nor null, or an item is not what <paramref name="readItem"/> takes.</returns>
    public static bool TryRead<T>(ref Utf8JsonReader reader, JsonItemReader<T> readItem, out T[]? items)
    {
        ArgumentNullException.ThrowIfNull(readItem);
        items = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        var buffer = ArrayPool<T>.Shared.Rent(16);
        var count = 0;
        try
        {
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (!readItem(ref reader, out var item))
                {
                    return false;
                }

                if (count == buffer.Length)
                {
                    var larger = ArrayPool<T>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, count).CopyTo(larger);
                    Return(buffer, count);
                    buffer = larger;
                }

                buffer[count++] = item;
            }

            if (reader.TokenType != JsonTokenType.EndArray)
            {
                return false;
            }

            items = count == 0 ? [] : buffer.AsSpan(0, count).ToArray();
            return true;
        }
        finally
        {
            Return(buffer, count);
        }
    }

    /// <summary>Gives a buffer back without the items it held, so the pool keeps no touchpoint's data alive.</summary>
    private static void Return<T>(T[] buffer, int count)
    {
        buffer.AsSpan(0, count).Clear();
        ArrayPool<T>.Shared.Return(buffer);
    }
}
