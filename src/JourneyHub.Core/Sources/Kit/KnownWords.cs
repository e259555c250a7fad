using System.Text;
using System.Text.Json;

namespace JourneyHub.Core.Sources.Kit;

/// <summary>
/// The few words a wire property nearly always holds (an event name, an item or verb), read from JSON as one shared string
/// each instead of a new string per event. Any other string is read as <see cref="Utf8JsonReader.GetString"/> reads it.
/// </summary>
public sealed class KnownWords
{
    private readonly (byte[] Utf8, string Text)[] words;

    public KnownWords(params string[] words)
    {
        ArgumentNullException.ThrowIfNull(words);
        this.words = [.. words.Select(w => (Encoding.UTF8.GetBytes(w), w))];
    }

    /// <summary>The string at the reader (a <see cref="JsonTokenType.String"/> token): the shared instance when it is a known word.</summary>
    public string Read(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            var value = reader.ValueSpan;
            foreach (var (utf8, text) in words)
            {
                if (value.SequenceEqual(utf8))
                {
                    return text;
                }
            }
        }

        return reader.GetString()!;
    }
}
