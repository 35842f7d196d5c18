using Fraud.Actors.Rules;
using Fraud.Actors.Rules.Compiler;
using Fraud.Actors.Rules.Language;
using Fraud.Actors.State;
using Fraud.Actors.Transactions;
using static Fraud.Actors.Tests.TestTransactions;

namespace Fraud.Actors.Tests;

/// <summary>What a compiled rule means: windows, filters, aggregates, missing values, clocks, actions and the score.</summary>
public sealed class RuleSemanticsSpecs
{
    internal static CompiledRules Compile(string text, RuleEnvironment? environment = null) =>
        RuleCompiler.Compile(RuleParser.Parse(text, "t.rules"), environment ?? RuleEnvironment.Empty);

    internal static AccountState History(params Transaction[] earlier)
    {
        var state = new AccountState();
        foreach (var tx in earlier)
        {
            state.Record(AccountEvent.Of(tx, EventTime.TicksOf(tx), Countries.Number(tx.Country), AllKept), TimeSpan.FromDays(60).Ticks, 1024);
        }

        return state;
    }

    private const HistoryFields AllKept = HistoryFields.Category | HistoryFields.Target | HistoryFields.Device;

    private static RuleOutcome Run(string text, Transaction tx, params Transaction[] earlier) =>
        Compile(text).Evaluate(History(earlier).View, tx, late: false);

    private static bool Fires(string condition, Transaction tx, params Transaction[] earlier) =>
        Run($"rule r: block when {condition}", tx, earlier).Hits.Count == 1;

    private static Transaction At(double seconds, decimal amount = 20m, string? country = "US", string? device = "dev-1", string category = "grocery") =>
        Tx(seconds, amount, country: country) with { DeviceId = device, MerchantCategory = category };

    [Fact]
    public void Should_count_the_window_as_earlier_events_after_t_minus_window_up_to_t()
    {
        // 0 s is exactly one window old at 60 s: out. 60 s (same instant) counts; 70 s is after this one: not "before".
        var history = new[] { At(0), At(1), At(59), At(60), At(70) };
        Assert.True(Fires("count(60s) == 3", At(60), history));
        Assert.False(Fires("count(60s) == 4", At(60), history));
        Assert.True(Fires("count(60s) == 0", At(200), history));
    }

    [Fact]
    public void Should_count_only_earlier_events_that_pass_the_filter()
    {
        var history = new[] { At(10, 0.5m), At(20, 300m), At(30, 0.99m), At(40, 1m) };
        Assert.True(Fires("count(60s where amount < 1) == 2", At(50), history));
        Assert.True(Fires("sum(amount, 60s where amount >= 1) == 301", At(50), history));
        Assert.True(Fires("count(60s where amount < 1 and country == \"US\") == 2", At(50), history));
        Assert.True(Fires("count(60s where country != \"US\") == 0", At(50), history));
    }

    [Fact]
    public void Should_fold_sum_avg_min_max_and_leave_avg_min_max_missing_over_nothing()
    {
        var history = new[] { At(10, 10m), At(20, 30m), At(30, 20m) };
        Assert.True(Fires("sum(amount, 60s) == 60 and avg(amount, 60s) == 20 and min(amount, 60s) == 10 and max(amount, 60s) == 30", At(40), history));
        Assert.True(Fires("sum(amount, 60s) == 0", At(40)));
        Assert.False(Fires("avg(amount, 60s) >= 0", At(40)));
        Assert.False(Fires("avg(amount, 60s) < 0", At(40)));
        Assert.True(Fires("not (avg(amount, 60s) >= 0)", At(40))); // the comparison is false, so its negation holds
        Assert.True(Fires("amount > 3 * avg(amount, 30d)", At(40, 61m), history));
        Assert.False(Fires("amount > 3 * avg(amount, 30d)", At(40, 60m), history));
    }

    [Fact]
    public void Should_count_distinct_values_and_know_whether_this_value_was_seen()
    {
        var history = new[] { At(10, country: "US"), At(20, country: "DE"), At(30, country: "US"), At(40, country: null), At(50, country: "FR") };
        Assert.True(Fires("distinct(country, 10m) == 3", At(60), history));
        Assert.True(Fires("distinct(country, 15s) == 1", At(60), history)); // only FR at 50 s
        Assert.True(Fires("seen(country, 10m)", At(60, country: "DE"), history));
        Assert.False(Fires("seen(country, 10m)", At(60, country: "JP"), history));
        Assert.False(Fires("seen(country, 30s)", At(60, country: "DE"), history)); // DE was at 20 s
        Assert.False(Fires("seen(country, 10m)", At(60, country: null), history));
        Assert.True(Fires("not seen(country, 10m)", At(60, country: "JP"), history));
        Assert.True(Fires("distinct(amount, 10m where amount > 5) == 1", At(60), history));
    }

