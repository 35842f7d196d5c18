using System.Globalization;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Rules;

/// <summary>
/// The decision, as plain functions over <see cref="AccountState"/>: no actor, no clock, no I/O, so every rule is tested
/// directly. <see cref="Evaluate"/> only reads the state; <see cref="Apply"/> records the transaction; <see cref="Score"/>
/// is the two with idempotence around them.
/// </summary>
public static class Scoring
{
    /// <summary>
    /// Scores <paramref name="tx"/> for its account: a transaction id seen before returns its first verdict and changes
    /// nothing; otherwise the rules are evaluated, the transaction is recorded, and the verdict remembered.
    /// </summary>
    public static Verdict Score(AccountState state, Transaction tx, RuleSettings rules, DateTimeOffset now, string node)
    {
        var idHash = TransactionIdHash.Of(tx.TransactionId);
        if (state.Verdicts.TryGet(state.Arena, state.Row, idHash, out var previous))
        {
            return previous.ToVerdict();
        }

        var late = IsLate(state, tx, rules);
        var country = Countries.Number(tx.Country); // once: the travel rule compares it, the window records it
        var hits = Evaluate(state, tx, rules, late, country);
        var verdict = new Verdict(CombinedScore(hits, rules), hits, now, node, late);
        if (!late)
        {
            Apply(state, tx, rules, country);
        }

        state.Verdicts.Add(state.Arena, state.Row, RememberedVerdict.Of(idHash, verdict), rules.RememberedIdsPerAccount);
        return verdict;
    }

    /// <summary>
    /// Arrived further behind the account's newest event than the allowed lateness. Times are <see cref="EventTime"/>'s:
    /// a transaction's own, never later than its arrival, so no record can move its account's newest time past the present.
    /// </summary>
    public static bool IsLate(AccountState state, Transaction tx, RuleSettings rules) =>
        state.NewestTicks != 0 && EventTime.TicksOf(tx) < state.NewestTicks - rules.AllowedLateness.Ticks;

    /// <summary>
    /// The rules that fire for <paramref name="tx"/> given what the account did before. A late transaction is judged by
    /// the instantaneous rule only: its windows may already be gone, and judging it on partial state would mislead.
    /// </summary>
    public static IReadOnlyList<RuleHit> Evaluate(AccountState state, Transaction tx, RuleSettings rules, bool late = false) =>
        Evaluate(state, tx, rules, late, Countries.Number(tx.Country));

    private static IReadOnlyList<RuleHit> Evaluate(AccountState state, Transaction tx, RuleSettings rules, bool late, ushort country)
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
        if (rules.VelocityCount.Enabled)
        {
            var count = CountIn(state, t - rules.VelocityCount.Window.Ticks, t) + 1;
            if (count > rules.VelocityCount.MaxCount)
            {
                (hits ??= new()).Add(new RuleHit(VelocityCountRule.Id, count, rules.VelocityCount.MaxCount, Format(rules.VelocityCount.Window)));
            }
        }

        if (rules.VelocityAmount.Enabled)
        {
            var sum = SumIn(state, t - rules.VelocityAmount.Window.Ticks, t) + tx.Amount;
            if (sum > rules.VelocityAmount.MaxSum)
            {
                (hits ??= new()).Add(new RuleHit(VelocityAmountRule.Id, sum, rules.VelocityAmount.MaxSum, Format(rules.VelocityAmount.Window)));
            }
        }

        var smallThenLarge = rules.SmallThenLarge;
        if (smallThenLarge.Enabled && tx.Amount > smallThenLarge.LargeAbove
            && HasSmallIn(state, t - smallThenLarge.Window.Ticks, t, smallThenLarge.SmallBelow))
        {
            (hits ??= new()).Add(new RuleHit(SmallThenLargeRule.Id, tx.Amount, smallThenLarge.LargeAbove, Format(smallThenLarge.Window)));
        }

