using Fraud.Actors.Rules.Compiler;
using Fraud.Actors.Rules.Language;

namespace Fraud.Actors.Rules.Catalog;

/// <summary>
/// A rule file as records of the rule and list topics: each rule its own record (its text as written, its mode and
/// version from its options), each <c>NAME.list</c> next to the file a list (typed by what the rules compare it with)
/// and its items. What seeds an empty rule topic, and what <c>fraud rules apply FILE</c> writes.
/// </summary>
public static class CatalogSeed
{
    public sealed record Records(IReadOnlyList<(string Id, RuleRecord Rule)> Rules, IReadOnlyList<(string Key, byte[] Value)> Lists);

    /// <summary>The records of <paramref name="path"/>, which must compile as a rule file (a mistake throws its one line).</summary>
    public static Records Of(string path, string? by, DateTimeOffset at)
    {
        var pack = RulePack.Load(path); // the file compiles with its lists and rates, or this throws its one line
        var text = File.ReadAllText(path).Replace("\r\n", "\n").Split('\n');
        var definitions = pack.Definitions;
        var rules = new List<(string, RuleRecord)>();
        for (var k = 0; k < definitions.Count; k++)
        {
            var (from, to) = (definitions[k].Line - 1, k + 1 < definitions.Count ? definitions[k + 1].Line - 1 : text.Length);
            var lines = text[from..to].Select(l => l.TrimEnd()).ToList();
            while (lines.Count > 0 && (lines[^1].Length == 0 || lines[^1].TrimStart().StartsWith('#')))
            {
                lines.RemoveAt(lines.Count - 1); // the comments above the next rule are that rule's
            }

            var own = string.Join('\n', lines);
            if (RuleParser.Parse(own, path).Rules is not [{ } alone] || alone.Id != definitions[k].Id)
            {
                throw new RuleSyntaxException(path, definitions[k].Line, 1, $"rule '{definitions[k].Id}' shares a line with another: each rule becomes a record of its own, so it needs lines of its own");
            }

            rules.Add((definitions[k].Id, new RuleRecord(own, definitions[k].Mode, definitions[k].Version, by, at)));
        }

        var lists = new List<(string, byte[])>();
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        foreach (var (name, type) in ListsRead(definitions))
        {
            var file = Path.Combine(directory, name + RuleEnvironment.ListExtension);
            lists.Add((ListRecords.Key(name), new ListDeclaration(type, $"from {Path.GetFileName(file)}", by, at).ToJson()));
            foreach (var item in RulePack.ParseList(File.ReadAllText(file)))
            {
                lists.Add((ListRecords.Key(name, ListRecords.Normalize(type, item)), new ListItem(null, null, by, at).ToJson()));
            }
        }

        return new Records(rules, lists);
    }

    /// <summary>Each list the rules name, typed by the first attribute compared with it (<c>source in @x</c>: accounts).</summary>
    private static IEnumerable<(string Name, ListItemType Type)> ListsRead(IEnumerable<RuleDefinition> rules)
    {
        var seen = new Dictionary<string, ListItemType>(StringComparer.Ordinal);
        foreach (var list in rules.SelectMany(r => RulePack.Walk(r.Condition)).OfType<InList>())
        {
            if (!seen.ContainsKey(list.List))
            {
                seen[list.List] = list.Value is Language.Attribute { InputField: false } a ? a.Name switch
                {
                    "source" => ListItemType.Account,
                    "target" => ListItemType.Target,
                    "device" => ListItemType.Device,
                    "country" => ListItemType.Country,
                    "category" => ListItemType.Category,
                    _ => ListItemType.String,
                } : ListItemType.String;
            }
        }

        return seen.Select(s => (s.Key, s.Value));
    }
}
