using System.Diagnostics;
using Fraud.Actors.Rules;
using Fraud.Actors.Rules.Compiler;
using Fraud.Actors.Rules.Language;
using Fraud.Actors.State;
using Fraud.Actors.Transactions;
using Fraud.Generator.Transactions;

namespace Fraud.Benchmarks.Rules;

public sealed record RuleCost(string Rule, double Ns, double HitShare);

public sealed record RuleCostResult(string Rules, int Accounts, int History, double EventsPerAccount, double PackNs, IReadOnlyList<RuleCost> ByRule);

/// <summary>
/// What each rule of a pack costs on the actor bench's traffic (the generator's accounts, 20 ms apart, so every window
/// of a day or a week holds the account's whole history): the accounts' states are built by the whole pack, then the
/// next transactions are scored by the pack and by each rule alone, without being applied. The slow rules stand out.
/// </summary>
public static class RuleCostBench
{
    public static RuleCostResult Run(string path, int accounts, int history, int sample)
    {
        var pack = RulePack.Load(path);
        var settings = new RuleSettings().UsePack(pack);
        var file = RuleParser.Parse(File.ReadAllText(path), path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var factory = new TransactionFactory(7, Math.Max(accounts, 100), 0.02);
        var spacing = TimeSpan.FromMilliseconds(20);
        var start = DateTimeOffset.UtcNow - spacing * (history + sample);
        var states = new Dictionary<string, AccountState>(StringComparer.Ordinal);
        var arena = new AccountArena();
        for (var i = 0; i < history; i++)
        {
            var tx = factory.Next(start + spacing * i).Transaction;
            if (!states.TryGetValue(tx.Source, out var state))
            {
                states[tx.Source] = state = new AccountState(arena);
            }

            Scoring.Score(state, tx, settings, tx.Timestamp, "bench");
        }

        var next = new (AccountState State, Transaction Tx)[sample];
        for (var i = 0; i < sample; i++)
        {
            var tx = factory.Next(start + spacing * (history + i)).Transaction;
            next[i] = (states.TryGetValue(tx.Source, out var s) ? s : new AccountState(arena), tx);
        }

        var costs = new List<RuleCost>();
        var whole = Time(pack, next).Ns;
        foreach (var rule in file.Rules.Where(r => r.Enabled))
        {
            var alone = RulePack.Compile(file with { Rules = [rule] }, directory, RuleEnvironment.DefaultMaxWindow);
            var (ns, hits) = Time(alone, next);
            costs.Add(new RuleCost(rule.Id, ns, hits));
        }

        return new RuleCostResult(path, accounts, history, Math.Round(states.Values.Average(s => s.View.Events.Length), 1), whole,
            costs.OrderByDescending(c => c.Ns).ToList());
    }

    private static (double Ns, double HitShare) Time(CompiledRules rules, (AccountState State, Transaction Tx)[] next)
    {
        var hits = 0;
        for (var round = 0; round < 3; round++) // the first two warm the code to its optimized tier
        {
            hits = 0;
            var t0 = Stopwatch.GetTimestamp();
            foreach (var (state, tx) in next)
            {
                hits += rules.Evaluate(state.View, tx, late: false).Hits.Count > 0 ? 1 : 0;
            }

            if (round == 2)
            {
                var ns = (Stopwatch.GetTimestamp() - t0) * 1e9 / Stopwatch.Frequency / next.Length;
                return (Math.Round(ns, 1), Math.Round(hits / (double)next.Length, 4));
            }
        }

        throw new InvalidOperationException("unreachable");
    }
}
