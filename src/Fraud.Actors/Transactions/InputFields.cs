using System.Text;
using System.Text.Json;

namespace Fraud.Actors.Transactions;

/// <summary>
/// The input fields beyond the known ones that the loaded rules read (<c>field("name")</c>): the parser keeps their
/// values, in this order, in <see cref="Transaction.Fields"/>, and skips every other unknown field as before.
/// </summary>
public sealed class InputFields
{
    private readonly byte[][] _utf8;

    public InputFields(IReadOnlyList<string> names)
    {
        Names = names.ToArray();
        _utf8 = Names.Select(Encoding.UTF8.GetBytes).ToArray();
    }

    public IReadOnlyList<string> Names { get; }

    public int Count => _utf8.Length;

    /// <summary>The position of the property name under <paramref name="reader"/>, or -1 when the rules do not read it.</summary>
    public int IndexOf(string name)
    {
        for (var k = 0; k < Names.Count; k++)
        {
            if (Names[k] == name) return k;
        }

        return -1;
    }

    internal int IndexOf(ref Utf8JsonReader reader)
    {
        for (var k = 0; k < _utf8.Length; k++)
        {
            if (reader.ValueTextEquals(_utf8[k])) return k;
        }

        return -1;
    }
}

/// <summary>
/// One named input field's value: its text (a string as written, a number or a boolean as its JSON text) and its number
/// (a JSON number, or a string that reads as one). Both are null when the field is absent, null, an object or an array.
/// </summary>
public readonly record struct InputValue(string? Text, decimal? Number);
