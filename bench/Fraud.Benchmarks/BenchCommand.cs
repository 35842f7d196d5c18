using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Fraud.Benchmarks.ActorLayer;
using Fraud.Benchmarks.Checkpoints;
using Fraud.Benchmarks.EndToEnd;
using Fraud.Benchmarks.Rules;

namespace Fraud.Benchmarks;

/// <summary>Runs the selected parts, prints a table per part and one closing <c>bench: {json}</c> line.</summary>
public static class BenchCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var part = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "all";
        var messages = Option(args, "--messages", 100_000);
        var soakSeconds = Option(args, "--soak-seconds", 60);
        var parallelism = Option(args, "--parallelism", 256);
        var results = new Dictionary<string, object>
        {
            ["machine"] = $"{Environment.ProcessorCount} cores, {Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1024.0 / 1024 / 1024)} GiB, .NET {Environment.Version}",
            ["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };

        if (part is "all" or "pack")
        {
            results["pack"] = Pack();
        }

        if (part is "all" or "rules")
        {
            results["rules"] = Rules();
        }

        if (part is "all" or "actors")
        {
            var actorRules = TextOption(args, "--rules") is { } packFile ? new Fraud.Actors.Rules.RuleSettings().UsePack(Fraud.Actors.Rules.Compiler.RulePack.Load(packFile)) : new Fraud.Actors.Rules.RuleSettings();
            var actors = await ActorLayerBench.RunAsync(500_000, parallelism, Option(args, "--accounts", 10_000),
                TimeSpan.FromMilliseconds(Option(args, "--checkpoint-ms", (int)new Fraud.Actors.Partitions.AccountSettings().CheckpointInterval.TotalMilliseconds)),
                actorRules);
            Table("actor layer alone (in-memory source and sinks, partition actors with checkpoints in memory)", actors);
            results["actorLayer"] = actors;
        }

        if (part is "all" or "checkpoints")
        {
            var checkpoints = await CheckpointBench.RunAsync();
            Table("checkpoints (the SQLite store: 12 partitions saving 3,000 new accounts each, 30 times)", checkpoints);
            results["checkpoints"] = checkpoints;
        }

        if (part is "all" or "e2e")
        {
            var fraudDll = Path.Combine(AppContext.BaseDirectory, "fraud.dll");
            var latencyRate = Option(args, "--latency-rate", 0);
            var e2e = await EndToEndBench.RunAsync(fraudDll, messages, TimeSpan.FromSeconds(20), TextOption(args, "--checkpoints") ?? "sqlite",
                latencyRate > 0 ? latencyRate : null, generatorInProcess: TextOption(args, "--generator") == "in-process",
                population: Option(args, "--population", EndToEndBench.DefaultPopulation));
            Table("end to end (embedded broker in its own process)", e2e);
            results["endToEnd"] = e2e;
        }

        if (part is "backtest")
        {
            var backtest = Backtest.BacktestBench.Run(Option(args, "--messages", 1_000_000), TextOption(args, "--rules") ?? Path.Combine("rules", "recommended.rules"),
                TextOption(args, "--baseline") ?? Path.Combine("rules", "default.rules"));
            Console.WriteLine($"backtest of {backtest.Transactions:N0} transactions from a file ({backtest.Candidate} against {backtest.Baseline}): read and parsed in {backtest.ReadSeconds} s, " +
                $"scored in {backtest.ScoredSeconds} s ({backtest.TransactionsPerSecondPerRuleSet:N0} transactions a second a rule set), {backtest.WallSeconds} s in all, peak {backtest.PeakWorkingSetMb} MB");
            results["backtest"] = backtest;
        }

        if (part is "swap")
        {
            var swap = await SwapBench.RunAsync(Path.Combine(AppContext.BaseDirectory, "fraud.dll"), Option(args, "--latency-rate", 40_000),
                TimeSpan.FromSeconds(Option(args, "--phase-seconds", 20)), Option(args, "--pairs", 3), TextOption(args, "--rules") ?? Path.Combine("rules", "default.rules"));
            Console.WriteLine($"rule-set swaps at {swap.Rate:N0} msg/s ({swap.Rules}): p99 without {string.Join(", ", swap.P99WithoutMs)} ms, with a swap a second {string.Join(", ", swap.P99WithMs)} ms " +
                $"(swaps {string.Join(", ", swap.Swaps)}); medians {swap.MedianP99WithoutMs} and {swap.MedianP99WithMs}, difference {swap.DifferenceMs} ms; a change applied {swap.SwapAppliedP50Ms} ms after its write (median), {swap.SwapAppliedMaxMs} at most");
            results["swap"] = swap;
        }

        if (part is "all" or "state")
        {
            var file = TextOption(args, "--rules");
            var rules = file is null ? new Fraud.Actors.Rules.RuleSettings() : new Fraud.Actors.Rules.RuleSettings().UsePack(Fraud.Actors.Rules.Compiler.RulePack.Load(file));
            var state = State.AccountStateBench.Run(rules, file ?? "built-in", Option(args, "--accounts", 100_000), Option(args, "--per-day", 4), Option(args, "--days", 7));
            Table("state per active account after a week of typical card traffic", state);
            results["state"] = state;
        }

        if (part is "rulecost")
        {
            var file = TextOption(args, "--rules") ?? Path.Combine("rules", "default.rules");
            var cost = RuleCostBench.Run(file, Option(args, "--accounts", 10_000), Option(args, "--history", 500_000), Option(args, "--sample", 50_000));
            Console.WriteLine($"rule cost on {cost.Accounts:N0} accounts after {cost.History:N0} transactions ({cost.EventsPerAccount} events kept an account): the pack {cost.PackNs} ns a transaction");
            foreach (var rule in cost.ByRule)
            {
                Console.WriteLine($"  {rule.Rule,-20} {rule.Ns,8} ns  hits {rule.HitShare:P1}");
            }

            results["ruleCost"] = cost;
        }

        if (part is "all" or "memory")
        {
            var memory = await ActorLayerBench.MemoryAsync(TimeSpan.FromSeconds(soakSeconds), parallelism);
            Table("memory", memory);
            results["memory"] = memory;
        }

        Console.WriteLine("bench: " + JsonSerializer.Serialize(results));
        return 0;
    }

    private static List<Dictionary<string, object>> Rules()
    {
        var config = ManualConfig.CreateMinimumViable()
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
            .WithOptions(ConfigOptions.DisableLogFile);
        var summary = BenchmarkRunner.Run<RuleBenchmarks>(config);
        var rows = summary.Reports
            .Where(r => r.ResultStatistics is not null)
            .Select(r => new Dictionary<string, object>
            {
                ["rule"] = r.BenchmarkCase.Parameters["Rule"]!,
                ["case"] = r.BenchmarkCase.Descriptor.WorkloadMethod.Name,
                ["ns"] = Math.Round(r.ResultStatistics!.Mean, 1),
                ["bytes"] = r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase) ?? -1,
            })
            .ToList();
        Console.WriteLine();
        Console.WriteLine("rule evaluation (ns and bytes allocated per transaction)");
        foreach (var row in rows)
        {
            Console.WriteLine($"  {row["rule"],-18} {row["case"],-8} {row["ns"],8} ns {row["bytes"],6} B");
        }

        return rows;
    }

    private static List<Dictionary<string, object>> Pack()
    {
        var config = ManualConfig.CreateMinimumViable()
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
            .WithOptions(ConfigOptions.DisableLogFile);
        var summary = BenchmarkRunner.Run<PackBenchmarks>(config);
        var rows = summary.Reports
            .Where(r => r.ResultStatistics is not null)
            .Select(r => new Dictionary<string, object>
            {
                ["case"] = r.BenchmarkCase.Descriptor.WorkloadMethod.Name,
                ["ns"] = Math.Round(r.ResultStatistics!.Mean, 1),
                ["bytes"] = r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase) ?? -1,
            })
            .ToList();
        Console.WriteLine();
        Console.WriteLine("the five rules: built-in against rules/default.rules compiled (ns and bytes per transaction)");
        foreach (var row in rows)
        {
            Console.WriteLine($"  {row["case"],-16} {row["ns"],8} ns {row["bytes"],6} B");
        }

        return rows;
    }

    private static void Table(string title, object result)
    {
        Console.WriteLine();
        Console.WriteLine(title);
        foreach (var property in result.GetType().GetProperties())
        {
            var value = property.GetValue(result);
            var text = value is System.Collections.IEnumerable items and not string
                ? string.Join(", ", items.Cast<object>())
                : value?.ToString();
            Console.WriteLine($"  {property.Name,-24} {text}");
        }
    }

    private static string? TextOption(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    private static int Option(string[] args, string name, int fallback) =>
        TextOption(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
