using Fraud.Actors.Rules.Language;
using Attribute = Fraud.Actors.Rules.Language.Attribute;

namespace Fraud.Actors.Tests;

/// <summary>The rule language's syntax: every construct read into its tree, every mistake one line with its place.</summary>
public sealed class RuleParserSpecs
{
    private static RuleDefinition One(string text) => Assert.Single(RuleParser.Parse(text, "t.rules").Rules);

    private static Expr When(string condition) => One($"rule r: block when {condition}").Condition;

    [Fact]
    public void Should_read_a_rule_with_its_options_in_any_order()
    {
        var rule = One("""
            # a comment
            rule night-spree: review version 3 weight 0.25 disabled
              when amount > 10   # trailing comment
            """);

        Assert.Equal("night-spree", rule.Id);
        Assert.Equal(RuleAction.Review, rule.Action);
        Assert.Equal(0.25, rule.Weight);
        Assert.Equal(3, rule.Version);
        Assert.False(rule.Enabled);
        Assert.Equal(2, rule.Line);
        var cmp = Assert.IsType<Binary>(rule.Condition);
        Assert.Equal(">", cmp.Op);
        Assert.Equal("amount", Assert.IsType<Attribute>(cmp.Left).Name);
        Assert.Equal(10m, Assert.IsType<NumberLiteral>(cmp.Right).Value);
    }

    [Theory]
    [InlineData("velocity-2")]
    [InlineData("count-7d")]
    [InlineData("sum-24h-v2")]
    [InlineData("r2d2")]
    public void Should_read_an_id_whose_pieces_after_a_hyphen_start_with_a_digit(string id)
    {
        Assert.Equal(id, One($"rule {id}: review when amount-1 > 5").Id);
        // Inside a condition a hyphen before a digit still subtracts.
        Assert.Equal("-", Assert.IsType<Binary>(Assert.IsType<Binary>(One($"rule {id}: review when amount-1 > 5").Condition).Left).Op);
    }

    [Fact]
    public void Should_default_to_weight_one_version_one_enabled()
    {
        var rule = One("rule a: allow when amount > 1");
        Assert.Equal((RuleAction.Allow, 1.0, 1, true), (rule.Action, rule.Weight, rule.Version, rule.Enabled));
    }

    [Fact]
    public void Should_bind_not_tighter_than_and_and_and_tighter_than_or()
    {
        var or = Assert.IsType<Binary>(When("not amount > 1 and country == \"DE\" or device == \"d\""));
        Assert.Equal("or", or.Op);
        var and = Assert.IsType<Binary>(or.Left);
        Assert.Equal("and", and.Op);
        Assert.Equal("not", Assert.IsType<Unary>(and.Left).Op);
        Assert.Equal("==", Assert.IsType<Binary>(or.Right).Op);
    }

    [Fact]
    public void Should_bind_products_tighter_than_sums_and_honour_parentheses()
    {
        var cmp = Assert.IsType<Binary>(When("amount > 3 * avg(amount, 30d) + 1"));
        var sum = Assert.IsType<Binary>(cmp.Right);
        Assert.Equal("+", sum.Op);
        var product = Assert.IsType<Binary>(sum.Left);
        Assert.Equal("*", product.Op);
        var avg = Assert.IsType<Call>(product.Right);
        Assert.Equal(("avg", TimeSpan.FromDays(30)), (avg.Function, avg.Window!.Value));

        var grouped = Assert.IsType<Binary>(Assert.IsType<Binary>(When("amount > 3 * (1 + 2)")).Right);
        Assert.Equal("+", Assert.IsType<Binary>(grouped.Right).Op);

        var negative = Assert.IsType<Binary>(When("amount - 5 > -2"));
        Assert.Equal("-", Assert.IsType<Binary>(negative.Left).Op);
        Assert.Equal("-", Assert.IsType<Unary>(negative.Right).Op);
    }

