using System.Numerics;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Rules.Compiler;

/// <summary>
/// The walks over an account's earlier events. A window is (t − window, t]: an event exactly one window old no longer
/// counts, and an event after this one (arrived out of order) is not "before" it. Events are in event-time order, so a
/// walk starts at the newest and stops at the first one too old.
/// </summary>
internal static partial class Aggregates
{
    public static decimal Count(ref RuleInput input, long window, Condition? filter) => CountOf(ref input, window, filter);

    public static int CountOf(ref RuleInput input, long window, Condition? filter)
    {
        // Locals, not the input's fields: read through a ref, the span and time would be loaded again on every step.
        var events = input.History;
        var t = input.Ticks;
        var from = t - window;
        var count = 0;
        if (filter is null)
        {
            for (var k = events.Length - 1; k >= 0 && events[k].Ticks > from; k--)
            {
                if (events[k].Ticks <= t) count++;
            }

            return count;
        }

        for (var k = events.Length - 1; k >= 0 && events[k].Ticks > from; k--)
        {
            if (events[k].Ticks <= t && Passes(ref input, k, filter)) count++;
        }

        return count;
    }

    /// <summary>The sum of the window's amounts: the common aggregate, read without a closure per event.</summary>
    public static decimal? SumOfAmounts(ref RuleInput input, long window)
    {
        var events = input.History;
        var t = input.Ticks;
        var from = t - window;
        var sum = 0m;
        try
        {
            for (var k = events.Length - 1; k >= 0 && events[k].Ticks > from; k--)
            {
                if (events[k].Ticks <= t) sum += events[k].Amount;
            }
        }
        catch (OverflowException)
        {
            return null; // beyond decimal's range: no honest value, so the comparison is false
        }

        return sum;
    }

    /// <summary>Sum, avg, min or max of <paramref name="value"/> over the window's events that have it; null when none has (sum: 0).</summary>
    public static decimal? Fold(ref RuleInput input, string function, Number value, long window, Condition? filter)
    {
        var from = input.Ticks - window;
        var fold = new DecimalFold();
        for (var k = input.History.Length - 1; k >= 0 && input.History[k].Ticks > from; k--)
        {
            if (input.History[k].Ticks > input.Ticks || !Passes(ref input, k, filter))
            {
                continue;
            }

            input.Focus = k;
            var v = value(ref input);
            input.Focus = -1;
            if (v is { } x && !fold.Add(x))
            {
                return null; // beyond decimal's range: no honest value, so the comparison is false
            }
        }

        return fold.Result(function);
    }

    /// <summary>Sum, count, min and max of a window's values in decimal, and the aggregate a function asks of them.</summary>
    private struct DecimalFold()
    {
        private decimal _sum;
        private decimal _min = decimal.MaxValue;
        private decimal _max = decimal.MinValue;
        private int _count;

        /// <summary>Adds a value; false when the sum leaves decimal's range.</summary>
        public bool Add(decimal x)
        {
            _count++;
            if (x < _min) _min = x;
            if (x > _max) _max = x;
            return Arithmetic.TryAdd(_sum, x, out _sum);
        }

        /// <summary>sum (0 over no values), or avg, min, max (null over none).</summary>
        public readonly decimal? Result(string function) => function switch
        {
            "sum" => _sum,
            _ when _count == 0 => null,
            "avg" => _sum / _count,
            "min" => _min,
            _ => _max,
        };
    }

    /// <summary>
    /// <see cref="Distinct"/> of a key kept as a code or hash, read straight from each event into an open-addressing
    /// set on the stack (0, a missing value, marks an empty place): a few nanoseconds an event, where sorting took tens.
    /// </summary>
    public static decimal DistinctOf<TKey>(ref RuleInput input, long window, Condition? filter, long since = 0) where TKey : struct, IEventKey
    {
        var events = input.History;
        var t = input.Ticks;
        var from = Math.Max(t - window, since - 1); // a key kept only from `since`: earlier events have none of it
        // At most half full, so a probe ends soon; codes and hashes are spread by a multiplicative hash.
        var bits = Math.Max(4, BitOperations.Log2((uint)events.Length) + 2);
        var size = 1 << bits;
        var rented = size > 1024 ? System.Buffers.ArrayPool<uint>.Shared.Rent(size) : null;
        var table = rented is null ? stackalloc uint[size] : rented.AsSpan(0, size);
        table.Clear();
        var (mask, shift) = (size - 1, 32 - bits);
        var distinct = 0;
        for (var k = events.Length - 1; k >= 0 && events[k].Ticks > from; k--)
        {
            if (events[k].Ticks > t || (filter is not null && !Passes(ref input, k, filter)))
            {
                continue;
            }

            var v = TKey.Of(in events[k]);
            if (v == 0)
            {
                continue;
            }

            var place = (int)((v * 2654435769u) >> shift);
            while (table[place] != 0 && table[place] != v)
            {
                place = (place + 1) & mask;
            }

            if (table[place] == 0)
            {
                table[place] = v;
                distinct++;
            }
        }

        if (rented is not null) System.Buffers.ArrayPool<uint>.Shared.Return(rented);
        return distinct;
    }

