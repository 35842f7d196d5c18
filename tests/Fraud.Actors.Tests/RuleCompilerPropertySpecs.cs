using System.Globalization;
using System.Text;
using CsCheck;
using Fraud.Actors.Rules.Compiler;
using Fraud.Actors.Rules.Language;
using Fraud.Actors.State;
using Fraud.Actors.Transactions;
using Attribute = Fraud.Actors.Rules.Language.Attribute;

namespace Fraud.Actors.Tests;

/// <summary>
/// A compiled rule and a plain reading of the same rule (a tree walk over a list, written from docs/rules.md and
/// nothing else) agree on random rules over random histories.
/// </summary>
public sealed class RuleCompilerPropertySpecs
{
    private const int Cases = 20_000;
    private static readonly DateTimeOffset Base = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero); // a Monday
    private static readonly string?[] Countries = ["US", "DE", "JP", "BR", null, "ZZ"];
    private static readonly string[] Windows = ["10s", "60s", "10m", "1h", "2h"];

    private sealed record Event(long Ticks, decimal Amount, string? Country);

    [Fact]
    public void Should_agree_with_a_naive_reading_on_random_rules_and_histories()
    {
        var held = 0;
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var text = "rule p: block when " + Condition(random, 3);
            var rule = RuleParser.Parse(text, "p.rules").Rules[0];
            var compiled = RuleCompiler.Compile(new RuleFile("p.rules", [rule]), RuleEnvironment.Empty);

            var t = Base.AddSeconds(random.Next(0, 7 * 24 * 3600));
            var history = Enumerable.Range(0, random.Next(0, 30))
                .Select(_ => random.Next(-3 * 3600, 120))
                .Distinct()
                .Select(s => new Event(t.AddSeconds(s).UtcTicks, Amount(random), Countries[random.Next(Countries.Length)]))
                .OrderBy(e => e.Ticks)
                .ToList();
            var tx = new Transaction("tx", "ACC", "MER", Amount(random), "USD", t, "grocery", Countries[random.Next(Countries.Length)],
                random.Next(3) == 0 ? null : "dev-1");

            var state = new AccountState();
            foreach (var e in history)
            {
                state.Record(new AccountEvent(e.Ticks, e.Amount, e.Country), TimeSpan.FromDays(60).Ticks, 1024);
            }

            var expected = Naive.Holds(rule.Condition, tx, t.UtcTicks, history);
            var actual = compiled.Evaluate(state.View, tx, late: false).Hits.Count == 1;
            if (actual) Interlocked.Increment(ref held);
            if (expected != actual)
            {
                throw new Xunit.Sdk.XunitException($"seed {seed}: {text} — naive {expected}, compiled {actual}, amount {tx.Amount}, country {tx.Country}, " +
                    $"history [{string.Join(", ", history.Select(e => $"{(e.Ticks - t.UtcTicks) / TimeSpan.TicksPerSecond}s {e.Amount} {e.Country}"))}]");
            }
        }, iter: Cases);

        // Random rules that were nearly always false (or true) would agree without proving much.
        Assert.InRange(held, Cases / 5, Cases * 4 / 5);
    }

    private static decimal Amount(Random random) => random.Next(6) switch
    {
        0 => 0.5m,
        1 => 1m,
        2 => 500m,
        3 => 900m,
        _ => random.Next(1, 200_000) / 100m,
    };

    private static string Condition(Random r, int depth) => (depth <= 0 ? r.Next(6) : r.Next(10)) switch
    {
        0 => $"{Number(r, depth - 1)} {Pick(r, "==", "!=", "<", "<=", ">", ">=")} {Number(r, depth - 1)}",
        1 => $"country {Pick(r, "==", "!=")} {Quoted(r)}",
        2 => $"country {Pick(r, "in", "not in")} ({Quoted(r)}, {Quoted(r)})",
        3 => $"{Pick(r, "hour", "weekday")} {Pick(r, "in", "not in")} {r.Next(0, 24)}..{r.Next(0, 24)}",
        4 => $"{Pick(r, "", "not ")}seen({Pick(r, "country", "amount", "hour")}, {Window(r)}{Filter(r)})",
        5 => $"is_missing({Pick(r, "country", "device")})",
        6 => $"not ({Condition(r, depth - 1)})",
        7 => $"({Condition(r, depth - 1)}) and ({Condition(r, depth - 1)})",
        8 => $"({Condition(r, depth - 1)}) or ({Condition(r, depth - 1)})",
        _ => $"amount {Pick(r, "in", "not in")} {Number(r, 0)}..{Number(r, 0)}",
    };

    private static string Number(Random r, int depth) => (depth <= 0 ? r.Next(8) : r.Next(12)) switch
    {
        0 => r.Next(0, 1000).ToString(CultureInfo.InvariantCulture),
        1 => (r.Next(0, 100_000) / 100m).ToString(CultureInfo.InvariantCulture),
        2 => "amount",
        3 => Pick(r, "hour", "weekday"),
        4 => $"count({Window(r)}{Filter(r)})",
        5 => $"{Pick(r, "sum", "avg", "min", "max")}(amount, {Window(r)}{Filter(r)})",
        6 => $"distinct({Pick(r, "country", "amount", "hour")}, {Window(r)}{Filter(r)})",
        7 => r.Next(2) == 0 ? $"travel_speed({Window(r)})" : "since_last()",
        _ => $"({Number(r, depth - 1)} {Pick(r, "+", "-", "*", "/")} {Number(r, depth - 1)})",
    };

    private static string Filter(Random r) => r.Next(3) switch
    {
        0 => "",
        1 => $" where amount {Pick(r, "<", ">=")} {r.Next(0, 1000)}",
        _ => $" where country {Pick(r, "==", "!=")} {Quoted(r)} or hour in {r.Next(0, 24)}..{r.Next(0, 24)}",
    };

    private static string Window(Random r) => Windows[r.Next(Windows.Length)];

    private static string Quoted(Random r) => "\"" + (Countries[r.Next(Countries.Length)] ?? "FR") + "\"";

    private static string Pick(Random r, params string[] options) => options[r.Next(options.Length)];

    /// <summary>The rules as docs/rules.md states them, evaluated the slow, obvious way.</summary>
    private static class Naive
    {
        public static bool Holds(Expr condition, Transaction tx, long t, List<Event> history) =>
            Value(condition, new Scope(tx, t, history, null)) is true;

        private sealed record Scope(Transaction Tx, long T, List<Event> History, Event? Earlier);

        private static object? Value(Expr expr, Scope s)
        {
            switch (expr)
            {
                case NumberLiteral n:
                    return n.Value;
                case StringLiteral str:
                    return str.Value;
                case Attribute a:
                    return AttributeValue(a.Name, s);
                case Unary { Op: "not" } u:
                    return Value(u.Operand, s) is not true;
                case Unary u:
                    return Value(u.Operand, s) is decimal d ? -d : null;
                case Binary { Op: "and" } b:
                    return Value(b.Left, s) is true && Value(b.Right, s) is true;
                case Binary { Op: "or" } b:
                    return Value(b.Left, s) is true || Value(b.Right, s) is true;
                case Binary { Op: "+" or "-" or "*" or "/" } b:
                    if (Value(b.Left, s) is not decimal x || Value(b.Right, s) is not decimal y) return null;
                    try
                    {
                        return b.Op switch { "+" => x + y, "-" => x - y, "*" => x * y, _ => y == 0 ? null : x / y };
                    }
                    catch (OverflowException)
                    {
                        return null;
                    }

                case Binary b:
                {
                    var (l, r) = (Value(b.Left, s), Value(b.Right, s));
                    if (l is null || r is null) return false;
                    if (l is string ls) return b.Op == "==" ? ls == (string)r : ls != (string)r;
                    var c = ((decimal)l).CompareTo((decimal)r);
                    return b.Op switch { "==" => c == 0, "!=" => c != 0, "<" => c < 0, "<=" => c <= 0, ">" => c > 0, _ => c >= 0 };
                }

                case InSet set:
                {
                    var v = Value(set.Value, s);
                    return v is not null && set.Items.Any(i => Equals(Value(i, s), v)) != set.Negated;
                }

                case InRange range:
                {
                    if (Value(range.Value, s) is not decimal v || Value(range.Low, s) is not decimal lo || Value(range.High, s) is not decimal hi) return false;
                    var clock = range.Value is Attribute { Name: "hour" or "weekday" };
                    var inside = clock && lo > hi ? v >= lo || v <= hi : lo <= v && v <= hi;
                    return inside != range.Negated;
                }

                case Call call:
                    return CallValue(call, s);
                default:
                    throw new InvalidOperationException(expr.GetType().Name);
            }
        }

        private static object? AttributeValue(string name, Scope s)
        {
            if (s.Earlier is { } e)
            {
                return name switch
                {
                    "amount" => e.Amount,
                    "country" => e.Country,
                    "hour" => (decimal)new DateTime(e.Ticks).Hour,
                    _ => Weekday(e.Ticks),
                };
            }

            return name switch
            {
                "amount" => s.Tx.Amount,
                "country" => s.Tx.Country,
                "device" => s.Tx.DeviceId,
                "hour" => (decimal)new DateTime(s.T).Hour,
                _ => Weekday(s.T),
            };
        }

        private static decimal Weekday(long ticks) => new DateTime(ticks).DayOfWeek == DayOfWeek.Sunday ? 7 : (int)new DateTime(ticks).DayOfWeek;

        private static object? CallValue(Call call, Scope s)
        {
            if (call.Function == "is_missing")
            {
                return AttributeValue(((Attribute)call.Arguments[0]).Name, s) is null;
            }

            var before = s.History.Where(e => e.Ticks <= s.T).ToList();
            if (call.Function == "since_last")
            {
                return before.Count == 0 ? null : (decimal)(s.T - before[^1].Ticks) / TimeSpan.TicksPerSecond;
            }

            var w = call.Window!.Value.Ticks;
            bool Passes(Event e) => call.Filter is null || Value(call.Filter, s with { Earlier = e }) is true;
            if (call.Function == "travel_speed")
            {
                var last = before.LastOrDefault(e => e.Country is not null && Passes(e));
                if (last is null || s.Tx.Country is null || s.T - last.Ticks > w) return null;
                var km = Fraud.Actors.Transactions.Countries.DistanceKm(last.Country, s.Tx.Country);
                if (km is null) return null;
                return (decimal)Math.Min(km.Value / Math.Max(TimeSpan.FromTicks(s.T - last.Ticks).TotalHours, 1.0 / 3600), 1e9);
            }

            var window = before.Where(e => e.Ticks > s.T - w && Passes(e)).ToList();
            object? Of(Event e) => Value(call.Arguments[0], s with { Earlier = e });
            switch (call.Function)
            {
                case "count":
                    return (decimal)window.Count;
                case "distinct":
                    return (decimal)window.Select(Of).Where(v => v is not null).Distinct().Count();
                case "seen":
                    var current = Value(call.Arguments[0], s);
                    return current is not null && window.Any(e => Equals(Of(e), current));
            }

            var values = window.Select(Of).OfType<decimal>().ToList();
            return call.Function switch
            {
                "sum" => values.Sum(),
                _ when values.Count == 0 => null,
                "avg" => values.Sum() / values.Count,
                "min" => values.Min(),
                _ => values.Max(),
            };
        }
    }
}