    [Fact]
    public void Should_read_sets_ranges_and_lists_each_with_not_in()
    {
        var set = Assert.IsType<InSet>(When("country in (\"DE\", \"FR\")"));
        Assert.Equal(["DE", "FR"], set.Items.Select(i => Assert.IsType<StringLiteral>(i).Value));
        Assert.False(set.Negated);

        var range = Assert.IsType<InRange>(When("hour not in 22..3"));
        Assert.True(range.Negated);
        Assert.Equal((22m, 3m), (Assert.IsType<NumberLiteral>(range.Low).Value, Assert.IsType<NumberLiteral>(range.High).Value));

        var decimals = Assert.IsType<InRange>(When("amount in 255.5..500"));
        Assert.Equal(255.5m, Assert.IsType<NumberLiteral>(decimals.Low).Value);

        var list = Assert.IsType<InList>(When("source not in @blocked_accounts"));
        Assert.Equal(("blocked_accounts", true), (list.List, list.Negated));
    }

    [Fact]
    public void Should_read_every_aggregate_with_its_window_and_filter()
    {
        var count = Assert.IsType<Call>(Assert.IsType<Binary>(When("count(24h where hour in 22..3 and amount > 1) >= 2")).Left);
        Assert.Equal(("count", TimeSpan.FromHours(24)), (count.Function, count.Window!.Value));
        Assert.Empty(count.Arguments);
        Assert.Equal("and", Assert.IsType<Binary>(count.Filter).Op);

        foreach (var (text, function, window) in new[]
                 {
                     ("sum(amount, 60s)", "sum", TimeSpan.FromSeconds(60)), ("min(amount_ref, 10m)", "min", TimeSpan.FromMinutes(10)),
                     ("max(amount * 2, 1h)", "max", TimeSpan.FromHours(1)), ("distinct(device, 10m)", "distinct", TimeSpan.FromMinutes(10)),
                     ("travel_speed(1h)", "travel_speed", TimeSpan.FromHours(1)), ("avg(field(\"tip\"), 7d)", "avg", TimeSpan.FromDays(7)),
                 })
        {
            var call = Assert.IsType<Call>(Assert.IsType<Binary>(When(text + " > 3")).Left);
            Assert.Equal((function, window), (call.Function, call.Window!.Value));
            Assert.Null(call.Filter);
        }

        var seen = Assert.IsType<Call>(Assert.IsType<Unary>(When("not seen(target, 7d)")).Operand);
        Assert.Equal("target", Assert.IsType<Attribute>(Assert.Single(seen.Arguments)).Name);
    }

    [Fact]
    public void Should_read_signals_and_input_fields()
    {
        var since = Assert.IsType<Call>(Assert.IsType<Binary>(When("since_last() < 5")).Left);
        Assert.Equal("since_last", since.Function);
        Assert.Null(since.Window);

        var missing = Assert.IsType<Call>(When("is_missing(device)"));
        Assert.Equal("device", Assert.IsType<Attribute>(Assert.Single(missing.Arguments)).Name);

        var field = Assert.IsType<Attribute>(Assert.IsType<Binary>(When("field(\"channel\") == \"web\"")).Left);
        Assert.Equal(("channel", true), (field.Name, field.InputField));

        var escaped = Assert.IsType<StringLiteral>(Assert.IsType<Binary>(When("target == \"a\\\"b\\\\c\"")).Right);
        Assert.Equal("a\"b\\c", escaped.Value);
    }

    [Fact]
    public void Should_read_several_rules_and_the_examples_of_the_docs()
    {
        var file = RuleParser.Parse("""
            rule night-spree: review weight 0.6
              when hour in 22..3
               and count(24h where hour in 22..3) >= 2
               and sum(amount, 24h) + amount >= 1000
            rule grocery-at-night: block weight 0.8
              when category == "grocery" and amount in 255..500 and hour in 22..3
            rule many-devices: review weight 0.5
              when distinct(device, 10m) > 3
            """, "docs.rules");
        Assert.Equal(["night-spree", "grocery-at-night", "many-devices"], file.Rules.Select(r => r.Id));
        Assert.Equal([1, 5, 7], file.Rules.Select(r => r.Line));
    }

    [Fact]
    public void Should_read_the_default_pack()
    {
        var path = Path.Combine(RepositoryRoot(), "rules", "default.rules");
        var file = RuleParser.Parse(File.ReadAllText(path), path);
        Assert.Equal(["large-amount", "velocity-count", "velocity-amount", "small-then-large", "impossible-travel"], file.Rules.Select(r => r.Id));
        Assert.Equal([0.9, 0.8, 0.8, 0.9, 0.9], file.Rules.Select(r => r.Weight));
        Assert.All(file.Rules, r => Assert.Equal((RuleAction.Block, true), (r.Action, r.Enabled)));
    }

