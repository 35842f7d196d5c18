using System.Globalization;
using System.Text.Json;
using Fraud.Actors.Backtest;
using Fraud.Actors.Rules;

namespace Fraud.Host.Backtest;

/// <summary>A backtest's figures as a person reads them, and its verdicts as a file, one line each.</summary>
public static class BacktestOutput
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Print(TextWriter output, BacktestResult result, BacktestOptions options)
    {
        output.WriteLine($"backtest of {options.Candidate} against {options.Baseline}: {result.Transactions:N0} transactions, {result.Labelled:N0} labelled, {result.Frauds:N0} fraud");
        output.WriteLine();
        output.WriteLine($"{"rule",-24} {"mode",-7} {"hits",9} {"amount",14} {"precision",9} {"only it",8}");
        foreach (var rule in result.Rules)
        {
            output.WriteLine($"{rule.Rule,-24} {rule.Mode,-7} {rule.Hits,9:N0} {rule.HitAmount,14:N2} {Ratio(rule.Precision),9} {rule.OnlyThis,8:N0}");
        }

        output.WriteLine();
        output.WriteLine($"{"",-10} {"flagged",9} {"block",8} {"review",8} {"allow",8} {"share",7} {"precision",9} {"recall",7} {"F1",6}");
        if (result.Baseline is { } baseline)
        {
            output.WriteLine(TotalsLine("baseline", baseline));
        }

        output.WriteLine(TotalsLine("candidate", result.Candidate));
        if (result.Flips.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("flips (baseline -> candidate):");
            foreach (var flip in result.Flips)
            {
                output.WriteLine($"  {flip.From} -> {flip.To}: {flip.Count:N0} {(flip.Count == 1 ? "transaction" : "transactions")}, amount {flip.Amount:N2}");
            }
        }
    }

    private static string TotalsLine(string name, Totals t) =>
        $"{name,-10} {t.Flagged,9:N0} {t.Blocked,8:N0} {t.Reviewed,8:N0} {t.Allowed,8:N0} {t.FlaggedShare,7:P1} {Ratio(t.Precision),9} {Ratio(t.Recall),7} {Ratio(t.F1),6}";

    private static string Ratio(double? value) => value is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "-";

    /// <summary>
    /// Every verdict, in the order scored: the transaction, its label, the candidate's verdict and the baseline's side by
    /// side with their explanations, and whether the action changed. A reader can count the totals again from it.
    /// </summary>
    public static void Write(string path, IReadOnlyList<BacktestRecord> records, Verdict[]? baseline, Verdict[] candidate)
    {
        using var file = new StreamWriter(path);
        for (var k = 0; k < records.Count; k++)
        {
            var tx = records[k].Transaction;
            file.WriteLine(JsonSerializer.Serialize(new
            {
                transactionId = tx.TransactionId,
                account = tx.Source,
                amount = tx.Amount,
                currency = tx.Currency,
                timestamp = tx.Timestamp,
                isFraud = records[k].IsFraud,
                changed = baseline is not null && baseline[k].Action != candidate[k].Action,
                candidate = View(candidate[k]),
                baseline = baseline is null ? null : View(baseline[k]),
            }, Json));
        }
    }

    private static object View(Verdict verdict) => new
    {
        action = BacktestResult.ActionText(verdict.Action),
        score = verdict.Score,
        rules = verdict.Rules.Select(Hit),
        shadow = verdict.Shadow.Select(Hit),
    };

    private static object Hit(RuleHit hit) => new { id = hit.Id, observed = hit.Observed, limit = hit.Limit, window = hit.Window, version = hit.Version };
}
