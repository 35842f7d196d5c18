using System.Globalization;
using Fraud.Actors.State;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Rules;

/// <summary>
/// The decision, as plain functions over an account's history: no actor, no clock, no I/O, so every rule is tested
/// directly. <see cref="Evaluate"/> only reads; <see cref="Score"/> evaluates, records the transaction and remembers its
/// verdict, with idempotence around them.
/// </summary>
public static class Scoring
{
    /// <summary>
    /// Scores <paramref name="tx"/> for its account: a transaction id seen before returns its first verdict and changes
    /// nothing; otherwise the rules are evaluated, the transaction is recorded, and the verdict remembered.
    /// </summary>
    public static Verdict Score(AccountState account, Transaction tx, RuleSettings rules, DateTimeOffset now, string node) =>
        Score(account, tx, rules, rules.Pack, now, node);

    /// <summary>
    /// <see cref="Score(AccountState, Transaction, RuleSettings, DateTimeOffset, string)"/> by <paramref name="pack"/>, read
    /// once by the caller for a whole group (the rules may change between groups, never inside one); null: the built-in rules.
    /// </summary>
    public static Verdict Score(AccountState account, Transaction tx, RuleSettings rules, Compiler.CompiledRules? pack, DateTimeOffset now, string node)
    {
        var idHash = TransactionIdHash.Of(tx.TransactionId);
        if (account.TryRecall(idHash, out var previous))
        {
            return previous;
        }

        tx = pack?.Aligned(tx) ?? tx;
        var late = IsLate(account, tx, rules);
        var country = Countries.Number(tx.Country); // once: the travel rule compares it, the history records it
        Verdict verdict;
        if (pack is not null)
        {
            var outcome = pack.Evaluate(account.View, tx, EventTime.TicksOf(tx), country, late);
            verdict = new Verdict(outcome.Score, outcome.Hits, now, node, late) { Action = outcome.Action, RuleSet = pack.Version, Shadow = outcome.Shadow };
        }
        else
        {
            var hits = Evaluate(account.View, tx, rules, late, country);
            verdict = new Verdict(CombinedScore(hits, rules), hits, now, node, late);
        }

        if (!late)
        {
            account.Record(AccountEvent.Of(tx, EventTime.TicksOf(tx), country, pack?.Kept ?? HistoryFields.None), rules.RetentionOf(pack).Ticks, rules.MaxEventsPerAccount);
        }

        account.Remember(idHash, verdict, rules.RememberedIdsPerAccount);
        return verdict;
    }

    /// <summary>
    /// Arrived further behind the account's newest event than the allowed lateness. Times are <see cref="EventTime"/>'s:
    /// a transaction's own, never later than its arrival, so no record can move its account's newest time past the present.
    /// </summary>
    public static bool IsLate(AccountState account, Transaction tx, RuleSettings rules)
    {
        var newest = account.View.NewestTicks;
        return newest != 0 && EventTime.TicksOf(tx) < newest - rules.AllowedLateness.Ticks;
    }

    /// <summary>
    /// The rules that fire for <paramref name="tx"/> given what the account did before. A late transaction is judged by
    /// the instantaneous rule only: its windows may already be gone, and judging it on partial state would mislead.
    /// </summary>
    public static IReadOnlyList<RuleHit> Evaluate(AccountState account, Transaction tx, RuleSettings rules, bool late = false) =>
        Evaluate(account.View, tx, rules, late, Countries.Number(tx.Country));

    /// <summary>Records the transaction in the account's history (in event-time order), as <see cref="Score"/> does.</summary>
    public static void Apply(AccountState account, Transaction tx, RuleSettings rules) =>
        account.Record(AccountEvent.Of(tx, EventTime.TicksOf(tx), Countries.Number(tx.Country), rules.Pack?.Kept ?? HistoryFields.None), rules.Retention.Ticks, rules.MaxEventsPerAccount);

