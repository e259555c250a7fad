using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace JourneyHub.Core.Sources.Kit;

/// <summary>
/// A touchpoint's attributes, built once by the adapter and then handed to the touchpoint as they are (no copy). Keys are
/// ordinal and keep the order they were first set in, as a <see cref="Dictionary{TKey,TValue}"/> without removals does;
/// setting a key again replaces its value in place. Small sets (every adapter writes 2–10) are a flat array, which costs a
/// third of a dictionary; past <see cref="IndexFrom"/> entries (a custom source may send many) a key index is added.
/// </summary>
public sealed class AttributeDictionary : IReadOnlyDictionary<string, string>
{
    /// <summary>Entries from which lookups go through a dictionary instead of a scan.</summary>
    public const int IndexFrom = 16;

    /// <summary>No attributes; shared, never written to: the same instance a <see cref="Schema.Touchpoint"/> starts with.</summary>
    public static IReadOnlyDictionary<string, string> Empty => System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;

    private KeyValuePair<string, string>[] entries;
    private Dictionary<string, int>? index;

    public AttributeDictionary(int capacity = 8)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        entries = capacity == 0 ? [] : new KeyValuePair<string, string>[capacity];
    }

    public int Count { get; private set; }

    public IEnumerable<string> Keys => this.Select(e => e.Key);

    public IEnumerable<string> Values => this.Select(e => e.Value);

    public string this[string key]
    {
        get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No attribute '{key}'.");
        set => Set(key, value);
    }

    /// <summary>How many of <paramref name="values"/> <see cref="AddIfPresent"/> would set: with the keys always set, the capacity that needs no resize.</summary>
    public static int CountPresent(params ReadOnlySpan<string?> values)
    {
        var count = 0;
        foreach (var value in values)
        {
            count += string.IsNullOrEmpty(value) ? 0 : 1;
        }

        return count;
    }

    /// <summary>Sets <paramref name="key"/> unless <paramref name="value"/> is null or empty.</summary>
    public AttributeDictionary AddIfPresent(string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            Set(key, value);
        }

        return this;
    }

    /// <summary>Sets <paramref name="key"/>, replacing the value it had.</summary>
    public AttributeDictionary Set(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        var at = IndexOf(key);
        if (at >= 0)
        {
            entries[at] = new(key, value);
            return this;
        }

        if (Count == entries.Length)
        {
            Array.Resize(ref entries, Math.Max(4, entries.Length * 2));
        }

        entries[Count] = new(key, value);
        index?.Add(key, Count);
        Count++;
        if (index is null && Count == IndexFrom)
        {
            index = new Dictionary<string, int>(IndexFrom * 2, StringComparer.Ordinal);
            for (var i = 0; i < Count; i++)
            {
                index[entries[i].Key] = i;
            }
        }

        return this;
    }

    /// <summary>A separate set with the same entries, for facts of one record that differ in a few attributes.</summary>
    public AttributeDictionary Copy()
    {
        var copy = new AttributeDictionary(Math.Max(Count + 2, 4));
        for (var i = 0; i < Count; i++)
        {
            copy.Set(entries[i].Key, entries[i].Value);
        }

        return copy;
    }

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        var at = IndexOf(key);
        value = at >= 0 ? entries[at].Value : null;
        return at >= 0;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return entries[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string key)
    {
        if (index is not null)
        {
            return index.TryGetValue(key, out var at) ? at : -1;
        }

        for (var i = 0; i < Count; i++)
        {
            if (string.Equals(entries[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
