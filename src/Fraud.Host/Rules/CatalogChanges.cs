using System.Globalization;
using Fraud.Actors.Rules;
using Fraud.Actors.Rules.Catalog;
using Fraud.Actors.Rules.Language;
using Fraud.Host.Topics;
using Fraud.Host.Configuration;
using Fraud.Host.Hosting;
using Fraud.Kafka.Settings;

namespace Fraud.Host.Rules;

/// <summary>
/// Changes to the rule and list topics as a writer makes them (the CLI, the admin API): read the catalog whole, make the
/// change on a copy, compile the copy as every node will, and write the records only when it compiles. Each change
/// says what it changed and the rule-set version it made. Writers never touch a node's state: nodes follow the topics.
/// </summary>
public sealed class CatalogChanges(KafkaSettings kafka, FraudSettings settings, string? by)
{
    private readonly string _by = string.IsNullOrWhiteSpace(by) ? Environment.UserName : by;

    /// <summary>The rule-set version the last change made (null until one is written).</summary>
    public RuleSetVersion? Written { get; private set; }

    public RuleCatalog Read()
    {
        using var consumer = new CatalogConsumer(kafka, settings.Topics.Rules, settings.Topics.Lists);
        if (!consumer.ReadToEnd(TimeSpan.FromSeconds(30)))
        {
            throw new StartupException($"could not read {settings.Topics.Rules} and {settings.Topics.Lists} to their end within 30 s");
        }

        return consumer.Catalog;
    }

    /// <summary>The rules in <paramref name="file"/> added, or changed where their text or mode differs (each one version up).</summary>
    public IReadOnlyList<string> Apply(string file)
    {
        CatalogSeed.Records records;
        try
        {
            records = CatalogSeed.Of(file, _by, DateTimeOffset.UtcNow);
        }
        catch (RuleSyntaxException e)
        {
            throw new CatalogRefusal(e.Message);
        }

        var catalog = Read();
        var writes = new List<(string, string, byte[]?)>();
        var said = new List<string>();
        foreach (var (id, rule) in records.Rules)
        {
            var known = catalog.Rule(id);
            if (known is not null && known.Text == rule.Text && known.Mode == rule.Mode)
            {
                continue;
            }

            var record = rule with { Version = (known?.Version ?? 0) + 1 };
            writes.Add((settings.Topics.Rules, id, record.ToJson()));
            said.Add($"rule {id}: {(known is null ? "added" : "changed")}, version {record.Version}, {RuleRecord.ModeText(record.Mode)}");
        }

        return Write(catalog, writes, said.Count == 0 ? ["no rule changed"] : said);
    }

    public IReadOnlyList<string> Delete(string id)
    {
        var catalog = Read();
        _ = catalog.Rule(id) ?? throw CatalogRefusal.NoRule(id, settings.Topics.Rules);
        return Write(catalog, [(settings.Topics.Rules, id, null)], [$"rule {id}: deleted"]);
    }

    /// <summary>A rule's mode changed (<c>promote</c>: shadow to active), one version up.</summary>
    public IReadOnlyList<string> SetMode(string id, RuleMode mode)
    {
        var catalog = Read();
        var known = catalog.Rule(id) ?? throw CatalogRefusal.NoRule(id, settings.Topics.Rules);
        if (known.Mode == mode)
        {
            return [$"rule {id}: already {RuleRecord.ModeText(mode)}, version {known.Version}"];
        }

        var record = known with { Mode = mode, Version = known.Version + 1, By = _by, At = DateTimeOffset.UtcNow };
        return Write(catalog, [(settings.Topics.Rules, id, record.ToJson())],
            [$"rule {id}: {RuleRecord.ModeText(known.Mode)} -> {RuleRecord.ModeText(mode)}, version {record.Version}"]);
    }