    [Fact]
    public void Should_measure_time_since_the_last_transaction_and_the_travel_speed()
    {
        Assert.True(Fires("since_last() == 12.5", At(42.5), At(10), At(30)));
        Assert.False(Fires("since_last() >= 0", At(42.5)));

        // US to JP in ten minutes is far beyond 900 km/h; the same pair two hours apart is outside a 1h window.
        var outcome = Run("rule t: block when travel_speed(1h) > 900", At(600, country: "JP"), At(0, country: "US"));
        var hit = Assert.Single(outcome.Hits);
        Assert.Equal("1h", hit.Window);
        Assert.Equal(900m, hit.Limit);
        Assert.Equal(decimal.Round(hit.Observed, 1), hit.Observed);
        Assert.InRange(hit.Observed, 50_000m, 70_000m);
        Assert.False(Fires("travel_speed(1h) > 0", At(7200, country: "JP"), At(0, country: "US")));
        Assert.False(Fires("travel_speed(1h) > 0", At(600, country: null), At(0, country: "US")));
    }

    [Fact]
    public void Should_make_every_comparison_with_a_missing_value_false_and_say_it_is_missing()
    {
        var noDevice = At(10, device: null);
        Assert.False(Fires("device == \"dev-1\"", noDevice));
        Assert.False(Fires("device != \"dev-1\"", noDevice));
        Assert.False(Fires("device in (\"dev-1\", \"dev-2\")", noDevice));
        Assert.False(Fires("device not in (\"dev-1\", \"dev-2\")", noDevice));
        Assert.True(Fires("is_missing(device)", noDevice));
        Assert.False(Fires("is_missing(device)", At(10)));
        Assert.True(Fires("device not in (\"dev-2\")", At(10)));
    }

    [Fact]
    public void Should_read_hour_and_weekday_in_utc_and_wrap_a_range_past_midnight()
    {
        // T0 is Tuesday 2026-11-24 12:00 UTC.
        Assert.True(Fires("hour == 12 and weekday == 2", At(0)));
        Assert.True(Fires("hour in 22..3", At(11 * 3600))); // 23:00
        Assert.True(Fires("hour in 22..3", At(15 * 3600 + 59 * 60))); // 03:59 Wednesday
        Assert.False(Fires("hour in 22..3", At(16 * 3600))); // 04:00
        Assert.False(Fires("hour in 22..3", At(0)));
        Assert.True(Fires("hour not in 22..3", At(0)));
        Assert.True(Fires("weekday in 7..2", At(0)));
        Assert.False(Fires("amount in 500..255", At(0, 300m))); // only clocks wrap
    }

    [Fact]
    public void Should_express_the_issues_examples_plainly()
    {
        const string rules = """
            rule night-spree: review weight 0.6
              when hour in 22..3 and count(24h where hour in 22..3) >= 2 and sum(amount, 24h) + amount >= 1000
            rule grocery-at-night: block weight 0.8
              when category == "grocery" and amount in 255..500 and hour in 22..3
            """;
        var night = 11 * 3600; // 23:00
        var spree = Compile(rules).Evaluate(History(At(night - 3600, 400m), At(night - 1800, 400m)).View, At(night, 200m, category: "fuel"), late: false);
        Assert.Equal(["night-spree"], spree.Hits.Select(h => h.Id));
        Assert.Equal(VerdictAction.Review, spree.Action);

        // One earlier night payment is not two; a day payment does not count as night.
        var notYet = Compile(rules).Evaluate(History(At(0, 400m), At(night - 1800, 400m)).View, At(night, 200m, category: "fuel"), late: false);
        Assert.Equal(VerdictAction.Legit, notYet.Action);

        var grocery = Compile(rules).Evaluate(History().View, At(night, 255m), late: false);
        Assert.Equal(VerdictAction.Block, grocery.Action);
        Assert.Equal(VerdictAction.Legit, Compile(rules).Evaluate(History().View, At(0, 255m), late: false).Action);
    }

