using System.Text;
using Fraud.Actors.Checkpoints;
using Fraud.Actors.Rules;
using Fraud.Actors.Rules.Compiler;
using Fraud.Actors.Rules.Language;
using Fraud.Actors.State;
using Fraud.Actors.Transactions;
using static Fraud.Actors.Tests.TestTransactions;

namespace Fraud.Actors.Tests;

/// <summary>
/// <c>field("name")</c>: an input field the parser keeps only when the rules name it, a text or a number by its use,
/// missing when absent, and kept in the account's history as a hash when a rule reads it of earlier transactions.
/// </summary>
public sealed class InputFieldSpecs
{
    private static readonly RecordOrigin Origin = new("queueing.transactions", 0, 1, T0);

    private static Transaction Parse(string json, InputFields? fields)
    {
        var result = TransactionParser.Parse(Encoding.UTF8.GetBytes(json), Origin, RecordLimits.Default, T0, fields);
        Assert.True(result.IsValid, result.Detail);
        return result.Transaction!;
    }

    private static string Json(double seconds, string extra, string account = "ACC1") =>
        $$"""{"transactionId":"t-{{Guid.NewGuid():N}}","source":"{{account}}","target":"MER1","amount":20,"currency":"USD","timestamp":"{{T0.AddSeconds(seconds):O}}"{{(extra.Length > 0 ? "," + extra : "")}}}""";

    /// <summary>Scores <paramref name="records"/> in order on one account, under <paramref name="rules"/>, as the detector does.</summary>
    private static List<Verdict> ScoreAll(string rules, params string[] records)
    {
        var pack = RuleSemanticsSpecs.Compile(rules);
        var settings = new RuleSettings().UsePack(pack);
        var state = new AccountState();
        return records.Select(json => Scoring.Score(state, Parse(json, pack.Fields), settings, T0, "n")).ToList();
    }

    private static bool Fires(string condition, string extra) =>
        ScoreAll($"rule r: block when {condition}", Json(0, extra))[0].Rules.Count == 1;

    [Fact]
    public void Should_keep_the_named_fields_as_text_and_number_and_no_others()
    {
        var fields = new InputFields(["channel", "risk", "quoted", "flag", "gone", "nested"]);
        var tx = Parse(Json(0, "\"channel\":\"web\",\"risk\":0.93,\"quoted\":\"12.5\",\"flag\":true,\"gone\":null,\"nested\":{\"a\":1},\"other\":\"x\""), fields);

        Assert.Equal(new InputValue("web", null), tx.Fields![0]);
        Assert.Equal(new InputValue("0.93", 0.93m), tx.Fields[1]);
        Assert.Equal(new InputValue("12.5", 12.5m), tx.Fields[2]);
        Assert.Equal(new InputValue("true", null), tx.Fields[3]);
        Assert.Equal(default, tx.Fields[4]);
        Assert.Equal(default, tx.Fields[5]);
        Assert.Null(Parse(Json(0, "\"channel\":\"web\""), null).Fields);
    }

    [Fact]
    public void Should_refuse_a_named_field_that_is_too_long_or_not_valid_text()
    {
        var fields = new InputFields(["note"]);
        var tooLong = TransactionParser.Parse(Encoding.UTF8.GetBytes(Json(0, $"\"note\":\"{new string('x', 300)}\"")), Origin, RecordLimits.Default, T0, fields);
        Assert.Equal(RejectReasons.FieldTooLong, tooLong.Reason);
        Assert.StartsWith("note has 300 bytes", tooLong.Detail);

        var surrogate = TransactionParser.Parse(Encoding.UTF8.GetBytes(Json(0, "\"note\":\"\\uD800\"")), Origin, RecordLimits.Default, T0, fields);
        Assert.Equal(RejectReasons.InvalidText, surrogate.Reason);

        // Not named by any rule, the same field is skipped as every unknown one is (its text still checked).
        Assert.True(TransactionParser.Parse(Encoding.UTF8.GetBytes(Json(0, $"\"note\":\"{new string('x', 300)}\"")), Origin, RecordLimits.Default, T0, null).IsValid);
    }