        if (rules.ImpossibleTravel.Enabled && TravelSpeedKmh(state, tx, country, rules.ImpossibleTravel.Window) is { } speed
            && speed > rules.ImpossibleTravel.MaxSpeedKmh)
        {
            (hits ??= new()).Add(new RuleHit(ImpossibleTravelRule.Id, Math.Round((decimal)Math.Min(speed, 1e9), 1),
                (decimal)rules.ImpossibleTravel.MaxSpeedKmh, Format(rules.ImpossibleTravel.Window)));
        }

        return hits ?? (IReadOnlyList<RuleHit>)Array.Empty<RuleHit>();
    }

    /// <summary>Records the transaction in the account's windows (in event-time order) and evicts what has expired.</summary>
    public static void Apply(AccountState state, Transaction tx, RuleSettings rules) => Apply(state, tx, rules, Countries.Number(tx.Country));

    private static void Apply(AccountState state, Transaction tx, RuleSettings rules, ushort country)
    {
        var entry = new AccountEvent(EventTime.TicksOf(tx), tx.Amount, country);
        ref var window = ref state.Events; // a struct: work on the state's own, not a copy
        var events = state.EventSpan;
        var index = events.Length;
        while (index > 0 && events[index - 1].Ticks > entry.Ticks)
        {
            index--; // out of order within the lateness: slide back to its place in event time
        }

        window.Insert(state.Arena.Events, index, entry);
        if (state.NewestTicks == 0 || entry.Ticks > state.NewestTicks)
        {
            state.NewestTicks = entry.Ticks;
        }

        var horizon = state.NewestTicks - rules.Retention.Ticks;
        events = state.EventSpan; // the insert may have moved the events
        var expired = 0;
        while (expired < events.Length && (events[expired].Ticks < horizon || events.Length - expired > rules.MaxEventsPerAccount))
        {
            expired++;
        }

        if (expired > 0)
        {
            window.RemoveOldest(state.Arena.Events, expired);
        }
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

    // Windows are (t - window, t]: an event exactly one window old no longer counts.
    // The window is in event-time order, so each scan walks back from the newest event and stops at the first one too
    // old: an account keeps the longest window's events (an hour for impossible-travel), the velocity rules look at a
    // minute of them.
    private static int CountIn(AccountState state, long fromExclusive, long toInclusive)
    {
        var events = state.EventSpan;
        var count = 0;
        for (var i = events.Length - 1; i >= 0 && events[i].Ticks > fromExclusive; i--)
        {
            if (events[i].Ticks <= toInclusive) count++;
        }

        return count;
    }

    private static decimal SumIn(AccountState state, long fromExclusive, long toInclusive)
    {
        var events = state.EventSpan;
        var sum = 0m;
        for (var i = events.Length - 1; i >= 0 && events[i].Ticks > fromExclusive; i--)
        {
            if (events[i].Ticks <= toInclusive) sum += events[i].Amount;
        }

        return sum;
    }

    private static bool HasSmallIn(AccountState state, long fromExclusive, long toInclusive, decimal smallBelow)
    {
        var events = state.EventSpan;
        for (var i = events.Length - 1; i >= 0 && events[i].Ticks > fromExclusive; i--)
        {
            if (events[i].Ticks <= toInclusive && events[i].Amount < smallBelow) return true;
        }

        return false;
    }

    /// <summary>Speed needed to reach this transaction's country (by number, 0 for none) from the latest earlier one within the window.</summary>
    private static double? TravelSpeedKmh(AccountState state, Transaction tx, ushort country, TimeSpan window)
    {
        if (country == 0)
        {
            return null;
        }

        var t = EventTime.TicksOf(tx);
        var events = state.EventSpan;
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

    private static string Format(TimeSpan window) => Formatted.GetOrAdd(window.Ticks, static ticks => FormatNew(TimeSpan.FromTicks(ticks)));

    private static string FormatNew(TimeSpan window) =>
        window.TotalSeconds < 3600 || window.TotalSeconds % 3600 != 0
            ? window.TotalSeconds.ToString(CultureInfo.InvariantCulture) + "s"
            : (window.TotalSeconds / 3600).ToString(CultureInfo.InvariantCulture) + "h";
}
