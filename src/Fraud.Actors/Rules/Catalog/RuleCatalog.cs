using System.Collections.Immutable;
using Fraud.Actors.Rules.Compiler;
using Fraud.Actors.Rules.Language;
using Fraud.Actors.State;

namespace Fraud.Actors.Rules.Catalog;

/// <summary>
/// The rule and list topics folded: each key's latest value (a null value deletes it), the rules in the order their
/// ids first appeared, at the <see cref="Version"/> read so far. Immutable: a reader folds records into a new catalog,
/// compiles it off the scoring path and swaps the result in; a catalog that does not compile leaves the last good one
/// running. Everything about a record's content is checked when compiling, so a damaged record fails the version it
/// is in, never the reader.
/// </summary>
public sealed class RuleCatalog
{
    public const string RulesPath = "fraud.rules";

    private readonly ImmutableDictionary<string, (byte[] Value, long Order)> _rules;
    private readonly ImmutableSortedDictionary<string, byte[]> _lists;

    private RuleCatalog(ImmutableDictionary<string, (byte[] Value, long Order)> rules, ImmutableSortedDictionary<string, byte[]> lists, RuleSetVersion version)
    {
        _rules = rules;
        _lists = lists;
        Version = version;
    }

    public static RuleCatalog Empty { get; } = new(
        ImmutableDictionary.Create<string, (byte[], long)>(StringComparer.Ordinal), ImmutableSortedDictionary.Create<string, byte[]>(StringComparer.Ordinal), default);

    public RuleSetVersion Version { get; }

    public int RuleCount => _rules.Count;

    /// <summary>The catalog after the rule topic's record (<paramref name="value"/> null deletes), read up to <paramref name="rulesPosition"/>.</summary>
    public RuleCatalog WithRule(string id, byte[]? value, long rulesPosition)
    {
        var rules = value is null ? _rules.Remove(id)
            : _rules.SetItem(id, (value, _rules.TryGetValue(id, out var known) ? known.Order : rulesPosition));
        return new RuleCatalog(rules, _lists, Version with { Rules = rulesPosition });
    }

    /// <summary>The catalog after the list topic's record, read up to <paramref name="listsPosition"/>.</summary>
    public RuleCatalog WithList(string key, byte[]? value, long listsPosition) =>
        new(_rules, value is null ? _lists.Remove(key) : _lists.SetItem(key, value), Version with { Lists = listsPosition });

    /// <summary>These rules with <paramref name="other"/>'s lists, at the version the two make together.</summary>
    public RuleCatalog WithListsOf(RuleCatalog other) => new(_rules, other._lists, Version with { Lists = other.Version.Lists });

    /// <summary>The rules, in the order their ids first appeared: each one's record, or why it cannot be read.</summary>
    public IEnumerable<(string Id, RuleRecord? Record, string? Problem)> Rules() =>
        _rules.OrderBy(r => r.Value.Order).ThenBy(r => r.Key, StringComparer.Ordinal)
            .Select(r => (r.Key, RuleRecord.Parse(r.Value.Value, out var problem), problem));

    public RuleRecord? Rule(string id) => _rules.TryGetValue(id, out var entry) ? RuleRecord.Parse(entry.Value, out _) : null;

    // Read from the records once per catalog (a catalog never changes): compiling and the next expiry both read them.
    private IReadOnlyDictionary<string, CatalogList>? _listView;

    /// <summary>The lists by name: each one's declaration (null when its record cannot be read) and its items.</summary>
    public IReadOnlyDictionary<string, CatalogList> Lists() => _listView ??= ReadLists();

    private SortedDictionary<string, CatalogList> ReadLists()
    {
        var lists = new SortedDictionary<string, CatalogList>(StringComparer.Ordinal);
        foreach (var (key, value) in _lists)
        {
            var (name, item) = ListRecords.Split(key);
            if (!lists.TryGetValue(name, out var list))
            {
                lists[name] = list = new CatalogList(name);
            }

            if (item is null)
            {
                list.Declaration = ListDeclaration.Parse(value, out var problem);
                list.Problem ??= problem;
            }
            else if (ListItem.Parse(value, out var problem) is { } parsed)
            {
                list.Add(item, parsed);
            }
            else
            {
                list.Problem ??= $"item '{item}': {problem}";
            }
        }

        return lists;
    }

