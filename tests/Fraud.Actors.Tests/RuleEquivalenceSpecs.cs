using System.Globalization;
using Fraud.Actors.Rules;
using Fraud.Actors.Rules.Compiler;
using Fraud.Actors.State;
using Fraud.Actors.Transactions;
using Fraud.Generator.Transactions;

namespace Fraud.Actors.Tests;

/// <summary>
/// rules/default.rules, compiled, decides as the five built-in rules do: the same hits in the same order, the same
/// observed values, limits and windows as text (what the verdict's JSON writes), the same score, the same routing and
/// the same written record, on the same history.
/// </summary>
public sealed class RuleEquivalenceSpecs
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 21, 30, 0, TimeSpan.Zero);

    internal static string DefaultPack()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Fraud.sln")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("Fraud.sln not found"), "rules", "default.rules");
    }

    [Fact]
    public void Should_decide_as_the_built_in_rules_on_the_demo_stream_with_seed_42()
    {
        // The demo: 1,000 transactions a second for 20 seconds over 10,000 accounts.
        var factory = new TransactionFactory(42);
        var stream = Enumerable.Range(0, 20_000).Select(i => factory.Next(Start.AddTicks(i * TimeSpan.TicksPerMillisecond)).Transaction);
        var (fired, _) = Compare(stream);
        Assert.True(fired > 100, $"only {fired} transactions fired a rule: the comparison would prove little");
    }

    [Fact]
    public void Should_decide_as_the_built_in_rules_on_100000_generated_transactions_some_late_or_out_of_order()
    {
        var factory = new TransactionFactory(7, accounts: 2_000, fraudShare: 0.1);
        var random = new Random(7);
        var stream = Enumerable.Range(0, 100_000).Select(i =>
        {
            var tx = factory.Next(Start.AddTicks(i * 20 * TimeSpan.TicksPerMillisecond)).Transaction;

            // One in twenty arrives up to 45 s behind its account: some within the 30-s lateness, some beyond it.
            return random.Next(20) == 0 ? tx with { Timestamp = tx.Timestamp.AddSeconds(-random.Next(45)) } : tx;
        });
        var (fired, late) = Compare(stream);
        Assert.True(fired > 2_000, $"only {fired} transactions fired a rule");
        Assert.True(late > 100, $"only {late} transactions were late");
    }

    private static (int Fired, int Late) Compare(IEnumerable<Transaction> stream)
    {
        var byRule = new Dictionary<string, int>(StringComparer.Ordinal);
        var builtInRules = new RuleSettings();
        builtInRules.VelocityCount.Weight = 0.8;
        builtInRules.VelocityAmount.Weight = 0.8;
        var packRules = new RuleSettings().UsePack(RulePack.Load(DefaultPack()));
        var builtInAccounts = new Dictionary<string, AccountState>(StringComparer.Ordinal);
        var packAccounts = new Dictionary<string, AccountState>(StringComparer.Ordinal);
        var (fired, late, n) = (0, 0, 0);
        foreach (var tx in stream)
        {
            n++;
            var builtIn = Scoring.Score(Account(builtInAccounts, tx.Source), tx, builtInRules, Start, "node");
            var compiled = Scoring.Score(Account(packAccounts, tx.Source), tx, packRules, Start, "node");

            var expected = string.Join(" | ", builtIn.Rules.Select(Text));
            var actual = string.Join(" | ", compiled.Rules.Select(Text));
            Assert.True(expected == actual, $"transaction {n} ({tx.TransactionId}): built-in [{expected}], compiled [{actual}]");
            Assert.Equal(builtIn.Score, compiled.Score);
            Assert.Equal(builtIn.IsFraud ? VerdictAction.Block : VerdictAction.Legit, compiled.Action);

            // Routed the same, and written the same, byte for byte, but for the values the built-in rules never had.
            var (expectedRecord, actualRecord) = (Routed(tx, builtIn), Routed(tx, compiled with { Rules = compiled.Rules.Select(h => h with { Values = [] }).ToArray() }));
            Assert.Equal(expectedRecord.Outcome, actualRecord.Outcome);
            Assert.True(expectedRecord.Value.AsSpan().SequenceEqual(actualRecord.Value), $"transaction {n}: the written records differ");
            Assert.All(compiled.Rules, h => Assert.NotEmpty(h.Values));

            fired += builtIn.IsFraud ? 1 : 0;
            foreach (var hit in builtIn.Rules)
            {
                byRule[hit.Id] = byRule.GetValueOrDefault(hit.Id) + 1;
            }

            late += builtIn.Late ? 1 : 0;
            Assert.Equal(builtIn.Late, compiled.Late);
        }

        // Every built-in rule is exercised, or agreeing on it would mean nothing.
        foreach (var id in new[] { LargeAmountRule.Id, VelocityCountRule.Id, VelocityAmountRule.Id, SmallThenLargeRule.Id, ImpossibleTravelRule.Id })
        {
            Assert.True(byRule.GetValueOrDefault(id) >= 10, $"{id} fired {byRule.GetValueOrDefault(id)} times");
        }

        return (fired, late);
    }

    private static AccountState Account(Dictionary<string, AccountState> accounts, string source)
    {
        if (!accounts.TryGetValue(source, out var account))
        {
            accounts[source] = account = new AccountState();
        }

        return account;
    }

    private static Detection.OutboundRecord<int> Routed(Transaction tx, Verdict verdict)
    {
        var input = new Detection.InboundRecord<int>(null, TransactionJson.Write(tx), [], new RecordOrigin("in", 0, 0, Start), 0);
        return Detection.OutputRecords.ToOutbound(new Detection.ScoredRecord<int>(input, Detection.DetectorGraph.OutcomeOf(verdict), tx, verdict));
    }

    // As the verdict's JSON writes a hit: decimals in their own scale, so 6 and 6.0 differ here as they would there.
    private static string Text(RuleHit hit) =>
        string.Create(CultureInfo.InvariantCulture, $"{hit.Id} {hit.Observed} {hit.Limit} {hit.Window}");
}