    [Fact]
    public void Should_compare_a_field_as_a_text_or_as_a_number_by_what_it_meets()
    {
        Assert.True(Fires("field(\"channel\") == \"web\"", "\"channel\":\"web\""));
        Assert.False(Fires("field(\"channel\") == \"web\"", "\"channel\":\"pos\""));
        Assert.True(Fires("field(\"channel\") != \"web\"", "\"channel\":\"pos\""));
        Assert.True(Fires("field(\"risk\") > 0.9", "\"risk\":0.95"));
        Assert.True(Fires("field(\"risk\") > 0.9", "\"risk\":\"0.95\""));   // a quoted number reads as one
        Assert.False(Fires("field(\"risk\") > 0.9", "\"risk\":\"high\""));  // a text is no number: false
        Assert.True(Fires("field(\"risk\") * 100 >= 95", "\"risk\":0.95"));
        Assert.True(Fires("field(\"tries\") in (3, 4)", "\"tries\":3"));
        Assert.True(Fires("field(\"tries\") in 2..5", "\"tries\":3"));
        Assert.True(Fires("field(\"channel\") in (\"web\", \"app\")", "\"channel\":\"app\""));
        Assert.True(Fires("field(\"flag\") == \"true\"", "\"flag\":true"));
        Assert.True(Fires("field(\"a\") < field(\"b\")", "\"a\":2,\"b\":10"));  // ordered: numbers, not texts ("10" < "2")
    }

    [Fact]
    public void Should_make_every_comparison_with_a_missing_field_false_and_is_missing_true()
    {
        foreach (var extra in new[] { "", "\"channel\":null", "\"channel\":[1]" })
        {
            Assert.False(Fires("field(\"channel\") == \"web\"", extra));
            Assert.False(Fires("field(\"channel\") != \"web\"", extra));
            Assert.False(Fires("field(\"channel\") > 0", extra));
            Assert.True(Fires("is_missing(field(\"channel\"))", extra));
        }

        Assert.False(Fires("is_missing(field(\"channel\"))", "\"channel\":\"web\""));
        Assert.False(Fires("is_missing(field(\"risk\"))", "\"risk\":0"));
    }

    [Fact]
    public void Should_test_a_field_against_a_list()
    {
        var folder = Directory.CreateTempSubdirectory("fraud-fields-").FullName;
        File.WriteAllText(Path.Combine(folder, "t.rules"), "rule r: block when field(\"bin\") in @stolen_bins");
        File.WriteAllText(Path.Combine(folder, "stolen_bins.list"), "411111\n");
        var pack = RulePack.Load(Path.Combine(folder, "t.rules"));
        var settings = new RuleSettings().UsePack(pack);

        Assert.Single(Scoring.Score(new AccountState(), Parse(Json(0, "\"bin\":\"411111\""), pack.Fields), settings, T0, "n").Rules);
        Assert.Single(Scoring.Score(new AccountState(), Parse(Json(0, "\"bin\":411111"), pack.Fields), settings, T0, "n").Rules);
        Assert.Empty(Scoring.Score(new AccountState(), Parse(Json(0, "\"bin\":\"522222\""), pack.Fields), settings, T0, "n").Rules);
    }

