using Fraud.Actors.Rules;

namespace Fraud.Actors.Backtest;

/// <summary>One rule of the candidate over the history: its hits, what they flagged, how often the labels agree.</summary>
/// <param name="OnlyThis">Hits on transactions no other rule of the candidate hit (active and shadow alike).</param>
public sealed record RuleFigures(string Rule, string Mode, long Hits, decimal HitAmount, long LabelledHits, long FraudHits, double? Precision, long OnlyThis);

/// <summary>
/// A rule set's verdicts against the labels. Flagged: blocked or reviewed. Precision and recall count only labelled
/// transactions (null when none is, or none is flagged); amounts are added as sent, whatever their currency.
/// </summary>
public sealed record Totals(
    long Flagged, long Blocked, long Reviewed, long Allowed, decimal FlaggedAmount, double FlaggedShare,
    long LabelledFlagged, long TruePositives, long FalsePositives, long FalseNegatives, double? Precision, double? Recall, double? F1);

/// <summary>Transactions whose action changed from the baseline's to the candidate's, and their amount.</summary>
public sealed record Flip(string From, string To, long Count, decimal Amount);

/// <summary>What a backtest prints: the history, both rule sets' totals, the candidate's rules, the flips.</summary>
public sealed record BacktestResult(long Transactions, long Labelled, long Frauds, Totals? Baseline, Totals Candidate, IReadOnlyList<RuleFigures> Rules, IReadOnlyList<Flip> Flips)
{
    /// <summary>The figures of <paramref name="candidate"/>'s verdicts (and <paramref name="baseline"/>'s, if any) over <paramref name="records"/>, index for index.</summary>
    public static BacktestResult Of(IReadOnlyList<BacktestRecord> records, Verdict[]? baseline, Verdict[] candidate, IEnumerable<(string Id, string Mode)> candidateRules)
    {
        var labelled = records.Count(r => r.IsFraud is not null);
        var frauds = records.Count(r => r.IsFraud == true);
        var flips = new Dictionary<(string, string), (long Count, decimal Amount)>();
        if (baseline is not null)
        {
            for (var k = 0; k < records.Count; k++)
            {
                var (from, to) = (baseline[k].Action, candidate[k].Action);
                if (from != to)
                {
                    var key = (ActionText(from), ActionText(to));
                    var known = flips.GetValueOrDefault(key);
                    flips[key] = (known.Count + 1, known.Amount + records[k].Transaction.Amount);
                }
            }
        }

        return new BacktestResult(records.Count, labelled, frauds, baseline is null ? null : TotalsOf(records, baseline), TotalsOf(records, candidate),
            candidateRules.Select(r => RuleOf(records, candidate, r.Id, r.Mode)).ToList(),
            flips.OrderByDescending(f => f.Value.Count).ThenBy(f => f.Key.Item1, StringComparer.Ordinal).ThenBy(f => f.Key.Item2, StringComparer.Ordinal)
                .Select(f => new Flip(f.Key.Item1, f.Key.Item2, f.Value.Count, f.Value.Amount)).ToList());
    }

    public static bool IsFlagged(Verdict verdict) => verdict.Action is VerdictAction.Block or VerdictAction.Review;

    // As the verdict's JSON writes an action; made once, not once a transaction.
    private static readonly string[] ActionNames = [.. Enum.GetValues<VerdictAction>().Select(a => a.ToString().ToLowerInvariant())];

    public static string ActionText(VerdictAction action) => ActionNames[(int)action];

    private static Totals TotalsOf(IReadOnlyList<BacktestRecord> records, Verdict[] verdicts)
    {
        long flagged = 0, blocked = 0, reviewed = 0, allowed = 0, labelledFlagged = 0, truePositives = 0, falsePositives = 0, falseNegatives = 0;
        var amount = 0m;
        for (var k = 0; k < records.Count; k++)
        {
            var (verdict, label) = (verdicts[k], records[k].IsFraud);
            _ = verdict.Action switch { VerdictAction.Block => blocked++, VerdictAction.Review => reviewed++, VerdictAction.Allow => allowed++, _ => 0 };
            if (IsFlagged(verdict))
            {
                flagged++;
                amount += records[k].Transaction.Amount;
                if (label is { } fraud)
                {
                    labelledFlagged++;
                    _ = fraud ? truePositives++ : falsePositives++;
                }
            }
            else if (label == true)
            {
                falseNegatives++;
            }
        }

        double? precision = labelledFlagged == 0 ? null : (double)truePositives / labelledFlagged;
        double? recall = truePositives + falseNegatives == 0 ? null : (double)truePositives / (truePositives + falseNegatives);
        double? f1 = precision is { } p && recall is { } r && p + r > 0 ? 2 * p * r / (p + r) : null;
        return new Totals(flagged, blocked, reviewed, allowed, amount, records.Count == 0 ? 0 : Math.Round((double)flagged / records.Count, 4),
            labelledFlagged, truePositives, falsePositives, falseNegatives, Round(precision), Round(recall), Round(f1));
    }

    private static RuleFigures RuleOf(IReadOnlyList<BacktestRecord> records, Verdict[] verdicts, string id, string mode)
    {
        long hits = 0, labelledHits = 0, fraudHits = 0, onlyThis = 0;
        var amount = 0m;
        for (var k = 0; k < records.Count; k++)
        {
            var verdict = verdicts[k];
            if (!Hit(verdict.Rules, id) && !Hit(verdict.Shadow, id))
            {
                continue;
            }

            hits++;
            amount += records[k].Transaction.Amount;
            if (verdict.Rules.Count + verdict.Shadow.Count == 1)
            {
                onlyThis++;
            }

            if (records[k].IsFraud is { } fraud)
            {
                labelledHits++;
                if (fraud) fraudHits++;
            }
        }

        return new RuleFigures(id, mode, hits, amount, labelledHits, fraudHits, labelledHits == 0 ? null : Round((double)fraudHits / labelledHits), onlyThis);
    }

    private static bool Hit(IReadOnlyList<RuleHit> hits, string id)
    {
        for (var i = 0; i < hits.Count; i++)
        {
            if (hits[i].Id == id) return true;
        }

        return false;
    }

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 4) : null;
}