    [Fact]
    public void Should_report_a_shadow_rule_without_letting_it_change_the_action_or_the_score()
    {
        const string rules = """
            rule watch: review weight 0.5 when amount > 10
            rule trial-block: block weight 0.9 shadow when amount > 40 and count(60s) >= 1
            rule trial-allow: allow shadow when amount > 40
            """;
        var compiled = Compile(rules);
        var earlier = At(-10);

        var outcome = compiled.Evaluate(History(earlier).View, At(0, 50m), late: false);
        Assert.Equal((VerdictAction.Review, 0.5), (outcome.Action, outcome.Score)); // what the active rule alone decides
        Assert.Equal(["watch"], outcome.Hits.Select(h => h.Id));
        Assert.Equal(["trial-block", "trial-allow"], outcome.Shadow.Select(h => h.Id));
        Assert.Equal(50m, outcome.Shadow[0].Values.First().Number); // explained as an active hit is

        // Alone, a shadow hit leaves the transaction legit.
        var quiet = Compile("rule trial: block shadow when amount > 40").Evaluate(History().View, At(0, 50m), late: false);
        Assert.Equal((VerdictAction.Legit, 0.0, 0), (quiet.Action, quiet.Score, quiet.Hits.Count));
        Assert.Equal("trial", Assert.Single(quiet.Shadow).Id);
    }

    [Fact]
    public void Should_let_allow_beat_block_and_block_beat_review_and_score_only_block_and_review()
    {
        const string rules = """
            rule watch: review weight 0.5 when amount > 10
            rule stop: block weight 0.8 when amount > 100
            rule trusted: allow when target == "MER-TRUSTED"
            """;
        var compiled = Compile(rules);
        var view = History().View;

        var review = compiled.Evaluate(view, At(0, 50m), late: false);
        Assert.Equal((VerdictAction.Review, 0.5), (review.Action, review.Score));

        var block = compiled.Evaluate(view, At(0, 500m), late: false);
        Assert.Equal((VerdictAction.Block, 0.9), (block.Action, block.Score)); // 1 − 0.5 × 0.2
        Assert.Equal(["watch", "stop"], block.Hits.Select(h => h.Id));

        var allowed = compiled.Evaluate(view, At(0, 500m) with { Target = "MER-TRUSTED" }, late: false);
        Assert.Equal(VerdictAction.Allow, allowed.Action);
        Assert.Equal(["watch", "stop", "trusted"], allowed.Hits.Select(h => h.Id)); // every hit is still explained
        Assert.Equal(0.9, allowed.Score);

        var nothing = compiled.Evaluate(view, At(0, 5m), late: false);
        Assert.Equal((VerdictAction.Legit, 0.0), (nothing.Action, nothing.Score));
        Assert.Empty(nothing.Hits);
    }

    [Fact]
    public void Should_judge_a_late_transaction_only_by_rules_that_read_no_history_and_skip_disabled_rules()
    {
        const string rules = """
            rule big: block when amount >= 900
            rule busy: block when count(60s) >= 1
            rule off: block disabled when amount > 0
            """;
        var compiled = Compile(rules);
        var view = History(At(0), At(10)).View;
        Assert.Equal(["big", "busy"], compiled.Evaluate(view, At(20, 900m), late: false).Hits.Select(h => h.Id));
        Assert.Equal(["big"], compiled.Evaluate(view, At(20, 900m), late: true).Hits.Select(h => h.Id));
        Assert.Equal(3, compiled.Definitions.Count);
    }

    [Fact]
    public void Should_explain_a_hit_by_its_first_comparison_and_first_window()
    {
        var outcome = Run("rule v: block when sum(amount, 60s) + amount > 2000 and count(10m) > 0", At(30, 1500.50m), At(0, 600m));
        var hit = Assert.Single(outcome.Hits);
        Assert.Equal(("v", 2100.50m, 2000m, "60s"), (hit.Id, hit.Observed, hit.Limit, hit.Window));
        // Every expression its comparisons tested, in canonical spelling (60s reads 1m), with the value it had.
        Assert.Equal([new SeenValue("sum(amount, 1m) + amount", 2100.50m), new SeenValue("count(10m)", 1m)], hit.Values);
        var text = Run("rule c: review version 3 when country == \"US\" and amount > 5 and hour in 10..14", At(0, 7m));
        var explained = Assert.Single(text.Hits);
        Assert.Equal(("c", 7m, 5m, (string?)null, 3), (explained.Id, explained.Observed, explained.Limit, explained.Window, explained.Version));
        Assert.Equal([new SeenValue("country", null, "US"), new SeenValue("amount", 7m), new SeenValue("hour", 12m)], explained.Values);
    }

