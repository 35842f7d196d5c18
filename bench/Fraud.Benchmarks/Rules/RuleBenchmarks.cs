using BenchmarkDotNet.Attributes;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Benchmarks.Rules;

/// <summary>
/// Cost of evaluating one rule for one transaction against a typical account history (8 recent events), with only that
/// rule enabled. <c>Legit</c> is the common case (nothing fires); <c>Flagged</c> builds the explanation.
/// </summary>
[MemoryDiagnoser]
public class RuleBenchmarks
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private AccountState _state = null!;
    private RuleSettings _rules = null!;
    private Transaction _legit = null!;
    private Transaction _flagged = null!;

    [Params(LargeAmountRule.Id, VelocityCountRule.Id, VelocityAmountRule.Id, SmallThenLargeRule.Id, ImpossibleTravelRule.Id)]
    public string Rule { get; set; } = LargeAmountRule.Id;

    [GlobalSetup]
    public void Setup()
    {
        _rules = new RuleSettings();
        _rules.LargeAmount.Enabled = Rule == LargeAmountRule.Id;
        _rules.VelocityCount.Enabled = Rule == VelocityCountRule.Id;
        _rules.VelocityAmount.Enabled = Rule == VelocityAmountRule.Id;
        _rules.SmallThenLarge.Enabled = Rule == SmallThenLargeRule.Id;
        _rules.ImpossibleTravel.Enabled = Rule == ImpossibleTravelRule.Id;
        _state = new AccountState();
        var history = new[] { 0.5m, 300m, 300m, 20m, 45m, 300m, 12m, 300m };
        for (var i = 0; i < history.Length; i++)
        {
            Scoring.Apply(_state, Tx(i * 5, history[i], "US"), _rules);
        }

        _legit = Tx(41, 10m, "US");
        _flagged = Tx(42, 950m, "JP");
    }

    [Benchmark]
    public int Legit() => Scoring.Evaluate(_state, _legit, _rules).Count;

    [Benchmark]
    public int Flagged() => Scoring.Evaluate(_state, _flagged, _rules).Count;

    private static Transaction Tx(double seconds, decimal amount, string country) =>
        new("id", "ACC", "MER", amount, "USD", T0.AddSeconds(seconds), "grocery", country, "dev");
}
