using Fraud.Actors.State;
using Fraud.Actors.Checkpoints;
using Fraud.Actors.Rules;
using static Fraud.Actors.Tests.TestTransactions;

namespace Fraud.Actors.Tests;

public sealed class AccountStateCodecSpecs
{
    [Fact]
    public void Should_restore_an_account_that_scores_exactly_like_the_original()
    {
        var original = new AccountState();
        var rules = new RuleSettings();
        var history = new[] { Tx(0, 0.5m, country: "FR"), Tx(5, 900m, country: "FR"), Tx(7, 30m, country: null), Tx(9, 40m, country: "US") };
        var verdicts = history.Select(tx => Score(original, tx, rules)).ToList();

        var restored = AccountStateCodec.Read(AccountStateCodec.Write(original));

        Assert.Equal(original.NewestTimestamp, restored.NewestTimestamp);
        Assert.Equal(original.Window(), restored.Window());
        Assert.Equal(original.RememberedIds, restored.RememberedIds);
        // Remembered verdicts come back whole (rules, observed values, windows): a redelivery gets the same one.
        for (var i = 0; i < history.Length; i++)
        {
            var again = Score(restored, history[i], rules);
            Assert.Equal(verdicts[i].Score, again.Score);
            Assert.Equal(verdicts[i].Rules, again.Rules);
            Assert.Equal(verdicts[i].DetectedAt, again.DetectedAt);
        }

        // And the next transaction is judged on the same windows.
        var next = Tx(10, 60m, country: "US");
        Assert.Equal(Score(original, next, rules).Rules, Score(restored, next with { }, rules).Rules);
    }

    [Fact]
    public void Should_keep_the_node_and_lateness_of_each_remembered_verdict()
    {
        var state = new AccountState();
        var rules = new RuleSettings();
        var onA = Scoring.Score(state, Tx(0, 950m, id: "a"), rules, T0, "node-a");
        var onB = AccountStateCodec.Read(AccountStateCodec.Write(state));
        var scoredOnB = Scoring.Score(onB, Tx(100, 10m, id: "b"), rules, T0, "node-b");
        var late = Scoring.Score(onB, Tx(1, 20m, id: "c"), rules, T0, "node-b"); // 99 s behind the newest: late

        var back = AccountStateCodec.Read(AccountStateCodec.Write(onB));

        Assert.True(late.Late);
        AssertSame(onA, Scoring.Score(back, Tx(0, 950m, id: "a"), rules, T0.AddDays(1), "node-c"));
        AssertSame(scoredOnB, Scoring.Score(back, Tx(100, 10m, id: "b"), rules, T0.AddDays(1), "node-c"));
        AssertSame(late, Scoring.Score(back, Tx(1, 20m, id: "c"), rules, T0.AddDays(1), "node-c"));
    }

    [Fact]
    public void Should_restore_remembered_ids_in_the_order_they_will_be_forgotten()
    {
        var rules = new RuleSettings { RememberedIdsPerAccount = 3 };
        var state = new AccountState();
        for (var i = 0; i < 5; i++)
        {
            Score(state, Tx(i * 600, id: $"id-{i}"), rules); // wraps around: ids 2, 3, 4 remain
        }

        var restored = AccountStateCodec.Read(AccountStateCodec.Write(state));
        Score(restored, Tx(5 * 600, id: "id-5"), rules); // one more: id-2, the oldest, goes

        Assert.Equal("node-c", Scoring.Score(restored, Tx(2 * 600, id: "id-2"), rules, T0.AddDays(1), "node-c").DetectorNode);
        Assert.Equal("test-node", Scoring.Score(restored, Tx(4 * 600, id: "id-4"), rules, T0.AddDays(1), "node-c").DetectorNode);
        Assert.Equal("test-node", Scoring.Score(restored, Tx(5 * 600, id: "id-5"), rules, T0.AddDays(1), "node-c").DetectorNode);
    }

    private static void AssertSame(Verdict expected, Verdict actual)
    {
        Assert.Equal(expected.Score, actual.Score);
        Assert.Equal(expected.Rules, actual.Rules);
        Assert.Equal(expected.DetectedAt, actual.DetectedAt);
        Assert.Equal(expected.DetectorNode, actual.DetectorNode);
        Assert.Equal(expected.Late, actual.Late);
    }

    [Fact]
    public void Should_keep_the_texts_the_rules_read_and_each_verdicts_action_and_explanation()
    {
        var pack = Compile("""
            rule devices: review weight 0.5
              when distinct(device, 10m) >= 1 and category == "fuel"
            """);
        var rules = new RuleSettings().UsePack(pack);
        var state = new AccountState();
        Scoring.Score(state, Tx(0) with { DeviceId = "dev-a", MerchantCategory = "fuel", Currency = "EUR" }, rules, T0, "n");
        var reviewed = Scoring.Score(state, Tx(10, id: "r") with { DeviceId = "dev-b", MerchantCategory = "fuel" }, rules, T0, "n");
        Assert.Equal(VerdictAction.Review, reviewed.Action);

        var back = AccountStateCodec.Read(AccountStateCodec.Write(state));

        Assert.Equal(state.Window(), back.Window());
        Assert.Equal([TextHash.Of("dev-a"), TextHash.Of("dev-b")], back.EventSpan.ToArray().Select(e => e.Device));
        Assert.Equal([0u, 0u], back.EventSpan.ToArray().Select(e => e.Category)); // the rules read this transaction's category, not earlier ones'
        Assert.Equal(["EUR", "USD"], back.Window().Select(e => e.Currency));
        var again = Scoring.Score(back, Tx(10, id: "r"), rules, T0.AddDays(1), "other");
        Assert.Equal(VerdictAction.Review, again.Action);
        Assert.Equal(reviewed.Rules, again.Rules);
        var hit = Assert.Single(again.Rules);
        Assert.Equal([new SeenValue("distinct(device, 10m)", 1m), new SeenValue("category", null, "fuel")], hit.Values);
    }

    private static Rules.Compiler.CompiledRules Compile(string text) =>
        Rules.Compiler.RuleCompiler.Compile(Rules.Language.RuleParser.Parse(text, "t.rules"), Rules.Compiler.RuleEnvironment.Empty);

    [Fact]
    public void Should_refuse_bytes_of_another_version()
    {
        var bytes = AccountStateCodec.Write(new AccountState());
        bytes[0] = 99;
        Assert.Throws<UnreadableStateException>(() => AccountStateCodec.Read(bytes));
    }
}
