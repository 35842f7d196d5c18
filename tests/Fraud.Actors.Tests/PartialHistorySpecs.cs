using System.Text;
using Fraud.Actors.Checkpoints;
using Fraud.Actors.Rules;
using Fraud.Actors.Rules.Catalog;
using Fraud.Actors.Rules.Compiler;
using Fraud.Actors.Rules.Language;
using Fraud.Actors.State;
using Fraud.Actors.Transactions;
using static Fraud.Actors.Tests.TestTransactions;

namespace Fraud.Actors.Tests;

/// <summary>
/// Rules changed live over input fields by name (<c>field("x")</c>): the history keeps such a field of earlier
/// transactions only while a rule reads it, in one of two slots. A rule set that starts reading one, or puts another
/// field in a slot, must not read what the slot held before as that field; its hits say the history is partial until
/// their window has passed since the change. Transactions parsed under the rules before a change are read by name.
/// </summary>
public sealed class PartialHistorySpecs
{
    private static CompiledRules Compile(string rules, CompiledRules? previous, DateTimeOffset keptFrom) =>
        RuleCompiler.Compile(RuleParser.Parse(rules, "live.rules"), RuleEnvironment.Empty with
        {
            PreviousFields = previous?.FieldHistory,
            FieldsKeptFrom = keptFrom.UtcTicks,
        });

    private static Transaction Tx(double seconds, CompiledRules pack, string fields, string account = "ACC-P")
    {
        var json = $$"""{"transactionId":"p-{{Guid.NewGuid():N}}","source":"{{account}}","target":"M","amount":10,"currency":"EUR","timestamp":"{{T0.AddSeconds(seconds):O}}",{{fields}}}""";
        // Arrived when dated: a record's event time is never later than its arrival.
        var parsed = TransactionParser.Parse(Encoding.UTF8.GetBytes(json), new RecordOrigin("queueing.transactions", 0, 1, T0.AddSeconds(seconds)), RecordLimits.Default, T0.AddSeconds(seconds), pack.Fields);
        Assert.True(parsed.IsValid, parsed.Detail);
        return parsed.Transaction!;
    }

    private static Verdict Score(AccountState account, Transaction tx, CompiledRules pack) =>
        Scoring.Score(account, tx, new RuleSettings(), pack, tx.Timestamp, "n");

    private const string ReadsFingerprint = """
        rule fp: review weight 0.1
          when seen(field("fp"), 1h)
        """;

    [Fact]
    public void Should_not_read_another_fields_values_in_a_slot_that_changed_and_say_the_history_is_partial()
    {
        var account = new AccountState();
        var before = Compile(ReadsFingerprint, null, T0);
        Assert.Equal(new FieldHistory("fp", 0, null, 0), before.FieldHistory); // the first rule set of a node: its history is whole
        for (var s = 0; s < 3; s++)
        {
            Score(account, Tx(s, before, "\"fp\":\"x\",\"ip\":\"x\""), before);
        }

        // The fingerprint rule deleted, an ip rule added: slot 1 holds ip from the change on.
        var changedAt = T0.AddSeconds(10);
        var after = Compile("rule ip: review weight 0.5\n  when seen(field(\"ip\"), 1h)", before, changedAt);
        Assert.Equal(new FieldHistory("ip", changedAt.UtcTicks, null, 0), after.FieldHistory);

        // Earlier events hold fingerprints "x" in the slot: not ip's, so ip "x" was not seen.
        Assert.Empty(Score(account, Tx(20, after, "\"ip\":\"x\""), after).Rules);

        // Seen since the change: it fires, and says its history is whole only an hour after the change.
        var hit = Assert.Single(Score(account, Tx(30, after, "\"ip\":\"x\""), after).Rules);
        Assert.Equal(changedAt.AddHours(1), hit.PartialUntil);

        // An hour on, the window holds only what the slot kept as ip: the hit is whole.
        Score(account, Tx(3_700, after, "\"ip\":\"z\""), after);
        var whole = Assert.Single(Score(account, Tx(3_710, after, "\"ip\":\"z\""), after).Rules);
        Assert.Null(whole.PartialUntil);
    }

