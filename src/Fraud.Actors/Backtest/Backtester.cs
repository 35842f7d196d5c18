using Fraud.Actors.Rules;
using Fraud.Actors.Rules.Compiler;
using Fraud.Actors.State;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Backtest;

/// <summary>One input of a backtest: a transaction, and what the labels say of it (null: it has none).</summary>
public sealed record BacktestRecord(Transaction Transaction, bool? IsFraud);

/// <summary>
/// Scores a history under a rule set as the detector would have: each account's state built transaction by
/// transaction through the same <see cref="Scoring.Score"/> (windows, lateness, idempotence), in event-time order,
/// nothing written anywhere. One pass per rule set, so a candidate and its baseline each see the history from empty.
/// </summary>
public static class Backtester
{
    public const string Node = "backtest";

    /// <summary>The records in the order a backtest scores them: by event time, ties in input order.</summary>
    public static BacktestRecord[] InEventTimeOrder(IEnumerable<BacktestRecord> records) =>
        records.OrderBy(r => EventTime.TicksOf(r.Transaction)).ToArray(); // OrderBy is stable: ties keep input order

    /// <summary>Each record's verdict under <paramref name="pack"/> (null: no rules, every verdict legit).</summary>
    /// <param name="progress">Told how many records are scored, every 65,536 and at the end.</param>
    public static Verdict[] Score(IReadOnlyList<BacktestRecord> ordered, CompiledRules? pack, RuleSettings settings, Action<int>? progress = null)
    {
        var verdicts = new Verdict[ordered.Count];
        var accounts = new Dictionary<string, AccountState>(StringComparer.Ordinal);
        var arena = new AccountArena(); // one scorer: one arena for every account, as a partition has
        for (var k = 0; k < ordered.Count; k++)
        {
            var tx = ordered[k].Transaction;
            if (pack is null)
            {
                verdicts[k] = new Verdict(0, [], tx.Timestamp, Node);
            }
            else
            {
                if (!accounts.TryGetValue(tx.Source, out var state))
                {
                    accounts[tx.Source] = state = new AccountState(arena);
                }

                // Event time drives every rule; "now" only stamps detectedAt, which a backtest does not compare.
                verdicts[k] = Scoring.Score(state, tx, settings, pack, tx.Timestamp, Node);
            }

            if ((k & 0xFFFF) == 0xFFFF)
            {
                progress?.Invoke(k + 1);
            }
        }

        progress?.Invoke(ordered.Count);
        return verdicts;
    }
}
