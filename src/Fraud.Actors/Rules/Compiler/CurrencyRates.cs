using System.Globalization;
using Fraud.Actors.Rules.Language;

namespace Fraud.Actors.Rules.Compiler;

/// <summary>
/// How much one unit of each currency is worth in the reference currency (<c>amount_ref</c>). The file reads
/// <c>reference USD</c> and then one <c>CODE RATE</c> a line; <c>#</c> starts a comment. A currency without a rate has
/// no reference amount, so a comparison with it is false rather than a guess.
/// </summary>
internal sealed class CurrencyRates
{
    private readonly Dictionary<string, decimal> _rates;

    private CurrencyRates(string reference, Dictionary<string, decimal> rates)
    {
        Reference = reference;
        _rates = rates;
    }

    public string Reference { get; }

    public int Count => _rates.Count;

    public decimal? ToReference(decimal amount, string? currency) =>
        currency is not null && _rates.TryGetValue(currency, out var rate) ? Arithmetic.Apply("*", amount, rate) is { } v ? decimal.Round(v, 2) : null : null;

    public static CurrencyRates Parse(string text, string file)
    {
        string? reference = null;
        var rates = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n];
            var hash = line.IndexOf('#');
            var content = (hash >= 0 ? line[..hash] : line).Trim();
            if (content.Length == 0)
            {
                continue;
            }

            var parts = content.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[0] == "reference" && IsCode(parts[1]))
            {
                reference = parts[1];
                rates[reference] = 1;
                continue;
            }

            if (parts.Length != 2 || !IsCode(parts[0])
                || !decimal.TryParse(parts[1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var rate) || rate <= 0)
            {
                throw new RuleSyntaxException(file, n + 1, 1, $"expected 'reference CODE' or 'CODE RATE' (three capital letters, a positive number), found '{content}'");
            }

            if (!rates.TryAdd(parts[0], rate))
            {
                throw new RuleSyntaxException(file, n + 1, 1, $"a rate for {parts[0]} is already given above");
            }
        }

        return reference is null
            ? throw new RuleSyntaxException(file, 1, 1, "expected a line 'reference CODE' naming the reference currency")
            : new CurrencyRates(reference, rates);
    }

    private static bool IsCode(string s) => s.Length == 3 && s.All(char.IsAsciiLetterUpper);
}