    [Fact]
    public void Should_read_the_category_target_device_and_currency_of_earlier_transactions()
    {
        var devices = new[] { At(0, device: "d-1"), At(60, device: "d-2"), At(120, device: "d-2"), At(180, device: "d-3") };
        // "More than 3 distinct devices in 10 minutes": this one's device is not counted, it is not "before".
        Assert.False(Fires("distinct(device, 10m) > 3", At(200, device: "d-4"), devices));
        Assert.True(Fires("distinct(device, 10m) > 3", At(200, device: "d-4"), [.. devices, At(190, device: "d-5")]));
        Assert.True(Fires("distinct(device, 10m) == 3", At(200, device: "d-1"), devices));
        Assert.True(Fires("not seen(device, 10m)", At(200, device: "d-9"), devices));
        Assert.False(Fires("not seen(device, 10m)", At(200, device: "d-2"), devices));
        Assert.False(Fires("seen(device, 2m)", At(200, device: "d-1"), devices)); // d-1 at 0 s is outside 2 minutes

        var mixed = new[] { At(0, 300m, category: "fuel"), At(10, 50m, category: "grocery") with { Target = "MER-X" }, At(20, 70m, category: "fuel") with { Currency = "EUR" } };
        Assert.True(Fires("count(1m where category == \"fuel\") == 2", At(30), mixed));
        Assert.True(Fires("sum(amount, 1m where category != \"fuel\") == 50", At(30), mixed));
        Assert.True(Fires("count(1m where target == \"MER-X\" or target == target) == 3", At(30) with { Target = "MER1" }, mixed));
        Assert.True(Fires("count(1m where category in (\"fuel\", \"travel\")) == 2", At(30), mixed));
        Assert.True(Fires("count(1m where currency == \"EUR\") == 1", At(30), mixed));
        Assert.True(Fires("seen(target, 1m)", At(30) with { Target = "MER-X" }, mixed));
        Assert.False(Fires("seen(target, 1m)", At(30) with { Target = "MER-Y" }, mixed));
        Assert.True(Fires("count(1m where is_missing(device)) == 1", At(30), [.. mixed, At(25, device: null)]));
        var lists = new RuleEnvironment(new Dictionary<string, IReadOnlySet<string>> { ["watched"] = new HashSet<string> { "MER-X" } }, null, RuleEnvironment.DefaultMaxWindow);
        Assert.Single(Compile("rule w: review when count(1m where target in @watched) == 1", lists).Evaluate(History(mixed).View, At(30), late: false).Hits);
        Assert.Empty(Compile("rule w: review when count(1m where target not in @watched) == 1", lists).Evaluate(History(mixed).View, At(30), late: false).Hits);
    }

    [Fact]
    public void Should_make_the_history_keep_only_the_texts_the_rules_read()
    {
        Assert.Equal(HistoryFields.None, Compile("rule a: block when sum(amount, 1h) > 5 and category == \"fuel\"").Kept);
        Assert.Equal(HistoryFields.Device | HistoryFields.Category,
            Compile("rule a: review when distinct(device, 1h) > 2\nrule b: review disabled when count(1h where category == \"x\") > 1").Kept);
    }

    [Fact]
    public void Should_compute_an_aggregate_named_by_several_rules_once()
    {
        var compiled = Compile("""
            rule a: block when sum(amount, 60s) > 10
            rule b: review when sum(amount, 1m) > 5 and count(60s) > 1
            rule c: review when sum(amount,60s) / count(60s) > 2
            """);
        Assert.Equal(2, compiled.SharedAggregates);
        var outcome = compiled.Evaluate(History(At(0, 8m), At(1, 8m)).View, At(2), late: false);
        Assert.Equal(["a", "b", "c"], outcome.Hits.Select(h => h.Id));
    }

