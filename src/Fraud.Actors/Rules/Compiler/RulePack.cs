using Fraud.Actors.Rules.Language;

namespace Fraud.Actors.Rules.Compiler;

/// <summary>
/// Loads a rule file from disk with what sits next to it: the lists it names (<c>NAME.list</c>, one value a line,
/// <c>#</c> comments) and the currency rates (<c>rates.txt</c>) when it reads <c>amount_ref</c>.
/// </summary>
public static class RulePack
{
    public static CompiledRules Load(string path, TimeSpan? maxWindow = null)
    {
        var text = ReadOrRefuse(path);
        var file = RuleParser.Parse(text, path);
        return Compile(file, Path.GetDirectoryName(Path.GetFullPath(path))!, maxWindow ?? RuleEnvironment.DefaultMaxWindow);
    }

    internal static CompiledRules Compile(RuleFile file, string directory, TimeSpan maxWindow)
    {
        var lists = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (var name in ListsNamed(file))
        {
            var listPath = Path.Combine(directory, name + RuleEnvironment.ListExtension);
            if (File.Exists(listPath))
            {
                lists[name] = ParseList(File.ReadAllText(listPath));
            }
        }

        return RuleCompiler.Compile(file, new RuleEnvironment(lists, RatesIn(directory), maxWindow));
    }

    /// <summary>The currency rates in <paramref name="directory"/>'s <c>rates.txt</c>; null when it has none.</summary>
    internal static CurrencyRates? RatesIn(string directory)
    {
        var ratesPath = Path.Combine(directory, RuleEnvironment.RatesFileName);
        return File.Exists(ratesPath) ? CurrencyRates.Parse(File.ReadAllText(ratesPath), ratesPath) : null;
    }

    /// <summary>A list's members: each line trimmed, blank lines and <c>#</c> comments skipped.</summary>
    public static IReadOnlySet<string> ParseList(string text) =>
        text.Split('\n')
            .Select(line => (line.IndexOf('#') is var hash and >= 0 ? line[..hash] : line).Trim())
            .Where(line => line.Length > 0)
            .ToHashSet(StringComparer.Ordinal);

    private static string ReadOrRefuse(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RuleSyntaxException(path, 1, 1, $"cannot read the rule file: {e.Message}");
        }
    }

    private static IEnumerable<string> ListsNamed(RuleFile file) =>
        file.Rules.SelectMany(r => Walk(r.Condition)).OfType<InList>().Select(l => l.List).Distinct(StringComparer.Ordinal);

    internal static IEnumerable<Expr> Walk(Expr expr)
    {
        yield return expr;
        var children = expr switch
        {
            Unary u => [u.Operand],
            Binary b => [b.Left, b.Right],
            InSet s => s.Items.Prepend(s.Value),
            InRange r => [r.Value, r.Low, r.High],
            InList l => [l.Value],
            Call c => c.Filter is null ? c.Arguments : c.Arguments.Append(c.Filter),
            _ => Enumerable.Empty<Expr>(),
        };
        foreach (var child in children.SelectMany(Walk))
        {
            yield return child;
        }
    }
}
