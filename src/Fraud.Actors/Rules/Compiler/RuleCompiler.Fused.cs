using Fraud.Actors.Rules.Language;
using Attribute = Fraud.Actors.Rules.Language.Attribute;

namespace Fraud.Actors.Rules.Compiler;

/// <summary>
/// The shapes most rules take, each compiled to one closure instead of a closure per node: a value against a threshold
/// (<c>amount &gt;= 900</c>, <c>count(60s) + 1 &gt; 5</c>, <c>sum(amount, 60s) + amount &gt; 2000</c>,
/// <c>travel_speed(1h) &gt; 900</c>). They decide exactly as the general path; an aggregate several rules name keeps
/// the general path, which computes it once per transaction.
/// </summary>
internal sealed partial class RuleCompiler
{
    /// <summary>How many times each aggregate is named across the file's conditions: one named once needs no shared slot.</summary>
    private readonly Dictionary<string, int> _uses = new(StringComparer.Ordinal);

    private void CountUses(Expr expr)
    {
        switch (expr)
        {
            case Call { Window: not null } c:
                var text = RuleText.Of(c);
                _uses[text] = _uses.GetValueOrDefault(text) + 1;
                break;
            case Unary u:
                CountUses(u.Operand);
                break;
            case Binary b:
                CountUses(b.Left);
                CountUses(b.Right);
                break;
            case InSet s:
                CountUses(s.Value);
                foreach (var item in s.Items) CountUses(item);
                break;
            case InRange r:
                CountUses(r.Value);
                CountUses(r.Low);
                CountUses(r.High);
                break;
            case InList l:
                CountUses(l.Value);
                break;
        }
    }

    private bool IsShared(Call call) => _uses.GetValueOrDefault(RuleText.Of(call)) > 1;

    /// <summary>A comparison of a common shape as one closure, or null for the general path.</summary>
    private Node? Fused(Binary b, Scope scope)
    {
        if (b.Right is not NumberLiteral { Value: var limit })
        {
            return null;
        }

        var op = b.Op;
        if (scope == Scope.Earlier)
        {
            // The usual filter, on the earlier transaction in focus: count(60s where amount < 1).
            return b.Left is Attribute { Name: "amount", InputField: false }
                ? Condition(op switch
                {
                    "==" => (ref RuleInput i) => i.History[i.Focus].Amount == limit,
                    "!=" => (ref RuleInput i) => i.History[i.Focus].Amount != limit,
                    "<" => (ref RuleInput i) => i.History[i.Focus].Amount < limit,
                    "<=" => (ref RuleInput i) => i.History[i.Focus].Amount <= limit,
                    ">" => (ref RuleInput i) => i.History[i.Focus].Amount > limit,
                    _ => (ref RuleInput i) => i.History[i.Focus].Amount >= limit,
                }, history: false)
                : null;
        }

        switch (b.Left)
        {
            case Attribute { Name: "amount", InputField: false }:
                return Condition(op switch
                {
                    "==" => (ref RuleInput i) => i.Tx.Amount == limit,
                    "!=" => (ref RuleInput i) => i.Tx.Amount != limit,
                    "<" => (ref RuleInput i) => i.Tx.Amount < limit,
                    "<=" => (ref RuleInput i) => i.Tx.Amount <= limit,
                    ">" => (ref RuleInput i) => i.Tx.Amount > limit,
                    _ => (ref RuleInput i) => i.Tx.Amount >= limit,
                }, history: false);

            case Call { Function: "count" } count when !IsShared(count) && Window(count) is { } ticks:
                return FusedCount(count, ticks, 0, op, limit);

            case Binary { Op: "+", Left: Call { Function: "count" } count, Right: NumberLiteral { Value: var plus } }
                when !IsShared(count) && Window(count) is { } ticks:
                return FusedCount(count, ticks, plus, op, limit);

            case Binary { Op: "+", Left: Call { Function: "sum", Filter: null, Arguments: [Attribute { Name: "amount", InputField: false }] } sum,
                Right: Attribute { Name: "amount", InputField: false } } when op is "<" or "<=" or ">" or ">=" && !IsShared(sum) && Window(sum) is { } ticks:
                return Condition(op switch
                {
                    "<" => (ref RuleInput i) => Aggregates.SumOfAmounts(ref i, ticks) is { } s && Arithmetic.TryAdd(s, i.Tx.Amount, out var t) && t < limit,
                    "<=" => (ref RuleInput i) => Aggregates.SumOfAmounts(ref i, ticks) is { } s && Arithmetic.TryAdd(s, i.Tx.Amount, out var t) && t <= limit,
                    ">" => (ref RuleInput i) => Aggregates.SumOfAmounts(ref i, ticks) is { } s && Arithmetic.TryAdd(s, i.Tx.Amount, out var t) && t > limit,
                    _ => (ref RuleInput i) => Aggregates.SumOfAmounts(ref i, ticks) is { } s && Arithmetic.TryAdd(s, i.Tx.Amount, out var t) && t >= limit,
                }, history: true);

            case Call { Function: "travel_speed" } travel when op is "<" or "<=" or ">" or ">=" && !IsShared(travel) && Window(travel) is { } ticks:
            {
                // In km/h as a double, as the speed is computed: no conversion to decimal unless the rule fires.
                var filter = FilterOf(travel);
                var kmh = (double)limit;
                return Condition(op switch
                {
                    "<" => (ref RuleInput i) => Aggregates.TravelSpeedKmh(ref i, ticks, filter) < kmh,
                    "<=" => (ref RuleInput i) => Aggregates.TravelSpeedKmh(ref i, ticks, filter) <= kmh,
                    ">" => (ref RuleInput i) => Aggregates.TravelSpeedKmh(ref i, ticks, filter) > kmh,
                    _ => (ref RuleInput i) => Aggregates.TravelSpeedKmh(ref i, ticks, filter) >= kmh,
                }, history: true);
            }

            default:
                return null;
        }
    }