    /// <summary>
    /// One rule from its text (the admin API): added, or changed a version up where its text or mode differs. With
    /// <paramref name="expected"/> (the version the writer edited, 0 for a new rule), refused when the rule has moved on.
    /// </summary>
    public IReadOnlyList<string> Put(string id, string text, RuleMode? mode, int? expected = null)
    {
        var catalog = Read();
        var known = catalog.Rule(id);
        if (expected is { } edited && edited != (known?.Version ?? 0))
        {
            throw new CatalogRefusal(known is null ? $"rule {id} is no longer there: it was deleted since version {edited}"
                : $"rule {id} is at version {known.Version} now, not {edited}: someone changed it meanwhile; reload it", kind: CatalogRefusal.Kinds.Conflict);
        }

        var record = Record(id, text, mode, known?.Mode) with { By = _by };
        if (known is not null && known.Text == record.Text && known.Mode == record.Mode)
        {
            return [$"rule {id}: unchanged, version {known.Version}"];
        }

        record = record with { Version = (known?.Version ?? 0) + 1 };
        return Write(catalog, [(settings.Topics.Rules, id, record.ToJson())],
            [$"rule {id}: {(known is null ? "added" : "changed")}, version {record.Version}, {RuleRecord.ModeText(record.Mode)}"]);
    }

    /// <summary>
    /// Whether <paramref name="catalog"/> would still compile with rule <paramref name="id"/> as <paramref name="text"/>
    /// (the editor's check as one types, against the node's own copy): null, or the mistake with its place in the text.
    /// </summary>
    public static RuleSyntaxException? Check(RuleCatalog catalog, string id, string text, FraudSettings settings)
    {
        try
        {
            var record = Record(id, text, null, catalog.Rule(id)?.Mode);
            catalog.WithRule(id, record.ToJson(), catalog.Version.Rules + 1).Compile(RuleFiles.RatesDirectory(settings.Rules), settings.Rules.MaxWindow, DateTimeOffset.UtcNow);
            return null;
        }
        catch (CatalogRefusal e) when (e.InnerException is RuleSyntaxException syntax)
        {
            return syntax;
        }
        catch (RuleSyntaxException e)
        {
            return e;
        }
    }

    // A rule's text as its record holds it: one rule, whose id is the key it is written under.
    private static RuleRecord Record(string id, string text, RuleMode? mode, RuleMode? keptMode)
    {
        var path = RuleCatalog.RulesPath + "/" + id;
        text = text.Replace("\r\n", "\n").Trim();
        RuleFile parsed;
        try
        {
            parsed = RuleParser.Parse(text, path);
        }
        catch (RuleSyntaxException e)
        {
            throw new CatalogRefusal($"refused, nothing written: {e.Message}", e);
        }

        if (parsed.Rules is not [var only])
        {
            throw new CatalogRefusal($"{path}: a rule's text holds one rule, not {parsed.Rules.Count}", new RuleSyntaxException(path, 1, 1, $"the text holds {parsed.Rules.Count} rules, not one"));
        }

        if (only.Id != id)
        {
            throw new CatalogRefusal($"{path}: the text's rule is '{only.Id}', not '{id}'", new RuleSyntaxException(path, only.Line, 1, $"the text's rule is '{only.Id}', not '{id}'"));
        }

        return new RuleRecord(text, mode ?? (only.Mode != RuleMode.Active ? only.Mode : keptMode ?? RuleMode.Active), 1, null, DateTimeOffset.UtcNow);
    }