    /// <summary><see cref="Seen"/> of a key kept as a code or hash; <paramref name="current"/> is this transaction's (0: none).</summary>
    public static bool SeenOf<TKey>(ref RuleInput input, uint current, long window, Condition? filter, long since = 0) where TKey : struct, IEventKey
    {
        if (current == 0)
        {
            return false;
        }

        var events = input.History;
        var t = input.Ticks;
        var from = Math.Max(t - window, since - 1);
        for (var k = events.Length - 1; k >= 0 && events[k].Ticks > from; k--)
        {
            if (events[k].Ticks <= t && TKey.Of(in events[k]) == current && (filter is null || Passes(ref input, k, filter)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>How many different values of <paramref name="key"/> the window's events have (missing values not counted).</summary>
    public static decimal Distinct(ref RuleInput input, Number key, long window, Condition? filter)
    {
        var from = input.Ticks - window;
        var n = input.History.Length;
        var rented = n > 256 ? System.Buffers.ArrayPool<decimal>.Shared.Rent(n) : null;
        var values = rented is null ? stackalloc decimal[n] : rented.AsSpan(0, n);
        var found = 0;
        for (var k = n - 1; k >= 0 && input.History[k].Ticks > from; k--)
        {
            if (input.History[k].Ticks > input.Ticks || !Passes(ref input, k, filter))
            {
                continue;
            }

            input.Focus = k;
            var v = key(ref input);
            input.Focus = -1;
            if (v is { } x)
            {
                values[found++] = x;
            }
        }

        var seen = values[..found];
        seen.Sort();
        var distinct = found == 0 ? 0 : 1;
        for (var i = 1; i < found; i++)
        {
            if (seen[i] != seen[i - 1]) distinct++;
        }

        if (rented is not null) System.Buffers.ArrayPool<decimal>.Shared.Return(rented);
        return distinct;
    }

    /// <summary>Whether this transaction's value of <paramref name="key"/> appears among the window's events; false when it has none.</summary>
    public static bool Seen(ref RuleInput input, Number key, long window, Condition? filter)
    {
        if (key(ref input) is not { } current)
        {
            return false;
        }

        var from = input.Ticks - window;
        for (var k = input.History.Length - 1; k >= 0 && input.History[k].Ticks > from; k--)
        {
            if (input.History[k].Ticks > input.Ticks || !Passes(ref input, k, filter))
            {
                continue;
            }

            input.Focus = k;
            var v = key(ref input);
            input.Focus = -1;
            if (v == current) return true;
        }

        return false;
    }

    /// <summary>
    /// Km/h needed to reach this transaction's country from the latest earlier event with a country, if that event is
    /// at most one window old (the comparison today's built-in rule makes); null without a pair or a known distance.
    /// </summary>
    public static decimal? TravelSpeed(ref RuleInput input, long window, Condition? filter) =>
        TravelSpeedKmh(ref input, window, filter) is { } kmh ? (decimal)kmh : null;

    /// <summary><see cref="TravelSpeed"/> as the double it is computed in, at most 10⁹.</summary>
    public static double? TravelSpeedKmh(ref RuleInput input, long window, Condition? filter)
    {
        var events = input.History;
        var (t, country) = (input.Ticks, input.Country);
        if (country == 0)
        {
            return null;
        }

        for (var k = events.Length - 1; k >= 0; k--)
        {
            ref readonly var e = ref events[k];
            if (e.Ticks > t || e.CountryNumber == 0 || !Passes(ref input, k, filter))
            {
                continue;
            }

            if (t - e.Ticks > window || Countries.DistanceKm(e.CountryNumber, country) is not { } km)
            {
                return null;
            }

            // Under a second apart counts as a second: a distance in no time is as impossible as it gets.
            var hours = Math.Max(TimeSpan.FromTicks(t - e.Ticks).TotalHours, 1.0 / 3600);
            return Math.Min(km / hours, 1e9);
        }

        return null;
    }

    /// <summary>Seconds since the account's latest earlier transaction; null when it has none.</summary>
    public static decimal? SinceLast(ref RuleInput input)
    {
        for (var k = input.History.Length - 1; k >= 0; k--)
        {
            if (input.History[k].Ticks <= input.Ticks)
            {
                return (decimal)(input.Ticks - input.History[k].Ticks) / TimeSpan.TicksPerSecond;
            }
        }

        return null;
    }

    private static bool Passes(ref RuleInput input, int k, Condition? filter)
    {
        if (filter is null)
        {
            return true;
        }

        input.Focus = k;
        var passes = filter(ref input);
        input.Focus = -1;
        return passes;
    }
}
