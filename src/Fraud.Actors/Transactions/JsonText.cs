using System.Text.Json;

namespace Fraud.Actors.Transactions;

/// <summary>
/// Checks JSON text beyond what <see cref="Utf8JsonReader"/> does: an escaped surrogate must come in a pair
/// (<c>\ud83d\ude00</c>), or the text decodes to no valid Unicode. A reader that trips on one downstream, or that turns
/// it into a replacement character, would read another value than we scored.
/// </summary>
internal static class JsonText
{
    /// <summary>Whether the current token (a string or a property name; anything else passes) holds only paired escapes.</summary>
    public static bool IsValid(ref Utf8JsonReader reader) =>
        reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName)
        || !reader.ValueIsEscaped
        || (reader.HasValueSequence ? !HasLoneSurrogate(System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence)) : !HasLoneSurrogate(reader.ValueSpan));

    /// <summary>
    /// Skips the current value (a container with everything in it), checking every string and name on the way; false
    /// at the first invalid one (the reader is then left inside the value).
    /// </summary>
    public static bool SkipChecked(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return IsValid(ref reader);
        }

        var depth = reader.CurrentDepth;
        while (reader.Read() && reader.CurrentDepth > depth)
        {
            if (!IsValid(ref reader))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether raw (still escaped) JSON string bytes hold a <c>\u</c> surrogate escape without its pair.</summary>
    public static bool HasLoneSurrogate(ReadOnlySpan<byte> raw)
    {
        var i = raw.IndexOf((byte)'\\');
        while (i >= 0 && i < raw.Length - 1)
        {
            if (raw[i + 1] != (byte)'u')
            {
                i = Next(raw, i + 2);
                continue;
            }

            var unit = Hex4(raw, i + 2);
            if (unit is >= 0xDC00 and <= 0xDFFF)
            {
                return true; // a low surrogate with no high one before it
            }

            if (unit is >= 0xD800 and <= 0xDBFF)
            {
                var low = i + 6 < raw.Length - 1 && raw[i + 6] == (byte)'\\' && raw[i + 7] == (byte)'u' ? Hex4(raw, i + 8) : -1;
                if (low is < 0xDC00 or > 0xDFFF)
                {
                    return true;
                }

                i = Next(raw, i + 12);
                continue;
            }

            i = Next(raw, i + 6);
        }

        return false;
    }

    private static int Next(ReadOnlySpan<byte> raw, int from)
    {
        if (from >= raw.Length)
        {
            return -1;
        }

        var at = raw[from..].IndexOf((byte)'\\');
        return at < 0 ? -1 : from + at;
    }

    // The reader has already checked that every \u has four hex digits; -1 if not (then it is not a surrogate either).
    private static int Hex4(ReadOnlySpan<byte> raw, int at)
    {
        if (at + 4 > raw.Length)
        {
            return -1;
        }

        var value = 0;
        for (var k = 0; k < 4; k++)
        {
            var c = raw[at + k];
            var digit = c is >= (byte)'0' and <= (byte)'9' ? c - '0'
                : c is >= (byte)'a' and <= (byte)'f' ? c - 'a' + 10
                : c is >= (byte)'A' and <= (byte)'F' ? c - 'A' + 10
                : -1;
            if (digit < 0)
            {
                return -1;
            }

            value = value * 16 + digit;
        }

        return value;
    }
}
