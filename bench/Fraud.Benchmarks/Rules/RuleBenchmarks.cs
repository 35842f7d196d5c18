using Fraud.Actors.State;
using BenchmarkDotNet.Attributes;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Benchmarks.Rules;

/// <summary>
/// Cost of evaluating one rule for one transaction against an account history of 8 events, with only that rule enabled.
/// <c>Legit</c>: a calm history (8 payments over 140 s) and a transaction that fires nothing, the common case.
/// <c>Flagged</c>: a burst history (8 payments in 35 s, one under 1.00, sum past 2,000) and a transaction that fires the rule.
/// </summary>
[MemoryDiagnoser]
public class RuleBenchmarks
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private AccountState _calm = null!;
    private AccountState _burst = null!;
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

    [Benchmark]
    public int Legit() => Scoring.Evaluate(_calm, _legit, _rules).Count;

    [Benchmark]
    public int Flagged() => Scoring.Evaluate(_burst, _flagged, _rules).Count;

    private static Transaction Tx(double seconds, decimal amount, string country) =>
        new("id", "ACC", "MER", amount, "USD", T0.AddSeconds(seconds), "grocery", country, "dev");
}