    /// <summary>
    /// The rules compiled with the lists' items that hold at <paramref name="now"/> and the currency rates in
    /// <paramref name="ratesDirectory"/> (its <c>rates.txt</c>, as next to a rule file); a mistake anywhere is a
    /// <see cref="RuleSyntaxException"/> naming the rule (<c>fraud.rules/ID:line:column: …</c>).
    /// </summary>
    /// <param name="previous">The rules these replace on this node, whose history is what the new ones find: a field
    /// they are the first to read of earlier transactions is kept from a second after <paramref name="now"/>.</param>
    public CompiledRules Compile(string? ratesDirectory, TimeSpan maxWindow, DateTimeOffset now, CompiledRules? previous = null)
    {
        var rates = ratesDirectory is null ? null : RulePack.RatesIn(ratesDirectory);
        var lists = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (var (name, list) in Lists())
        {
            if (list.Declaration is null)
            {
                // A list without its declaration is one whose items outlived it, or whose record is damaged: no rule may read it.
                continue;
            }

            lists[name] = list.Items.Where(i => i.Value.HoldsAt(now)).Select(i => ListRecords.Normalize(list.Declaration.Type, i.Key)).ToHashSet(StringComparer.Ordinal);
        }

        var environment = new RuleEnvironment(lists, rates, maxWindow)
        {
            ListsWhere = "the list topic",
            PreviousFields = previous?.FieldHistory,
            // A second on: records scored under the previous rules until every partition takes these kept the old slots.
            FieldsKeptFrom = (now + TimeSpan.FromSeconds(1)).UtcTicks,
        };
        var definitions = new List<(string Path, RuleDefinition Definition)>();
        foreach (var (id, record, problem) in Rules())
        {
            var path = RulesPath + "/" + id;
            if (record is null)
            {
                throw new RuleSyntaxException(path, 1, 1, problem!);
            }

            var parsed = RuleParser.Parse(record.Text, path);
            if (parsed.Rules is not [var only] || only.Id != id)
            {
                throw new RuleSyntaxException(path, 1, 1, $"a record of the rule topic holds one rule, whose id is its key '{id}'");
            }

            definitions.Add((path, only with { Mode = record.Mode, Version = record.Version }));
        }

        CompiledRules compiled;
        try
        {
            compiled = RuleCompiler.Compile(new RuleFile(RulesPath, definitions.Select(d => d.Definition).ToList()), environment);
        }
        catch (RuleSyntaxException)
        {
            // The rules' lines are each their own text's: compiled alone, the one at fault says where in it.
            foreach (var (path, definition) in definitions)
            {
                RuleCompiler.Compile(new RuleFile(path, [definition]), environment);
            }

            throw;
        }

        compiled.Version = Version;
        // Rules change while the history is kept: the texts any rule may read are kept from the start.
        compiled.Kept |= HistoryFields.Category | HistoryFields.Target | HistoryFields.Device;
        return compiled;
    }

    /// <summary>The earliest expiry after <paramref name="now"/> among the lists' items: when the rules must be compiled again.</summary>
    public DateTimeOffset? NextExpiry(DateTimeOffset now) =>
        Lists().Values.SelectMany(l => l.Items.Values).Select(i => i.Expires).Where(e => e > now).Min();
}

/// <summary>A list as the catalog holds it.</summary>
public sealed class CatalogList(string name)
{
    public string Name { get; } = name;

    public ListDeclaration? Declaration { get; internal set; }

    private readonly SortedDictionary<string, ListItem> _items = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, ListItem> Items => _items;

    internal void Add(string item, ListItem value) => _items[item] = value;

    /// <summary>Why a record of the list cannot be read, if one cannot.</summary>
    public string? Problem { get; internal set; }
}
