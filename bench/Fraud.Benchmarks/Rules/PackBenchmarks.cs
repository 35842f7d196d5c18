using BenchmarkDotNet.Attributes;
using Fraud.Actors.Rules;
using Fraud.Actors.Rules.Compiler;
using Fraud.Actors.State;
using Fraud.Actors.Transactions;

namespace Fraud.Benchmarks.Rules;

/// <summary>
/// The five rules together, as the detector runs them: the built-in chain against rules/default.rules compiled, on
/// the histories of <see cref="RuleBenchmarks"/> (a calm one where nothing fires, a burst where every rule fires).
/// </summary>
[MemoryDiagnoser]
public class PackBenchmarks
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private AccountState _calm = null!;
    private AccountState _burst = null!;
    private RuleSettings _rules = null!;
    private CompiledRules _pack = null!;
    private Transaction _legit = null!;
    private Transaction _flagged = null!;

    [GlobalSetup]
    public void Setup()
    {
        _rules = new RuleSettings();
        _pack = RulePack.Load(Path.Combine(RepositoryRoot(), "rules", "default.rules"));
        var amounts = new[] { 300m, 300m, 20m, 45m, 300m, 0.5m, 12m, 300m };
        _calm = new AccountState();
        _burst = new AccountState();
        for (var i = 0; i < amounts.Length; i++)
        {
            Scoring.Apply(_calm, Tx(i * 20, amounts[i] / 10, "US"), _rules);
            Scoring.Apply(_burst, Tx(i * 5, amounts[i] < 1 ? amounts[i] : amounts[i] + 100, "US"), _rules);
        }

        _legit = Tx(141, 10m, "US");
        _flagged = Tx(36, 950m, "JP");
    }

    [Benchmark(Baseline = true)]
    public int BuiltInLegit() => Scoring.Evaluate(_calm, _legit, _rules).Count;

    [Benchmark]
    public int CompiledLegit() => _pack.Evaluate(_calm.View, _legit, late: false).Hits.Count;

    [Benchmark]
    public int BuiltInFlagged() => Scoring.Evaluate(_burst, _flagged, _rules).Count;

    [Benchmark]
    public int CompiledFlagged() => _pack.Evaluate(_burst.View, _flagged, late: false).Hits.Count;

    private static Transaction Tx(double seconds, decimal amount, string country) =>
        new("id", "ACC", "MER", amount, "USD", T0.AddSeconds(seconds), "grocery", country, "dev");

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(Directory.GetCurrentDirectory());
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Fraud.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("run the bench from inside the checkout (Fraud.sln not found)");
    }
}
