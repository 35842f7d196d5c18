using Fraud.Actors.Rules.Language;
using Fraud.Actors.State;
using Fraud.Actors.Transactions;
using Attribute = Fraud.Actors.Rules.Language.Attribute;

namespace Fraud.Actors.Rules.Compiler;

/// <summary>Comparisons and memberships: numbers against numbers, texts (or their hashes) against texts.</summary>
internal sealed partial class RuleCompiler
{
    private Node Comparison(Binary b, Scope scope)
    {
        if (Fused(b, scope) is { } fused)
        {
            return fused;
        }

        var (left, right) = Typed(b.Op, Compile(b.Left, scope), Compile(b.Right, scope));
        var history = left.ReadsHistory || right.ReadsHistory;
        if (left.Kind == Kind.Number && right.Kind == Kind.Number)
        {
            return new Node(Kind.Condition, Cond: NumberComparison(b.Op, left, right), ReadsHistory: history);
        }

        if (left.Kind == Kind.Text && right.Kind == Kind.Text)
        {
            if (b.Op is not ("==" or "!="))
            {
                throw Error(b, $"texts are compared with == or !=, not {b.Op}");
            }

            if (left.Txt is null || right.Txt is null)
            {
                var (lk, rk, equal) = (KeyFn(left), KeyFn(right), b.Op == "==");
                Condition byKey = (ref RuleInput i) => lk(ref i) is var x and not 0 && rk(ref i) is var y and not 0 && x == y == equal;
                return new Node(Kind.Condition, Cond: byKey, ReadsHistory: history);
            }

            var (l, r) = (left.Txt!, right.Txt!);
            Condition f = b.Op == "=="
                ? (ref RuleInput i) => l(ref i) is { } x && r(ref i) is { } y && string.Equals(x, y, StringComparison.Ordinal)
                : (ref RuleInput i) => l(ref i) is { } x && r(ref i) is { } y && !string.Equals(x, y, StringComparison.Ordinal);
            return new Node(Kind.Condition, Cond: f, ReadsHistory: history);
        }

        throw Error(b, $"cannot compare a {Describe(left.Kind)} ({RuleText.Of(b.Left)}) with a {Describe(right.Kind)} ({RuleText.Of(b.Right)})");
    }

    /// <summary>
    /// An input field takes the other side's type: a number against a number, or when ordered (<c>&lt;</c>, <c>&gt;=</c>);
    /// a text otherwise.
    /// </summary>
    private static (Node Left, Node Right) Typed(string op, Node left, Node right)
    {
        var ordered = op is "<" or "<=" or ">" or ">=";
        if (left.Dual && (right.Kind == Kind.Number || (ordered && right.Dual)))
        {
            left = left.AsNumber();
        }

        if (right.Dual && (left.Kind == Kind.Number || ordered))
        {
            right = right.AsNumber();
        }

        return (left, right);
    }

    private static Condition NumberComparison(string op, Node left, Node right)
    {
        var l = left.Num!;
        if (right is { IsConstant: true, Constant: decimal c })
        {
            // The usual shape (a value against a threshold) reads one closure, not two.
            return op switch
            {
                "==" => (ref RuleInput i) => l(ref i) is { } x && x == c,
                "!=" => (ref RuleInput i) => l(ref i) is { } x && x != c,
                "<" => (ref RuleInput i) => l(ref i) is { } x && x < c,
                "<=" => (ref RuleInput i) => l(ref i) is { } x && x <= c,
                ">" => (ref RuleInput i) => l(ref i) is { } x && x > c,
                _ => (ref RuleInput i) => l(ref i) is { } x && x >= c,
            };
        }

        var r = right.Num!;
        return op switch
        {
            "==" => (ref RuleInput i) => l(ref i) is { } x && r(ref i) is { } y && x == y,
            "!=" => (ref RuleInput i) => l(ref i) is { } x && r(ref i) is { } y && x != y,
            "<" => (ref RuleInput i) => l(ref i) is { } x && r(ref i) is { } y && x < y,
            "<=" => (ref RuleInput i) => l(ref i) is { } x && r(ref i) is { } y && x <= y,
            ">" => (ref RuleInput i) => l(ref i) is { } x && r(ref i) is { } y && x > y,
            _ => (ref RuleInput i) => l(ref i) is { } x && r(ref i) is { } y && x >= y,
        };
    }