    private static IReadOnlyList<RuleHit> Evaluate(AccountView account, Transaction tx, RuleSettings rules, bool late, ushort country)
    {
        List<RuleHit>? hits = null;
        if (rules.LargeAmount.Enabled && tx.Amount >= rules.LargeAmount.Threshold)
        {
            (hits ??= new()).Add(new RuleHit(LargeAmountRule.Id, tx.Amount, rules.LargeAmount.Threshold, null));
        }

        if (late)
        {
            return hits ?? (IReadOnlyList<RuleHit>)Array.Empty<RuleHit>();
        }

        var t = EventTime.TicksOf(tx);
        var events = account.Events;
        if (rules.VelocityCount.Enabled)
        {
            var count = CountIn(events, t - rules.VelocityCount.Window.Ticks, t) + 1;
            if (count > rules.VelocityCount.MaxCount)
            {
                (hits ??= new()).Add(new RuleHit(VelocityCountRule.Id, count, rules.VelocityCount.MaxCount, WindowText(rules.VelocityCount.Window)));
            }
        }

        if (rules.VelocityAmount.Enabled)
        {
            var sum = SumIn(events, t - rules.VelocityAmount.Window.Ticks, t) + tx.Amount;
            if (sum > rules.VelocityAmount.MaxSum)
            {
                (hits ??= new()).Add(new RuleHit(VelocityAmountRule.Id, sum, rules.VelocityAmount.MaxSum, WindowText(rules.VelocityAmount.Window)));
            }
        }

        var smallThenLarge = rules.SmallThenLarge;
        if (smallThenLarge.Enabled && tx.Amount > smallThenLarge.LargeAbove
            && HasSmallIn(events, t - smallThenLarge.Window.Ticks, t, smallThenLarge.SmallBelow))
        {
            (hits ??= new()).Add(new RuleHit(SmallThenLargeRule.Id, tx.Amount, smallThenLarge.LargeAbove, WindowText(smallThenLarge.Window)));
        }

        if (rules.ImpossibleTravel.Enabled && TravelSpeedKmh(events, t, country, rules.ImpossibleTravel.Window) is { } speed
            && speed > rules.ImpossibleTravel.MaxSpeedKmh)
        {
            (hits ??= new()).Add(new RuleHit(ImpossibleTravelRule.Id, Math.Round((decimal)Math.Min(speed, 1e9), 1),
                (decimal)rules.ImpossibleTravel.MaxSpeedKmh, WindowText(rules.ImpossibleTravel.Window)));
        }

        return hits ?? (IReadOnlyList<RuleHit>)Array.Empty<RuleHit>();
    }

    /// <summary>1 − Π(1 − weight): two independent signals are stronger than either; 0 when nothing fired.</summary>
    private static double CombinedScore(IReadOnlyList<RuleHit> hits, RuleSettings rules)
    {
        var clean = 1.0;
        for (var i = 0; i < hits.Count; i++) // an index, not foreach: an interface's enumerator is an object per call
        {
            clean *= 1 - Math.Clamp(WeightOf(hits[i].Id, rules), 0, 1);
        }

        return Math.Round(1 - clean, 4);
    }

    private static double WeightOf(string id, RuleSettings rules) => id switch
    {
        LargeAmountRule.Id => rules.LargeAmount.Weight,
        VelocityCountRule.Id => rules.VelocityCount.Weight,
        VelocityAmountRule.Id => rules.VelocityAmount.Weight,
        SmallThenLargeRule.Id => rules.SmallThenLarge.Weight,
        ImpossibleTravelRule.Id => rules.ImpossibleTravel.Weight,
        _ => 0,
    };

    // Windows are (t - window, t]: an event exactly one window old no longer counts. The events are in event-time order,
    // so each scan walks back from the newest and stops at the first one too old.
    private static int CountIn(ReadOnlySpan<AccountEvent> events, long fromExclusive, long toInclusive)
    {
        var count = 0;
        for (var i = events.Length - 1; i >= 0 && events[i].Ticks > fromExclusive; i--)
        {
            if (events[i].Ticks <= toInclusive) count++;
        }

        return count;
    }

    private static decimal SumIn(ReadOnlySpan<AccountEvent> events, long fromExclusive, long toInclusive)
    {
        var sum = 0m;
        for (var i = events.Length - 1; i >= 0 && events[i].Ticks > fromExclusive; i--)
        {
            if (events[i].Ticks <= toInclusive) sum += events[i].Amount;
        }

        return sum;
    }

    private static bool HasSmallIn(ReadOnlySpan<AccountEvent> events, long fromExclusive, long toInclusive, decimal smallBelow)
    {
        for (var i = events.Length - 1; i >= 0 && events[i].Ticks > fromExclusive; i--)
        {
            if (events[i].Ticks <= toInclusive && events[i].Amount < smallBelow) return true;
        }

        return false;
    }

    /// <summary>Speed needed to reach this transaction's country (by number, 0 for none) from the latest earlier one within the window.</summary>
    private static double? TravelSpeedKmh(ReadOnlySpan<AccountEvent> events, long t, ushort country, TimeSpan window)
    {
        if (country == 0)
        {
            return null;
        }

        for (var i = events.Length - 1; i >= 0; i--)
        {
            var e = events[i];
            if (e.Ticks > t || e.CountryNumber == 0)
            {
                continue;
            }

            if (t - e.Ticks > window.Ticks)
            {
                return null;
            }

            var km = Countries.DistanceKm(e.CountryNumber, country);
            if (km is null)
            {
                return null;
            }

            // Under a second apart counts as a second: a distance in no time is as impossible as it gets.
            var hours = Math.Max(TimeSpan.FromTicks(t - e.Ticks).TotalHours, 1.0 / 3600);
            return km.Value / hours;
        }

        return null;
    }

    // A window's text is the same for every hit of its rule: formatted once per window length, not once per hit.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<long, string> Formatted = new();

    internal static string WindowText(TimeSpan window) => Formatted.GetOrAdd(window.Ticks, static ticks => FormatNew(TimeSpan.FromTicks(ticks)));

    private static string FormatNew(TimeSpan window) =>
        window.TotalSeconds < 3600 || window.TotalSeconds % 3600 != 0
            ? window.TotalSeconds.ToString(CultureInfo.InvariantCulture) + "s"
            : (window.TotalSeconds / 3600).ToString(CultureInfo.InvariantCulture) + "h";
}