    /// <summary>
    /// <c>hour in 22..3</c> (or <c>weekday</c>) with constant ends: the answer for each of the 24 hours (or 7 days) worked
    /// out here, by the general rule, and looked up per transaction.
    /// </summary>
    private Node? ClockRange(InRange range, Scope scope)
    {
        if (range is not { Value: Attribute { Name: "hour" or "weekday", InputField: false } clock, Low: NumberLiteral low, High: NumberLiteral high })
        {
            return null;
        }

        var hour = clock.Name == "hour";
        var inside = new bool[hour ? 24 : 8];
        for (var v = hour ? 0 : 1; v < inside.Length; v++)
        {
            // A clock wraps: hour in 22..3 is 22:00 to 03:59, weekday in 6..1 is Saturday to Monday.
            var (x, a, b) = ((decimal)v, low.Value, high.Value);
            inside[v] = (a <= b ? a <= x && x <= b : x >= a || x <= b) != range.Negated;
        }

        Condition f = (hour, scope) switch
        {
            (true, Scope.Current) => (ref RuleInput i) => inside[(int)(i.Ticks / TimeSpan.TicksPerHour % 24)],
            (true, _) => (ref RuleInput i) => inside[(int)(i.History[i.Focus].Ticks / TimeSpan.TicksPerHour % 24)],
            (false, Scope.Current) => (ref RuleInput i) => inside[(int)WeekdayOf(i.Ticks)],
            _ => (ref RuleInput i) => inside[(int)WeekdayOf(i.History[i.Focus].Ticks)],
        };
        return Condition(f, history: false);
    }

    /// <summary><c>count(W) + plus OP limit</c> on whole numbers: the count against <c>limit − plus</c>, as an integer.</summary>
    private Node? FusedCount(Call count, long ticks, decimal plus, string op, decimal limit)
    {
        // Only where the moved limit is exact and an integer count compares the same as its decimal would.
        if (decimal.Truncate(plus) != plus || decimal.Truncate(limit) != limit || Arithmetic.Apply("-", limit, plus) is not { } moved
            || moved < int.MinValue || moved > int.MaxValue)
        {
            return null;
        }

        var (filter, d) = (FilterOf(count), (int)moved);
        return Condition(op switch
        {
            "==" => (ref RuleInput i) => Aggregates.CountOf(ref i, ticks, filter) == d,
            "!=" => (ref RuleInput i) => Aggregates.CountOf(ref i, ticks, filter) != d,
            "<" => (ref RuleInput i) => Aggregates.CountOf(ref i, ticks, filter) < d,
            "<=" => (ref RuleInput i) => Aggregates.CountOf(ref i, ticks, filter) <= d,
            ">" => (ref RuleInput i) => Aggregates.CountOf(ref i, ticks, filter) > d,
            _ => (ref RuleInput i) => Aggregates.CountOf(ref i, ticks, filter) >= d,
        }, history: true);
    }

    /// <summary>The window in ticks, once checked and recorded as the general path does; null when it is refused there.</summary>
    private long? Window(Call call) =>
        call.Window is { } window && window <= _environment.MaxWindow ? Record(window) : null;

    private long Record(TimeSpan window)
    {
        if (window > _longestWindow) _longestWindow = window;
        return window.Ticks;
    }

    private Condition? FilterOf(Call call) =>
        call.Filter is null ? null : Expect(call.Filter, Scope.Earlier, Kind.Condition, "a 'where' filter").Cond;

    private static Node Condition(Condition f, bool history) => new(Kind.Condition, Cond: f, ReadsHistory: history);
}
