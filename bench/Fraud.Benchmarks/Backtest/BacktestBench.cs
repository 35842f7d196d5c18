using System.Diagnostics;
using System.Globalization;
using System.Text;
using Fraud.Host.Backtest;
using Fraud.Host.Configuration;

namespace Fraud.Benchmarks.Backtest;

/// <summary>What <c>fraud rules backtest</c> costs on a month of card traffic from a file.</summary>
public sealed record BacktestBenchResult(int Transactions, int Accounts, string Candidate, string Baseline, double ReadSeconds, double ScoredSeconds,
    double WallSeconds, double TransactionsPerSecondPerRuleSet, double PeakWorkingSetMb);

/// <summary>
/// Writes a month of transactions (a million by default, 10,000 accounts, seeded: amounts drawn from an exponential of
/// mean 80, a payment every 2.6 s across the accounts) as JSON Lines with a label file, then runs the backtest in this
/// process with its candidate and baseline, reading, scoring and reporting as the command does.
/// </summary>
public static class BacktestBench
{
    public static BacktestBenchResult Run(int transactions, string candidate, string baseline)
    {
        var folder = Directory.CreateTempSubdirectory("fraud-backtest-bench-").FullName;
        try
        {
            var (input, labels) = (Path.Combine(folder, "month.jsonl"), Path.Combine(folder, "labels.csv"));
            Write(input, labels, transactions);
            var settings = FraudSettings.Bind(FraudSettings.LoadConfiguration(new Dictionary<string, string?>()));
            var output = new StringWriter();
            var clock = Stopwatch.StartNew();
            BacktestRunner.Run(new BacktestOptions(candidate, baseline, input, null, null, labels, null), settings, output, CancellationToken.None);
            var wall = clock.Elapsed.TotalSeconds;
            var closing = System.Text.Json.JsonDocument.Parse(output.ToString().Split('\n').Last(l => l.StartsWith("backtest: ", StringComparison.Ordinal))["backtest: ".Length..]).RootElement;
            var seconds = closing.GetProperty("seconds");
            return new BacktestBenchResult(transactions, 10_000, Path.GetFileName(candidate), Path.GetFileName(baseline), seconds.GetProperty("read").GetDouble(),
                seconds.GetProperty("scored").GetDouble(), Math.Round(wall, 2), closing.GetProperty("transactionsPerSecond").GetDouble(),
                Math.Round(Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void Write(string input, string labels, int count)
    {
        var random = new Random(7);
        var t0 = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        using var lines = new StreamWriter(input, false, new UTF8Encoding(false), 1 << 20);
        using var csv = new StreamWriter(labels, false, new UTF8Encoding(false), 1 << 20);
        csv.WriteLine("transactionId,is_fraud");
        for (var i = 0; i < count; i++)
        {
            var amount = Math.Round(-Math.Log(1 - random.NextDouble()) * 80, 2);
            var at = t0.AddMilliseconds(i * 2_600L).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            lines.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $$"""{"transactionId":"m{{i}}","source":"ACC{{random.Next(10_000):D5}}","target":"M{{random.Next(500)}}","amount":{{amount}},"currency":"EUR","timestamp":"{{at}}","country":"DE"}"""));
            csv.WriteLine(string.Create(CultureInfo.InvariantCulture, $"m{i},{(amount > 600 && random.NextDouble() < 0.5 ? 1 : 0)}"));
        }
    }
}