    [Fact]
    public void Should_make_arithmetic_without_a_value_false_instead_of_throwing()
    {
        Assert.False(Fires("amount / (count(60s) - count(60s)) > 0", At(0)));
        Assert.False(Fires("amount * 79228162514264337593543950335 * 10 > 0", At(0, 1000m)));
        Assert.True(Fires("-amount < 0 and amount - 1 == 19", At(0)));
    }

    [Theory]
    [InlineData("rule r: block when amount == \"x\"", 1, 27, "cannot compare a number (amount) with a text (\"x\")")]
    [InlineData("rule r: block when country > \"A\"", 1, 28, "texts are compared with == or !=, not >")]
    [InlineData("rule r: block\n  when amount + 1", 2, 15, "a rule's condition is true or false, not a number")]
    [InlineData("rule r: block when count(60s where source == \"d\") > 0", 1, 36, "history keeps amount, amount_ref, currency, country, category, target, device, hour, weekday of earlier transactions, not 'source'")]
    [InlineData("rule r: block when count(60s where count(10s) > 1) > 0", 1, 36, "count(...) reads the account's history, which a 'where' condition")]
    [InlineData("rule r: block when source in @blocked", 1, 27, "no list '@blocked' (looked for blocked.list next to the rules)")]
    [InlineData("rule r: block when amount_ref > 10", 1, 20, "amount_ref needs the rates file (rates.txt next to the rules)")]
    [InlineData("rule r: block when count(31d) > 10", 1, 20, "count(...) reads 31d of history, more than Fraud:Rules:MaxWindow (30d)")]
    [InlineData("rule r: block when amount > 1 and not amount", 1, 39, "what 'not' negates is a condition, and amount is a number")]
    [InlineData("rule r: block when distinct(source, 10m) > 3", 1, 29, "history keeps amount, amount_ref, currency, country, category, target, device, hour, weekday of earlier transactions, not 'source'")]
    [InlineData("rule r: block when 1 / 0 > amount", 1, 22, "has no value (a division by zero or a number too large)")]
    public void Should_refuse_a_meaningless_rule_at_its_place(string text, int line, int column, string problem)
    {
        var e = Assert.Throws<RuleSyntaxException>(() => Compile(text));
        Assert.Equal((line, column), (e.Line, e.Column));
        Assert.Contains(problem, e.Message);
        Assert.StartsWith($"t.rules:{line}:{column}: ", e.Message);
    }

    [Fact]
    public void Should_read_lists_and_rates_from_files_next_to_the_rules()
    {
        var directory = Directory.CreateTempSubdirectory("fraud-rules-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "pack.rules"), """
                rule blocked: block when source in @blocked_accounts
                rule big-in-usd: review when amount_ref > 500
                """);
            File.WriteAllText(Path.Combine(directory, "blocked_accounts.list"), "# from the chargeback desk\nACC-BAD\n  ACC-WORSE  \n\n");
            File.WriteAllText(Path.Combine(directory, "rates.txt"), "reference USD\nINR 0.0118  # 2026-12-01\nEUR 1.08\n");
            var pack = RulePack.Load(Path.Combine(directory, "pack.rules"));
            var view = History().View;

            Assert.Equal(["blocked"], pack.Evaluate(view, At(0) with { Source = "ACC-WORSE" }, late: false).Hits.Select(h => h.Id));
            Assert.Empty(pack.Evaluate(view, At(0) with { Source = "ACC-GOOD" }, late: false).Hits);

            // 508.59 INR is about 6 USD: not a large amount once converted; 508.59 EUR is.
            Assert.Empty(pack.Evaluate(view, At(0, 508.59m) with { Currency = "INR" }, late: false).Hits);
            var eur = Assert.Single(pack.Evaluate(view, At(0, 508.59m) with { Currency = "EUR" }, late: false).Hits);
            Assert.Equal(549.28m, eur.Observed);
            Assert.Empty(pack.Evaluate(view, At(0, 5000m) with { Currency = "XXX" }, late: false).Hits); // no rate: no value

            File.WriteAllText(Path.Combine(directory, "rates.txt"), "reference USD\nINR abc\n");
            var e = Assert.Throws<RuleSyntaxException>(() => RulePack.Load(Path.Combine(directory, "pack.rules")));
            Assert.StartsWith(Path.Combine(directory, "rates.txt") + ":2:1: expected 'reference CODE' or 'CODE RATE'", e.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
