using Fraud.Actors.Rules;
using Fraud.Actors.State;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Tests;

/// <summary>
/// Checkpoints outlive releases: an account state written in format version 1 (the bytes in
/// <c>Fixtures/account-state-v1.b64</c>, written on 2026-12-03 by the code of that day from the history below) restores
/// under this code; so does format 2 (<c>account-state-v2.b64</c>, 2026-12-05: the same history under a pack that
/// reads devices and targets and reviews); so does format 3 (<c>account-state-v3.b64</c>, 2026-12-06: that pack with a
/// shadow rule, at a rule-set version from the rule topics); format 4 (<c>account-state-v4.b64</c>, 2026-12-06: with
/// rules over an input field the history began to keep after a live change, whose hits say until when their history is
/// partial) is what this code writes, byte for byte; a version it does not know is refused with one clear reason.
/// </summary>
public sealed class FormatFixtureSpecs
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private static readonly (Transaction Tx, string Node)[] History =
    [
        (new Transaction("fx-1", "ACC-FIX", "M-1", 0.5m, "EUR", T0, "fuel", "FR", "d-1"), "node-a"),
        (new Transaction("fx-2", "ACC-FIX", "M-2", 950m, "EUR", T0.AddSeconds(5), "travel", "FR", "d-1"), "node-a"),
        (new Transaction("fx-3", "ACC-FIX", "M-3", 30.25m, "EUR", T0.AddSeconds(7), "fuel", null, "d-1"), "node-a"),
        (new Transaction("fx-4", "ACC-FIX", "M-4", 40m, "USD", T0.AddSeconds(9), "fuel", "US", "d-2"), "node-b"),
        (new Transaction("fx-5", "ACC-FIX", "M-5", 960m, "EUR", T0.AddSeconds(-100), "fuel", "DE", "d-1"), "node-b"),
    ];

    private static byte[] Fixture(int version = 1) =>
        Convert.FromBase64String(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", $"account-state-v{version}.b64")).Trim());

    private const string Pack = """
        rule large: block weight 0.9
          when amount >= 900
        rule new-device: review weight 0.4
          when not seen(device, 1h) and count(1h where target != "M-1") >= 1
        rule spread: review weight 0.3
          when distinct(target, 1h) >= 3 and category in ("fuel", "grocery")
        """;

    private static (AccountState State, List<Verdict> Verdicts) Scored(RuleSettings? rules = null)
    {
        var state = new AccountState();
        var verdicts = History.Select((h, i) => Scoring.Score(state, h.Tx, rules ?? new RuleSettings(), T0.AddSeconds(20 + i), h.Node)).ToList();
        return (state, verdicts);
    }

    private static RuleSettings WithPack() =>
        new RuleSettings().UsePack(Rules.Compiler.RuleCompiler.Compile(Rules.Language.RuleParser.Parse(Pack, "fixture.rules"), Rules.Compiler.RuleEnvironment.Empty));

    // Format 3's additions: a shadow rule's hits (on the legit fx-4 too) and the rule-set version of every verdict.
    private static RuleSettings WithVersionedPack()
    {
        var pack = Rules.Compiler.RuleCompiler.Compile(
            Rules.Language.RuleParser.Parse(Pack + "\nrule watch: review weight 0.2 shadow\n  when amount > 30", "fixture.rules"), Rules.Compiler.RuleEnvironment.Empty);
        pack.Version = new RuleSetVersion(12, 3);
        return new RuleSettings().UsePack(pack);
    }

    [Fact]
    public void Should_restore_a_state_written_in_format_1_as_it_was()
    {
        var (original, verdicts) = Scored();
        var restored = AccountStateCodec.Read(Fixture());

        // Format 1 kept no currency; the rest of each event is as it was.
        Assert.Equal(original.Window().Select(e => e with { Currency = null }), restored.Window());
        Assert.Equal(original.NewestTimestamp, restored.NewestTimestamp);
        Assert.Equal(5, restored.RememberedIds);
        for (var i = 0; i < History.Length; i++)
        {
            // A redelivery gets its first verdict back: rules, observed values, time, node, lateness.
            var again = Scoring.Score(restored, History[i].Tx, new RuleSettings(), T0.AddHours(1), "node-c");
            Assert.Equal(verdicts[i].Rules, again.Rules);
            Assert.Equal(verdicts[i].Score, again.Score);
            Assert.Equal(verdicts[i].DetectedAt, again.DetectedAt);
            Assert.Equal(verdicts[i].DetectorNode, again.DetectorNode);
            Assert.Equal(verdicts[i].Late, again.Late);
        }

        Assert.True(verdicts[4].Late);
        Assert.Contains(verdicts[1].Rules, r => r.Id == LargeAmountRule.Id);
    }

    // Format 4's addition: hits whose history was partial, active and shadow ones, after a change an hour ago at most.
    private static RuleSettings WithPartialPack()
    {
        var rules = Pack + "\nrule watch: review weight 0.2 shadow\n  when amount > 30"
            + "\nrule ip-spread: review weight 0.1\n  when distinct(field(\"ip\"), 1h) == 0 and amount > 900"
            + "\nrule new-ip: review weight 0.1 shadow\n  when not seen(field(\"ip\"), 1h)";
        var pack = Rules.Compiler.RuleCompiler.Compile(Rules.Language.RuleParser.Parse(rules, "fixture.rules"),
            Rules.Compiler.RuleEnvironment.Empty with { PreviousFields = Rules.Compiler.FieldHistory.None, FieldsKeptFrom = T0.AddMinutes(-1).UtcTicks });
        pack.Version = new RuleSetVersion(13, 3);
        return new RuleSettings().UsePack(pack);
    }

    [Fact]
    public void Should_still_write_format_4_byte_for_byte()
    {
        // A change of the format must come with a new version and a reader for this one, which a spec like the one below keeps.
        var written = Convert.ToBase64String(AccountStateCodec.Write(Scored(WithPartialPack()).State));
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "Fixtures", "account-state-v4.b64")), written);
        Assert.Equal(AccountStateCodec.CurrentVersion, Fixture(4)[0]);
        Assert.Equal(Convert.ToBase64String(Fixture(4)), written);
    }

    [Fact]
    public void Should_restore_a_state_written_in_format_4_with_its_partial_hits()
    {
        var (_, verdicts) = Scored(WithPartialPack());
        var restored = AccountStateCodec.Read(Fixture(4));

        Assert.Contains(verdicts, v => v.Rules.Any(h => h.PartialUntil is not null)); // what format 4 adds
        Assert.Contains(verdicts, v => v.Shadow.Any(h => h.PartialUntil is not null));
        for (var i = 0; i < History.Length; i++)
        {
            var again = Scoring.Score(restored, History[i].Tx, WithPack(), T0.AddHours(1), "node-c");
            Assert.Equal(verdicts[i].Rules, again.Rules); // PartialUntil is part of a hit's equality
            Assert.Equal(verdicts[i].Shadow, again.Shadow);
        }
    }

    [Fact]
    public void Should_restore_a_state_written_in_format_3_with_its_rule_set_and_shadow_hits()
    {
        var (_, verdicts) = Scored(WithVersionedPack());
        var restored = AccountStateCodec.Read(Fixture(3));

        Assert.Contains(verdicts, v => v.Action == VerdictAction.Legit && v.Shadow.Count > 0); // what format 3 adds
        Assert.All(verdicts, v => Assert.Equal(new RuleSetVersion(12, 3), v.RuleSet));
        for (var i = 0; i < History.Length; i++)
        {
            // Scored again under other rules: the first verdict comes back, version and shadow hits included.
            var again = Scoring.Score(restored, History[i].Tx, WithPack(), T0.AddHours(1), "node-c");
            Assert.Equal((verdicts[i].Action, verdicts[i].Score, verdicts[i].RuleSet), (again.Action, again.Score, again.RuleSet));
            Assert.Equal(verdicts[i].Rules, again.Rules);
            Assert.Equal(verdicts[i].Shadow, again.Shadow);
        }
    }

    [Fact]
    public void Should_restore_a_state_written_in_format_2_with_its_actions_and_explanations()
    {
        var (original, verdicts) = Scored(WithPack());
        var restored = AccountStateCodec.Read(Fixture(2));

        Assert.Equal(original.EventSpan.ToArray(), restored.EventSpan.ToArray());
        Assert.Contains(verdicts, v => v.Action == VerdictAction.Review); // the fixture holds what format 2 adds
        Assert.Contains(verdicts, v => v.Rules.Any(h => h.Values.Count > 0));
        for (var i = 0; i < History.Length; i++)
        {
            var again = Scoring.Score(restored, History[i].Tx, WithPack(), T0.AddHours(1), "node-c");
            Assert.Equal((verdicts[i].Action, verdicts[i].Score, verdicts[i].DetectorNode), (again.Action, again.Score, again.DetectorNode));
            Assert.Equal(verdicts[i].Rules, again.Rules);
        }
    }

    [Theory]
    [InlineData(new byte[] { 5, 0, 0 }, "format version 5, newer than this node reads (4)")]
    [InlineData(new byte[] { 0, 1 }, "unknown format version 0")]
    [InlineData(new byte[] { 1, 5, 0 }, "format version 1 cannot be decoded")]
    [InlineData(new byte[0], "no bytes")]
    public void Should_refuse_a_state_it_cannot_read_with_one_clear_reason(byte[] bytes, string reason)
    {
        var error = Assert.Throws<UnreadableStateException>(() => AccountStateCodec.Read(bytes));
        Assert.Contains(reason, error.Message);
        Assert.DoesNotContain("\n", error.Message);
    }
}