    [Fact]
    public void Should_count_distinct_values_only_from_when_the_field_was_kept()
    {
        var account = new AccountState();
        var before = Compile("rule fps: review\n  when distinct(field(\"fp\"), 10m) > 100", null, T0);
        for (var s = 0; s < 5; s++)
        {
            Score(account, Tx(s, before, $"\"fp\":\"f{s}\",\"ip\":\"10.0.0.{s}\""), before); // the slot keeps fp
        }

        var after = Compile("rule many-ips: review\n  when distinct(field(\"ip\"), 10m) >= 2", before, T0.AddSeconds(10));
        Assert.Empty(Score(account, Tx(20, after, "\"ip\":\"10.0.0.9\""), after).Rules); // five fingerprints are no ips
        Assert.Empty(Score(account, Tx(21, after, "\"ip\":\"10.0.0.8\""), after).Rules); // one ip kept so far
        var hit = Assert.Single(Score(account, Tx(22, after, "\"ip\":\"10.0.0.7\""), after).Rules);
        Assert.Equal(2, hit.Observed);
        Assert.Equal(T0.AddSeconds(10).AddMinutes(10), hit.PartialUntil);
    }

    [Fact]
    public void Should_keep_a_fields_slot_and_its_whole_history_when_the_rules_change_around_it()
    {
        var account = new AccountState();
        var before = Compile(ReadsFingerprint, null, T0);
        Score(account, Tx(1, before, "\"fp\":\"x\""), before);
        var after = Compile(ReadsFingerprint + "\nrule big: block\n  when amount > 1000", before, T0.AddSeconds(10));

        Assert.Equal(before.FieldHistory, after.FieldHistory);
        var hit = Assert.Single(Score(account, Tx(20, after, "\"fp\":\"x\""), after).Rules);
        Assert.Null(hit.PartialUntil);
    }

    [Fact]
    public void Should_read_a_record_parsed_under_the_rules_before_a_change_by_its_fields_names()
    {
        var before = Compile("rule a: review\n  when field(\"channel\") == \"web\"\nrule b: review\n  when field(\"risk\") > 0.9", null, T0);
        var after = Compile("rule b: review\n  when field(\"risk\") > 0.9\nrule c: block\n  when field(\"score\") > 5", before, T0.AddSeconds(10));
        Assert.NotEqual(before.Fields!.Names, after.Fields!.Names);
        var inFlight = Tx(20, before, "\"channel\":\"app\",\"risk\":0.95,\"score\":9");

        // Parsed under the first rules (channel, risk), scored under the second (risk, score): risk is read as risk,
        // and score, which the first rules did not keep, is missing.
        var verdict = Score(new AccountState(), inFlight, after);
        Assert.Equal(["b"], verdict.Rules.Select(r => r.Id));
    }

    [Fact]
    public void Should_start_fields_a_live_change_names_a_second_after_it_through_the_catalog()
    {
        var record = new RuleRecord("rule ip: review\n  when seen(field(\"ip\"), 1h)", RuleMode.Active, 1, "spec", T0);
        var catalog = RuleCatalog.Empty.WithRule("ip", record.ToJson(), 1);
        var first = catalog.Compile(null, TimeSpan.FromDays(30), T0);
        var changedAt = T0.AddMinutes(5);
        var moved = catalog.WithRule("fp", new RuleRecord("rule fp: review\n  when seen(field(\"fp\"), 1h)", RuleMode.Active, 1, "spec", changedAt).ToJson(), 2)
            .WithRule("ip", null, 3).Compile(null, TimeSpan.FromDays(30), changedAt, first);

        Assert.Equal(0, first.FieldHistory.Field1Since);
        Assert.Equal(new FieldHistory("fp", changedAt.AddSeconds(1).UtcTicks, null, 0), moved.FieldHistory);
    }
}