    [Theory]
    [InlineData("rule a: block when amount >", 1, 28, "expected a value, an attribute or a function, found the end of the file")]
    [InlineData("rule a: deny when amount > 1", 1, 9, "expected the action (allow, review or block), found 'deny'")]
    [InlineData("rule a block when amount > 1", 1, 8, "expected ':' after the rule's id, found 'block'")]
    [InlineData("amount > 1", 1, 1, "expected 'rule' to start a rule, found 'amount'")]
    [InlineData("rule a: block weight 2 when amount > 1", 1, 22, "a weight is from 0 to 1, not 2")]
    [InlineData("rule a: block version 0 when amount > 1", 1, 23, "a version is a whole number from 1, not 0")]
    [InlineData("rule a: block often when amount > 1", 1, 15, "expected 'weight', 'version', 'shadow', 'disabled' or 'when', found 'often'")]
    [InlineData("rule a: block when amont > 1", 1, 20, "unknown attribute 'amont'")]
    [InlineData("rule a: block when\n  count(amount) > 1", 2, 9, "expected a window (60s, 10m, 24h, 7d), found 'amount'")]
    [InlineData("rule a: block when sum(24h) > 1", 1, 24, "sum takes an attribute before its window, e.g. sum(amount, 24h)")]
    [InlineData("rule a: block when sum(amount) > 1", 1, 30, "expected ',' and a window after sum's attribute")]
    [InlineData("rule a: block when count(24h, 1) > 1", 1, 29, "expected 'where' or ')', found ','")]
    [InlineData("rule a: block when velocity(60s) > 1", 1, 20, "unknown function 'velocity'")]
    [InlineData("rule a: block when distinct(amount + 1, 10m) > 3", 1, 29, "distinct takes an attribute")]
    [InlineData("rule a: block when amount > 60s", 1, 29, "a window (60s) belongs inside an aggregate")]
    [InlineData("rule a: block when count(0s) > 1", 1, 26, "a window is longer than nothing")]
    [InlineData("rule a: block when count(1.5h) > 1", 1, 26, "a duration is a whole number of units")]
    [InlineData("rule a: block when amount > 12abc", 1, 29, "'12a' is neither a number nor a duration")]
    [InlineData("rule a: block when target == \"open", 1, 30, "a string is not closed on its line")]
    [InlineData("rule a: block when amount ! 1", 1, 27, "unexpected character '!'")]
    [InlineData("rule a: block when country in (\"DE\" \"FR\")", 1, 37, "expected ',' or ')' in the set of values")]
    [InlineData("rule a: block when hour in 22", 1, 30, "expected '..' in a range")]
    [InlineData("rule a: block when source in @", 1, 30, "expected a list's name after '@'")]
    [InlineData("rule a: block when (amount > 1", 1, 31, "expected ')' to close '('")]
    [InlineData("rule a: block when amount > 1 amount", 1, 31, "expected 'and', 'or', an operator or the next 'rule', found 'amount'")]
    [InlineData("rule a: block when amount > 1\nrule a: block when amount > 2", 2, 6, "a rule 'a' is already defined above")]
    [InlineData("rule a: block when amount > 99999999999999999999999999999999", 1, 29, "the number 99999999999999999999999999999999 is too large")]
    [InlineData("rule a: block when count(99999999999999999999d) > 1", 1, 26, "a window is longer than nothing and shorter than a lifetime")]
    public void Should_refuse_a_mistake_with_its_line_column_and_what_was_expected(string text, int line, int column, string problem)
    {
        var error = Assert.Throws<RuleSyntaxException>(() => RuleParser.Parse(text, "rules/x.rules"));
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.StartsWith($"rules/x.rules:{line}:{column}: ", error.Message);
        Assert.Contains(problem, error.Problem);
        Assert.DoesNotContain("\n", error.Message);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Fraud.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Fraud.sln not found above " + AppContext.BaseDirectory);
    }
}