    [Fact]
    public void Should_count_distinct_values_and_seen_of_a_field_over_the_accounts_history()
    {
        const string rules = """
            rule ip-hop: review when distinct(field("ip"), 10m) >= 2
            rule new-ip: review when count(7d) >= 1 and not is_missing(field("ip")) and not seen(field("ip"), 7d)
            rule web-spree: review when count(10m where field("channel") == "web") >= 2
            """;
        var verdicts = ScoreAll(rules,
            Json(0, "\"ip\":\"10.0.0.1\",\"channel\":\"web\""),
            Json(10, "\"ip\":\"10.0.0.1\",\"channel\":\"web\""),
            Json(20, "\"ip\":\"10.0.0.2\",\"channel\":\"pos\""),
            Json(30, "\"ip\":\"10.0.0.3\",\"channel\":\"web\""),
            Json(40, "\"channel\":\"web\""));

        Assert.Empty(verdicts[0].Rules);
        Assert.Empty(verdicts[1].Rules);                                       // the same ip again, one web payment before
        Assert.Equal(["new-ip", "web-spree"], verdicts[2].RuleIds().Order()); // a new ip; two web payments before
        Assert.Equal(["ip-hop", "new-ip", "web-spree"], verdicts[3].RuleIds().Order());
        Assert.Equal(3m, verdicts[4].Rules.Single(r => r.Id == "ip-hop").Values.Single().Number);
        Assert.DoesNotContain("new-ip", verdicts[4].RuleIds());               // no ip: not new, not seen either
    }

    [Fact]
    public void Should_show_what_the_field_held_in_the_hit()
    {
        var hit = Assert.Single(ScoreAll("rule r: block when field(\"risk\") >= 0.9 and field(\"channel\") == \"web\"",
            Json(0, "\"risk\":\"0.95\",\"channel\":\"web\""))[0].Rules);
        Assert.Equal(["field(\"risk\")", "field(\"channel\")"], hit.Values.Select(v => v.Expression));
        Assert.Equal(["0.95", "web"], hit.Values.Select(v => v.Text));
        Assert.Equal((0.95m, 0.9m), (hit.Observed, hit.Limit));
    }

    [Fact]
    public void Should_keep_the_fields_read_of_earlier_transactions_in_the_history_and_its_checkpoint()
    {
        var pack = RuleSemanticsSpecs.Compile("""
            rule a: review when distinct(field("ip"), 1h) == 1 and field("channel") == "web"
            rule b: review when seen(field("card"), 1d)
            """);
        Assert.Equal(["ip", "card", "channel"], pack.Fields!.Names);
        Assert.Equal(HistoryFields.Field1 | HistoryFields.Field2, pack.Kept);

        var settings = new RuleSettings().UsePack(pack);
        var state = new AccountState();
        Scoring.Score(state, Parse(Json(0, "\"ip\":\"1.1.1.1\",\"card\":\"c1\""), pack.Fields), settings, T0, "n");
        var restored = AccountStateCodec.Read(AccountStateCodec.Write(state));
        var next = Parse(Json(10, "\"ip\":\"2.2.2.2\",\"card\":\"c1\",\"channel\":\"web\""), pack.Fields);

        Assert.Equal(["a", "b"], Scoring.Score(restored, next, settings, T0, "n").RuleIds().Order());
    }

    [Theory]
    [InlineData("rule r: block when field(\"amount\") > 5", 1, 20, "field(\"amount\") is a field rules know: read it as amount")]
    [InlineData("rule r: block when field(\"deviceId\") == \"x\"", 1, 20, "read it as device")]
    [InlineData("rule r: block when avg(field(\"tip\"), 7d) > 5", 1, 24, "is a number, and field(\"tip\") is a text")]
    [InlineData("rule r: block when distinct(field(\"a\"), 1h) > 1 or distinct(field(\"b\"), 1h) > 1 or seen(field(\"c\"), 1h)", 1, 89,
        "the account's history keeps at most 2 input fields of earlier transactions (field(\"a\"), field(\"b\")), and field(\"c\") would be one more")]
    public void Should_refuse_a_field_it_cannot_read_with_its_place(string text, int line, int column, string problem)
    {
        var error = Assert.Throws<RuleSyntaxException>(() => RuleSemanticsSpecs.Compile(text));
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains(problem, error.Problem);
    }
}
