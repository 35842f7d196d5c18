using Fraud.Actors.Rules;
using Fraud.Actors.State;
using Fraud.Actors.Transactions;

namespace Fraud.Benchmarks.State;

public sealed record AccountStateResult(string Rules, long Accounts, int PaymentsPerDay, int Days, double EventsPerAccount, double RememberedPerAccount,
    double BytesPerAccount, double ArenaBytesPerAccount, double HitShare, double ScoreNsPerTx);

/// <summary>
/// Bytes of state per active account under a rule set, after a week of typical card traffic: each account pays a few
/// times a day at random hours, mostly at its usual merchants, from its one or two devices, at home. The accounts share
/// one arena, as a partition's do; the transactions themselves are not kept, so what grows is the state alone.
/// </summary>
public static class AccountStateBench
{
    private static readonly string[] Categories = ["grocery", "fuel", "restaurant", "online-retail", "travel", "electronics", "pharmacy"];
    private static readonly string[] Currencies = ["USD", "EUR", "GBP"];
    private static readonly string[] Homes = ["US", "FR", "GB", "DE"];

    public static AccountStateResult Run(RuleSettings rules, string name, int accounts, int perDay, int days)
    {
        var random = new Random(11);
        var end = DateTimeOffset.UtcNow;
        var start = end - TimeSpan.FromDays(days);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var arena = new AccountArena();
        var states = new AccountState[accounts];
        var times = new long[perDay * days];
        long hits = 0, scoring = 0;
        for (var a = 0; a < accounts; a++)
        {
            var state = states[a] = new AccountState(arena);
            var (home, currency) = (Homes[a % Homes.Length], Currencies[a % Currencies.Length]);
            for (var k = 0; k < times.Length; k++)
            {
                times[k] = start.Ticks + (long)(random.NextDouble() * (end - start).Ticks);
            }

            Array.Sort(times);
            foreach (var ticks in times)
            {
                var at = new DateTimeOffset(ticks, TimeSpan.Zero);
                // One in twenty abroad; merchants from a dozen the account frequents; amounts mostly small, some large.
                var country = random.Next(20) == 0 ? Homes[random.Next(Homes.Length)] : home;
                var amount = Math.Round((decimal)Math.Exp(random.NextDouble() * 6), 2);
                var tx = new Transaction($"tx-{a}-{ticks}", $"ACC-{a}", $"MER-{a % 97}-{random.Next(12)}", amount, currency, at,
                    Categories[random.Next(Categories.Length)], country, $"dev-{a}-{random.Next(2)}");
                var t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                hits += Scoring.Score(state, tx, rules, at, "bench").Rules.Count > 0 ? 1 : 0;
                scoring += System.Diagnostics.Stopwatch.GetTimestamp() - t0;
            }
        }

        var bytes = (GC.GetTotalMemory(forceFullCollection: true) - before) / (double)accounts;
        var events = states.Average(s => s.Window().Count);
        var remembered = states.Average(s => s.RememberedIds);
        GC.KeepAlive(states);
        return new AccountStateResult(name, accounts, perDay, days, Math.Round(events, 1), Math.Round(remembered, 1), Math.Round(bytes), Math.Round(arena.Bytes / (double)accounts),
            Math.Round(hits / (double)(accounts * times.Length), 4),
            Math.Round(scoring * 1e9 / System.Diagnostics.Stopwatch.Frequency / (accounts * (double)times.Length)));
    }
}
