using System.Text;
using Fraud.Actors.Rules;
using Fraud.Actors.Rules.Catalog;
using Fraud.Actors.Rules.Language;
using static Fraud.Actors.Tests.TestTransactions;

namespace Fraud.Actors.Tests;

/// <summary>The rule and list topics folded into a catalog, and the catalog compiled: what every node runs.</summary>
public sealed class RuleCatalogSpecs
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private static byte[] Rule(string text, RuleMode mode = RuleMode.Active, int version = 1) => new RuleRecord(text, mode, version, "alice", Now).ToJson();

    private static string RepositoryFile(params string[] parts)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Fraud.sln")))
        {
            dir = dir.Parent;
        }

        return Path.Combine([dir!.FullName, .. parts]);
    }

    [Fact]
    public void Should_keep_each_rules_latest_record_in_the_order_ids_first_appeared_and_forget_a_deleted_one()
    {
        var catalog = RuleCatalog.Empty
            .WithRule("big", Rule("rule big: block when amount >= 900"), 1)
            .WithRule("night", Rule("rule night: review when hour in 22..3"), 2)
            .WithRule("gone", Rule("rule gone: review when amount > 1"), 3)
            .WithRule("big", Rule("rule big: block when amount >= 800", version: 2), 4)
            .WithRule("gone", null, 5);

        Assert.Equal(["big", "night"], catalog.Rules().Select(r => r.Id));
        Assert.Equal(("rule big: block when amount >= 800", 2), (catalog.Rule("big")!.Text, catalog.Rule("big")!.Version));
        Assert.Equal(new RuleSetVersion(5, 0), catalog.Version);
        Assert.Null(catalog.Rule("gone"));
    }

    [Fact]
    public void Should_compile_the_rules_with_their_records_mode_and_version_and_the_rule_set_version()
    {
        var catalog = RuleCatalog.Empty
            .WithRule("big", Rule("rule big: block weight 0.9 when amount >= 900", version: 3), 1)
            .WithRule("trial", Rule("rule trial: block when amount >= 500", RuleMode.Shadow, 2), 2)
            .WithRule("old", Rule("rule old: block when amount >= 1", RuleMode.Disabled), 3)
            .WithList("x", new ListDeclaration(ListItemType.String, null, null, null).ToJson(), 1);

        var pack = catalog.Compile(null, TimeSpan.FromDays(30), Now);
        Assert.Equal(new RuleSetVersion(3, 1), pack.Version);
        var outcome = pack.Evaluate(RuleSemanticsSpecs.History().View, Tx(0, 950m), late: false);
        Assert.Equal((VerdictAction.Block, 0.9), (outcome.Action, outcome.Score));
        Assert.Equal([("big", 3)], outcome.Hits.Select(h => (h.Id, h.Version)));
        Assert.Equal([("trial", 2)], outcome.Shadow.Select(h => (h.Id, h.Version))); // "old" is disabled: not evaluated
    }

    [Fact]
    public void Should_give_a_rule_the_lists_items_of_their_type_that_have_not_expired()
    {
        var catalog = RuleCatalog.Empty
            .WithRule("blocked", Rule("rule blocked: block when source in @blocked"), 1)
            .WithRule("risky", Rule("rule risky: review when country in @risky_countries"), 2)
            .WithList(ListRecords.Key("blocked"), new ListDeclaration(ListItemType.Account, "chargebacks", null, null).ToJson(), 1)
            .WithList(ListRecords.Key("blocked", "ACC-1"), new ListItem(null, "chargeback", "bob", Now).ToJson(), 2)
            .WithList(ListRecords.Key("blocked", "ACC-2"), new ListItem(Now.AddHours(-1), "expired", null, null).ToJson(), 3)
            .WithList(ListRecords.Key("blocked", "ACC-3"), new ListItem(Now.AddHours(1), "for an hour", null, null).ToJson(), 4)
            .WithList(ListRecords.Key("risky_countries"), new ListDeclaration(ListItemType.Country, null, null, null).ToJson(), 5)
            .WithList(ListRecords.Key("risky_countries", "kp"), new ListItem(null, null, null, null).ToJson(), 6);

        var pack = catalog.Compile(null, TimeSpan.FromDays(30), Now);
        bool Fires(string account, string country = "US") =>
            pack.Evaluate(RuleSemanticsSpecs.History().View, Tx(0, 10m, country: country) with { Source = account }, late: false).Action != VerdictAction.Legit;
        Assert.True(Fires("ACC-1"));
        Assert.False(Fires("ACC-2"));
        Assert.True(Fires("ACC-3"));
        Assert.False(Fires("ACC-4"));
        Assert.True(Fires("ACC-4", "KP")); // a country item is written in capitals
        Assert.Equal(Now.AddHours(1), catalog.NextExpiry(Now));

        var removed = catalog.WithList(ListRecords.Key("blocked", "ACC-1"), null, 7).Compile(null, TimeSpan.FromDays(30), Now);
        Assert.Equal(VerdictAction.Legit, removed.Evaluate(RuleSemanticsSpecs.History().View, Tx(0, 10m) with { Source = "ACC-1" }, late: false).Action);
    }

    [Theory]
    [InlineData("big", "not json", "fraud.rules/big:1:1: a rule record is not JSON")]
    [InlineData("big", """{"rule":"rule big: block when amount >= 900","mode":"sometimes"}""", "fraud.rules/big:1:1: a rule's mode is active, shadow or disabled, not \"sometimes\"")]
    [InlineData("big", """{"rule":"rule big: block when amount >=","mode":"active"}""", "fraud.rules/big:1:")]
    [InlineData("big", """{"rule":"rule small: block when amount >= 1"}""", "fraud.rules/big:1:1: a record of the rule topic holds one rule, whose id is its key 'big'")]
    [InlineData("big", """{"rule":"rule big: block when source in @nowhere"}""", "fraud.rules/big:1:29: no list '@nowhere' in the list topic")]
    public void Should_refuse_to_compile_a_damaged_record_with_one_line_naming_its_rule(string id, string value, string line)
    {
        var catalog = RuleCatalog.Empty
            .WithRule("fine", Rule("rule fine: block when amount >= 900"), 1)
            .WithRule(id, Encoding.UTF8.GetBytes(value), 2);

        var error = Assert.Throws<RuleSyntaxException>(() => catalog.Compile(null, TimeSpan.FromDays(30), Now));
        Assert.StartsWith(line, error.Message);
        Assert.DoesNotContain("\n", error.Message);
    }

    [Fact]
    public void Should_seed_the_default_pack_as_one_record_a_rule_that_compiles_to_the_same_rules()
    {
        var path = RepositoryFile("rules", "default.rules");
        var seed = CatalogSeed.Of(path, "seed", Now);
        var catalog = seed.Rules.Select((r, k) => (r, k)).Aggregate(RuleCatalog.Empty, (c, x) => c.WithRule(x.r.Id, x.r.Rule.ToJson(), x.k + 1));

        var fromFile = Rules.Compiler.RulePack.Load(path).Definitions;
        var fromTopic = catalog.Compile(Path.GetDirectoryName(path), TimeSpan.FromDays(30), Now).Definitions;
        Assert.Equal(fromFile.Select(d => (d.Id, d.Action, d.Weight, d.Mode, d.Version)), fromTopic.Select(d => (d.Id, d.Action, d.Weight, d.Mode, d.Version)));
        Assert.Equal(fromFile.Select(d => Rules.Compiler.RuleText.Of(d.Condition)), fromTopic.Select(d => Rules.Compiler.RuleText.Of(d.Condition)));
        Assert.StartsWith("rule large-amount: block weight 0.9", seed.Rules[0].Rule.Text);
        Assert.DoesNotContain("rule", seed.Rules[0].Rule.Text[4..]); // its own lines only
    }

    [Fact]
    public void Should_seed_the_lists_next_to_a_rule_file_typed_by_what_the_rules_compare_them_with()
    {
        var path = RepositoryFile("rules", "recommended.rules");
        var seed = CatalogSeed.Of(path, "seed", Now);
        var catalog = seed.Lists.Select((l, k) => (l, k)).Aggregate(RuleCatalog.Empty, (c, x) => c.WithList(x.l.Key, x.l.Value, x.k + 1));

        var lists = catalog.Lists();
        Assert.NotEmpty(lists);
        Assert.All(lists.Values, l => Assert.NotNull(l.Declaration));
        var trusted = lists["trusted_merchants"];
        Assert.Equal(ListItemType.Target, trusted.Declaration!.Type);
        Assert.Equal(Rules.Compiler.RulePack.ParseList(File.ReadAllText(RepositoryFile("rules", "trusted_merchants.list"))).Order(), trusted.Items.Keys);
    }
}