    /// <summary>Items added to a list (made, of <paramref name="type"/>, when it does not exist yet).</summary>
    public IReadOnlyList<string> AddItems(string list, IReadOnlyList<string> items, ListItemType? type, DateTimeOffset? expires, string? reason)
    {
        if (!ListRecords.IsName(list))
        {
            throw new CatalogRefusal($"a list's name is letters, digits, '_' and '-', starting with a letter, not '{list}'");
        }

        var catalog = Read();
        var writes = new List<(string, string, byte[]?)>();
        var said = new List<string>();
        var declaration = catalog.Lists().GetValueOrDefault(list)?.Declaration;
        if (declaration is null)
        {
            declaration = new ListDeclaration(type ?? ListItemType.String, null, _by, DateTimeOffset.UtcNow);
            writes.Add((settings.Topics.Lists, ListRecords.Key(list), declaration.ToJson()));
            said.Add($"list {list}: made, of {ListRecords.TypeText(declaration.Type)} items");
        }
        else if (type is { } asked && asked != declaration.Type)
        {
            throw new CatalogRefusal($"list {list} holds {ListRecords.TypeText(declaration.Type)} items, not {ListRecords.TypeText(asked)}");
        }

        foreach (var item in items.Select(i => ListRecords.Normalize(declaration.Type, i)).Where(i => i.Length > 0).Distinct())
        {
            writes.Add((settings.Topics.Lists, ListRecords.Key(list, item), new ListItem(expires, reason, _by, DateTimeOffset.UtcNow).ToJson()));
            said.Add($"list {list}: + {item}{(expires is { } e ? $" until {e.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}" : "")}");
        }

        return Write(catalog, writes, said);
    }

    public IReadOnlyList<string> RemoveItems(string list, IReadOnlyList<string> items)
    {
        var catalog = Read();
        var known = catalog.Lists().GetValueOrDefault(list) ?? throw CatalogRefusal.NoList(list, settings.Topics.Lists);
        var type = known.Declaration?.Type ?? ListItemType.String;
        var gone = items.Select(i => ListRecords.Normalize(type, i)).Where(known.Items.ContainsKey).Distinct().ToList();
        return Write(catalog, gone.Select(i => (settings.Topics.Lists, ListRecords.Key(list, i), (byte[]?)null)).ToList(),
            gone.Count == 0 ? [$"list {list}: none of those items is in it"] : gone.Select(i => $"list {list}: - {i}").ToList());
    }

    /// <summary>A list deleted with its items; refused while a rule reads it (the rules would not compile without it).</summary>
    public IReadOnlyList<string> DeleteList(string list)
    {
        var catalog = Read();
        var known = catalog.Lists().GetValueOrDefault(list) ?? throw CatalogRefusal.NoList(list, settings.Topics.Lists);
        var writes = known.Items.Keys.Select(i => (settings.Topics.Lists, ListRecords.Key(list, i), (byte[]?)null))
            .Append((settings.Topics.Lists, ListRecords.Key(list), null)).ToList();
        return Write(catalog, writes, [$"list {list}: deleted with its {known.Items.Count} items"]);
    }

    /// <summary>"30d", "12h", "90m" from now, or an ISO 8601 time.</summary>
    public static DateTimeOffset ParseExpiry(string text, DateTimeOffset now)
    {
        if (SpanText.Parse(text) is { } span)
        {
            return now + span;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) && at > now
            ? at
            : throw new CatalogRefusal($"an expiry is a span from now (30d, 12h, 90m) or a later ISO 8601 time, not '{text}'");
    }

    // The change made on a copy and compiled as the nodes will compile it; written only if it compiles.
    private IReadOnlyList<string> Write(RuleCatalog catalog, IReadOnlyList<(string Topic, string Key, byte[]? Value)> writes, IReadOnlyList<string> said)
    {
        if (writes.Count == 0)
        {
            return said;
        }

        var changed = writes.Aggregate(catalog, (c, w) => w.Topic == settings.Topics.Rules ? c.WithRule(w.Key, w.Value, c.Version.Rules + 1) : c.WithList(w.Key, w.Value, c.Version.Lists + 1));
        try
        {
            changed.Compile(RuleFiles.RatesDirectory(settings.Rules), settings.Rules.MaxWindow, DateTimeOffset.UtcNow);
        }
        catch (RuleSyntaxException e)
        {
            throw new CatalogRefusal($"refused, nothing written: {e.Message}", e);
        }

        TopicWriter.Write(kafka, writes);
        Written = Read().Version;
        return [.. said, $"rule set {Written}"];
    }
}
