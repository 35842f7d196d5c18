using Fraud.Actors.State;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Tests;

/// <summary>Builders for readable specs: times are seconds after a fixed instant.</summary>
internal static class TestTransactions
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private static int _next;

    public static Transaction Tx(double atSeconds, decimal amount = 20m, string account = "ACC1", string? country = "US", string? id = null) =>
        new(id ?? $"tx-{Interlocked.Increment(ref _next)}", account, "MER1", amount, "USD", T0.AddSeconds(atSeconds), "grocery", country, "dev-1");

    public static Verdict Score(AccountState state, Transaction tx, RuleSettings? rules = null) =>
        Scoring.Score(state, tx, rules ?? new RuleSettings(), T0, "test-node");

    public static IEnumerable<string> RuleIds(this Verdict verdict) => verdict.Rules.Select(r => r.Id);
}