    private Node SetMembership(InSet set, Scope scope)
    {
        var value = Compile(set.Value, scope);
        if (value.Dual && set.Items.All(item => item is NumberLiteral or Unary { Op: "-" }))
        {
            value = value.AsNumber();
        }

        if (value.Kind == Kind.Condition)
        {
            throw Error(set, $"'in' tests a number or a text, and {RuleText.Of(set.Value)} is a condition");
        }

        var items = set.Items.Select(item => Expect(item, scope, value.Kind, $"each value of the set after {RuleText.Of(set.Value)}")).ToList();
        var history = value.ReadsHistory || items.Any(item => item.ReadsHistory);
        var negated = set.Negated;
        Condition f;
        if (value.Kind == Kind.Number)
        {
            var v = value.Num!;
            if (items.All(item => item.IsConstant))
            {
                var constants = items.Select(item => (decimal)item.Constant!).ToArray();
                f = (ref RuleInput i) => v(ref i) is { } x && Array.IndexOf(constants, x) >= 0 != negated;
            }
            else
            {
                var numbers = items.Select(item => item.Num!).ToArray();
                f = (ref RuleInput i) => v(ref i) is { } x && AnyEqual(ref i, numbers, x) != negated;
            }
        }
        else if (value.Txt is null || items.Any(item => item.Txt is null))
        {
            var v = KeyFn(value);
            var keys = items.Select(KeyFn).ToArray();
            if (items.All(item => item.IsConstant))
            {
                var constants = items.Select(item => TextHash.Of((string)item.Constant!)).ToHashSet();
                f = (ref RuleInput i) => v(ref i) is var x and not 0 && constants.Contains(x) != negated;
            }
            else
            {
                f = (ref RuleInput i) => v(ref i) is var x and not 0 && AnyEqual(ref i, keys, x) != negated;
            }
        }
        else
        {
            var v = value.Txt!;
            if (items.All(item => item.IsConstant))
            {
                var constants = items.Select(item => (string)item.Constant!).ToHashSet(StringComparer.Ordinal);
                f = (ref RuleInput i) => v(ref i) is { } x && constants.Contains(x) != negated;
            }
            else
            {
                var texts = items.Select(item => item.Txt!).ToArray();
                f = (ref RuleInput i) => v(ref i) is { } x && AnyEqual(ref i, texts, x) != negated;
            }
        }

        return new Node(Kind.Condition, Cond: f, ReadsHistory: history);
    }

    private static bool AnyEqual(ref RuleInput input, Number[] items, decimal x)
    {
        foreach (var item in items)
        {
            if (item(ref input) == x) return true;
        }

        return false;
    }

    private static bool AnyEqual(ref RuleInput input, TextKey[] items, uint x)
    {
        foreach (var item in items)
        {
            if (item(ref input) == x) return true;
        }

        return false;
    }

    private static bool AnyEqual(ref RuleInput input, Text[] items, string x)
    {
        foreach (var item in items)
        {
            if (string.Equals(item(ref input), x, StringComparison.Ordinal)) return true;
        }

        return false;
    }

    private Node RangeMembership(InRange range, Scope scope)
    {
        if (ClockRange(range, scope) is { } clock)
        {
            return clock;
        }

        var value = Expect(range.Value, scope, Kind.Number, "what 'in low..high' tests");
        var low = Expect(range.Low, scope, Kind.Number, "a range's low end");
        var high = Expect(range.High, scope, Kind.Number, "a range's high end");
        var (v, lo, hi, negated) = (value.Num!, low.Num!, high.Num!, range.Negated);
        var history = value.ReadsHistory || low.ReadsHistory || high.ReadsHistory;

        // A clock wraps: hour in 22..3 is 22:00 to 03:59, weekday in 6..1 is Saturday to Monday.
        var wraps = range.Value is Attribute { Name: "hour" or "weekday", InputField: false };
        Condition f = (ref RuleInput i) =>
        {
            if (v(ref i) is not { } x || lo(ref i) is not { } a || hi(ref i) is not { } b)
            {
                return false;
            }

            var inside = a <= b || !wraps ? a <= x && x <= b : x >= a || x <= b;
            return inside != negated;
        };
        return new Node(Kind.Condition, Cond: f, ReadsHistory: history);
    }

    private Node ListMembership(InList list, Scope scope)
    {
        var value = Expect(list.Value, scope, Kind.Text, $"what 'in @{list.List}' tests");
        if (!_environment.Lists.TryGetValue(list.List, out var members))
        {
            throw Error(list, _environment.ListsWhere is { } where
                ? $"no list '@{list.List}' in {where}"
                : $"no list '@{list.List}' (looked for {list.List}{RuleEnvironment.ListExtension} next to the rules)");
        }

        if (value.Txt is null)
        {
            var (key, hashed, not) = (value.Key!, members.Select(TextHash.Of).ToHashSet(), list.Negated);
            return new Node(Kind.Condition, Cond: (ref RuleInput i) => key(ref i) is var x and not 0 && hashed.Contains(x) != not, ReadsHistory: value.ReadsHistory);
        }

        var (v, negated) = (value.Txt!, list.Negated);
        return new Node(Kind.Condition, Cond: (ref RuleInput i) => v(ref i) is { } x && members.Contains(x) != negated, ReadsHistory: value.ReadsHistory);
    }
}
