using Fraud.Actors.Rules.Language;
using Fraud.Actors.State;
using Fraud.Actors.Transactions;
using Attribute = Fraud.Actors.Rules.Language.Attribute;

namespace Fraud.Actors.Rules.Compiler;

/// <summary>
/// Turns a parsed rule file into closures, once, when the file is loaded: every type is checked here (a number is
/// never compared with a text at run time), constants are folded into the closures that use them, and each aggregate
/// gets one slot shared by every rule that names it. A mistake is a <see cref="RuleSyntaxException"/> at its place.
/// </summary>
internal sealed class RuleCompiler
{
    private enum Kind
    {
        Number,
        Text,
        Condition,
    }

    /// <summary>Whether an expression reads this transaction, or (inside an aggregate) the earlier event in focus.</summary>
    private enum Scope
    {
        Current,
        Earlier,
    }

    /// <summary>One compiled sub-expression; <see cref="Constant"/> holds its value when it needs no input.</summary>
    private sealed record Node(Kind Kind, Number? Num = null, Text? Txt = null, Condition? Cond = null, bool ReadsHistory = false)
    {
        public object? Constant { get; init; }

        public bool IsConstant { get; init; }
    }

    /// <summary>What the history keeps of an earlier transaction; the rest of its fields are not remembered.</summary>
    public static readonly IReadOnlySet<string> KeptInHistory = new HashSet<string>(StringComparer.Ordinal) { "amount", "country", "hour", "weekday" };

    private readonly string _file;
    private readonly RuleEnvironment _environment;
    private readonly Dictionary<string, int> _slots = new(StringComparer.Ordinal);
    private TimeSpan _longestWindow;

    private RuleCompiler(string file, RuleEnvironment environment)
    {
        _file = file;
        _environment = environment;
    }

    public static CompiledRules Compile(RuleFile file, RuleEnvironment environment)
    {
        var compiler = new RuleCompiler(file.Path, environment);
        var rules = new List<CompiledRule>();
        foreach (var definition in file.Rules)
        {
            var condition = compiler.Compile(definition.Condition, Scope.Current);
            if (condition.Kind != Kind.Condition)
            {
                throw compiler.Error(definition.Condition, $"a rule's condition is true or false, not a {Describe(condition.Kind)}: compare it, e.g. {RuleText.Of(definition.Condition)} > 0");
            }

            var explained = compiler.Explanation(definition.Condition);
            rules.Add(new CompiledRule(definition, condition.Cond!, condition.ReadsHistory, explained.Observed, explained.Limit, explained.RoundObserved,
                FirstWindow(definition.Condition)));
        }

        return new CompiledRules(file.Path, rules, compiler._slots.Count, compiler._longestWindow);
    }

    private RuleSyntaxException Error(Expr at, string problem) => new(_file, at.Line, at.Column, problem);

    private static string Describe(Kind kind) => kind switch
    {
        Kind.Number => "number",
        Kind.Text => "text",
        _ => "condition",
    };

    private Node Expect(Expr expr, Scope scope, Kind kind, string role)
    {
        var node = Compile(expr, scope);
        if (node.Kind != kind)
        {
            throw Error(expr, $"{role} is a {Describe(kind)}, and {RuleText.Of(expr)} is a {Describe(node.Kind)}");
        }

        return node;
    }

    private Node Compile(Expr expr, Scope scope) => expr switch
    {
        NumberLiteral n => ConstantNumber(n.Value),
        StringLiteral s => ConstantText(s.Value),
        Attribute a => AttributeOf(a, scope),
        Unary { Op: "not" } u => Not(Expect(u.Operand, scope, Kind.Condition, "what 'not' negates")),
        Unary u => Negate(Expect(u.Operand, scope, Kind.Number, "what '-' negates")),
        Binary { Op: "and" or "or" } b => Logical(b, scope),
        Binary { Op: "+" or "-" or "*" or "/" } b => ArithmeticOf(b, scope),
        Binary b => Comparison(b, scope),
        InSet set => SetMembership(set, scope),
        InRange range => RangeMembership(range, scope),
        InList list => ListMembership(list, scope),
        Call call => CallOf(call, scope),
        _ => throw Error(expr, $"cannot compile {expr.GetType().Name}"),
    };

    private static Node ConstantNumber(decimal value) =>
        new(Kind.Number, Num: (ref RuleInput _) => value) { Constant = value, IsConstant = true };

    private static Node ConstantText(string value) =>
        new(Kind.Text, Txt: (ref RuleInput _) => value) { Constant = value, IsConstant = true };

    private Node AttributeOf(Attribute a, Scope scope)
    {
        if (a.InputField)
        {
            throw Error(a, $"field(\"{a.Name}\"): reading other input fields is not built yet; rules can read {string.Join(", ", RuleParser.Attributes)}");
        }

        if (scope == Scope.Earlier && !KeptInHistory.Contains(a.Name))
        {
            throw Error(a, $"the account's history keeps {string.Join(", ", KeptInHistory)} of earlier transactions, not '{a.Name}'");
        }

        if (scope == Scope.Earlier)
        {
            return a.Name switch
            {
                "amount" => new Node(Kind.Number, Num: static (ref RuleInput i) => i.History[i.Focus].Amount),
                "hour" => new Node(Kind.Number, Num: static (ref RuleInput i) => HourOf(i.History[i.Focus].Ticks)),
                "weekday" => new Node(Kind.Number, Num: static (ref RuleInput i) => WeekdayOf(i.History[i.Focus].Ticks)),
                _ => new Node(Kind.Text, Txt: static (ref RuleInput i) => Countries.CodeOf(i.History[i.Focus].CountryNumber)),
            };
        }

        return a.Name switch
        {
            "amount" => new Node(Kind.Number, Num: static (ref RuleInput i) => i.Tx.Amount),
            "amount_ref" => AmountInReference(a),
            "hour" => new Node(Kind.Number, Num: static (ref RuleInput i) => HourOf(i.Ticks)),
            "weekday" => new Node(Kind.Number, Num: static (ref RuleInput i) => WeekdayOf(i.Ticks)),
            "currency" => new Node(Kind.Text, Txt: static (ref RuleInput i) => Present(i.Tx.Currency)),
            "source" => new Node(Kind.Text, Txt: static (ref RuleInput i) => Present(i.Tx.Source)),
            "target" => new Node(Kind.Text, Txt: static (ref RuleInput i) => Present(i.Tx.Target)),
            "category" => new Node(Kind.Text, Txt: static (ref RuleInput i) => Present(i.Tx.MerchantCategory)),
            "country" => new Node(Kind.Text, Txt: static (ref RuleInput i) => Present(i.Tx.Country)),
            "device" => new Node(Kind.Text, Txt: static (ref RuleInput i) => Present(i.Tx.DeviceId)),
            _ => throw Error(a, $"unknown attribute '{a.Name}'"),
        };
    }

    private Node AmountInReference(Attribute a)
    {
        if (_environment.Rates is not { } rates)
        {
            throw Error(a, $"amount_ref needs the rates file ({RuleEnvironment.RatesFileName} next to the rules), which was not found");
        }

        return new Node(Kind.Number, Num: (ref RuleInput i) => rates.ToReference(i.Tx.Amount, i.Tx.Currency));
    }

    /// <summary>The key <c>distinct</c> and <c>seen</c> compare: read from the event in focus, or from this transaction when none is.</summary>
    private Number KeyOf(Attribute a)
    {
        if (a.InputField || !KeptInHistory.Contains(a.Name))
        {
            throw Error(a, $"the account's history keeps {string.Join(", ", KeptInHistory)} of earlier transactions, not '{a.Name}'");
        }

        return a.Name switch
        {
            "amount" => static (ref RuleInput i) => i.Focus < 0 ? i.Tx.Amount : i.History[i.Focus].Amount,
            "hour" => static (ref RuleInput i) => HourOf(i.Focus < 0 ? i.Ticks : i.History[i.Focus].Ticks),
            "weekday" => static (ref RuleInput i) => WeekdayOf(i.Focus < 0 ? i.Ticks : i.History[i.Focus].Ticks),
            _ => static (ref RuleInput i) => (i.Focus < 0 ? i.Country : i.History[i.Focus].CountryNumber) is var n and not 0 ? (decimal?)n : null,
        };
    }

    internal static decimal HourOf(long ticks) => ticks / TimeSpan.TicksPerHour % 24;

    /// <summary>1 Monday … 7 Sunday (ISO 8601).</summary>
    internal static decimal WeekdayOf(long ticks) => ((int)new DateTime(ticks).DayOfWeek + 6) % 7 + 1;

    private static string? Present(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private static Node Not(Node operand)
    {
        var f = operand.Cond!;
        return new Node(Kind.Condition, Cond: (ref RuleInput i) => !f(ref i), ReadsHistory: operand.ReadsHistory);
    }

    private static Node Negate(Node operand)
    {
        if (operand is { IsConstant: true, Constant: decimal c })
        {
            return ConstantNumber(-c);
        }

        var f = operand.Num!;
        return new Node(Kind.Number, Num: (ref RuleInput i) => -f(ref i), ReadsHistory: operand.ReadsHistory);
    }

    private Node Logical(Binary b, Scope scope)
    {
        var left = Expect(b.Left, scope, Kind.Condition, $"each side of '{b.Op}'");
        var right = Expect(b.Right, scope, Kind.Condition, $"each side of '{b.Op}'");
        var (l, r) = (left.Cond!, right.Cond!);
        Condition f = b.Op == "and" ? (ref RuleInput i) => l(ref i) && r(ref i) : (ref RuleInput i) => l(ref i) || r(ref i);
        return new Node(Kind.Condition, Cond: f, ReadsHistory: left.ReadsHistory || right.ReadsHistory);
    }

    private Node ArithmeticOf(Binary b, Scope scope)
    {
        var left = Expect(b.Left, scope, Kind.Number, $"each side of '{b.Op}'");
        var right = Expect(b.Right, scope, Kind.Number, $"each side of '{b.Op}'");
        var op = b.Op;
        if (left is { IsConstant: true, Constant: decimal lc } && right is { IsConstant: true, Constant: decimal rc })
        {
            return Arithmetic.Apply(op, lc, rc) is { } folded
                ? ConstantNumber(folded)
                : throw Error(b, $"{RuleText.Of(b)} has no value (a division by zero or a number too large)");
        }

        var (l, r) = (left.Num!, right.Num!);
        Number f = (op, right) switch
        {
            ("+", { IsConstant: true, Constant: decimal c }) => (ref RuleInput i) => l(ref i) is { } x ? Arithmetic.Add(x, c) : null,
            ("+", _) => (ref RuleInput i) => l(ref i) is { } x && r(ref i) is { } y ? Arithmetic.Add(x, y) : null,
            (_, { IsConstant: true, Constant: decimal c }) => (ref RuleInput i) => l(ref i) is { } x ? Arithmetic.Apply(op, x, c) : null,
            _ => (ref RuleInput i) => l(ref i) is { } x && r(ref i) is { } y ? Arithmetic.Apply(op, x, y) : null,
        };
        return new Node(Kind.Number, Num: f, ReadsHistory: left.ReadsHistory || right.ReadsHistory);
    }

    private Node Comparison(Binary b, Scope scope)
    {
        var left = Compile(b.Left, scope);
        var right = Compile(b.Right, scope);
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

            var (l, r) = (left.Txt!, right.Txt!);
            Condition f = b.Op == "=="
                ? (ref RuleInput i) => l(ref i) is { } x && r(ref i) is { } y && string.Equals(x, y, StringComparison.Ordinal)
                : (ref RuleInput i) => l(ref i) is { } x && r(ref i) is { } y && !string.Equals(x, y, StringComparison.Ordinal);
            return new Node(Kind.Condition, Cond: f, ReadsHistory: history);
        }

        throw Error(b, $"cannot compare a {Describe(left.Kind)} ({RuleText.Of(b.Left)}) with a {Describe(right.Kind)} ({RuleText.Of(b.Right)})");
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
            throw Error(list, $"no list '@{list.List}' (looked for {list.List}{RuleEnvironment.ListExtension} next to the rules)");
        }

        var (v, negated) = (value.Txt!, list.Negated);
        return new Node(Kind.Condition, Cond: (ref RuleInput i) => v(ref i) is { } x && members.Contains(x) != negated, ReadsHistory: value.ReadsHistory);
    }

    private Node CallOf(Call call, Scope scope)
    {
        if (scope == Scope.Earlier && call.Function != "is_missing")
        {
            throw Error(call, $"{call.Function}(...) reads the account's history, which a 'where' condition (about one earlier transaction) cannot");
        }

        if (call.Function == "is_missing")
        {
            var attribute = (Attribute)call.Arguments[0];
            var node = AttributeOf(attribute, scope);
            var (num, txt) = (node.Num, node.Txt);
            Condition missing = num is not null ? (ref RuleInput i) => num(ref i) is null : (ref RuleInput i) => txt!(ref i) is null;
            return new Node(Kind.Condition, Cond: missing);
        }

        if (call.Function == "since_last")
        {
            return new Node(Kind.Number, Num: static (ref RuleInput i) => Aggregates.SinceLast(ref i), ReadsHistory: true);
        }

        var window = call.Window!.Value;
        if (window > _environment.MaxWindow)
        {
            throw Error(call, $"{call.Function}(...) reads {RuleText.Window(window)} of history, more than Fraud:Rules:MaxWindow ({RuleText.Window(_environment.MaxWindow)})");
        }

        if (window > _longestWindow) _longestWindow = window;
        var ticks = window.Ticks;
        var filter = call.Filter is null ? null : Expect(call.Filter, Scope.Earlier, Kind.Condition, "a 'where' filter").Cond;
        var slot = SlotOf(call);
        switch (call.Function)
        {
            case "count":
                return Shared(slot, (ref RuleInput i) => Aggregates.Count(ref i, ticks, filter));
            case "travel_speed":
                return Shared(slot, (ref RuleInput i) => Aggregates.TravelSpeed(ref i, ticks, filter));
            case "distinct":
            {
                var key = KeyOf((Attribute)call.Arguments[0]);
                return Shared(slot, (ref RuleInput i) => Aggregates.Distinct(ref i, key, ticks, filter));
            }

            case "seen":
            {
                var key = KeyOf((Attribute)call.Arguments[0]);
                var seen = Shared(slot, (ref RuleInput i) => Aggregates.Seen(ref i, key, ticks, filter) ? 1 : 0).Num!;
                return new Node(Kind.Condition, Cond: (ref RuleInput i) => seen(ref i) == 1, ReadsHistory: true);
            }

            case "sum" when filter is null && call.Arguments[0] is Attribute { Name: "amount", InputField: false }:
                return Shared(slot, (ref RuleInput i) => Aggregates.SumOfAmounts(ref i, ticks));
            default:
            {
                var value = Expect(call.Arguments[0], Scope.Earlier, Kind.Number, $"what {call.Function} adds up").Num!;
                var function = call.Function;
                return Shared(slot, (ref RuleInput i) => Aggregates.Fold(ref i, function, value, ticks, filter));
            }
        }
    }

    private int SlotOf(Call call)
    {
        var key = RuleText.Of(call);
        if (!_slots.TryGetValue(key, out var slot))
        {
            slot = _slots.Count;
            _slots[key] = slot;
        }

        return slot;
    }

    /// <summary>An aggregate computed at most once per transaction, however many rules name it.</summary>
    private static Node Shared(int slot, Number compute) =>
        new(Kind.Number, Num: (ref RuleInput i) =>
        {
            if (!i.Done[slot])
            {
                i.Slots[slot] = compute(ref i);
                i.Done[slot] = true;
            }

            return i.Slots[slot];
        }, ReadsHistory: true);

    private (Number? Observed, Number? Limit, bool RoundObserved) Explanation(Expr condition)
    {
        // A hit shows the first numeric comparison of its rule, as today's built-in rules do: what it saw, the limit.
        foreach (var comparison in Comparisons(condition))
        {
            var left = Compile(comparison.Left, Scope.Current);
            var right = Compile(comparison.Right, Scope.Current);
            if (left.Kind == Kind.Number && right.Kind == Kind.Number)
            {
                // travel_speed is km/h from a double: one decimal is all the precision it has to show.
                return (left.Num, right.Num, comparison.Left is Call { Function: "travel_speed" });
            }
        }

        return (null, null, false);
    }

    /// <summary>The comparisons about this transaction, left to right; those inside aggregates are about earlier ones.</summary>
    private static IEnumerable<Binary> Comparisons(Expr expr)
    {
        switch (expr)
        {
            case Binary { Op: "==" or "!=" or "<" or "<=" or ">" or ">=" } b:
                yield return b;
                break;
            case Binary b:
                foreach (var c in Comparisons(b.Left).Concat(Comparisons(b.Right))) yield return c;
                break;
            case Unary u:
                foreach (var c in Comparisons(u.Operand)) yield return c;
                break;
        }
    }

    private static TimeSpan? FirstWindow(Expr expr) => expr switch
    {
        Call { Window: { } w } => w,
        Call c => c.Arguments.Select(FirstWindow).FirstOrDefault(w => w is not null),
        Binary b => FirstWindow(b.Left) ?? FirstWindow(b.Right),
        Unary u => FirstWindow(u.Operand),
        InSet s => FirstWindow(s.Value) ?? s.Items.Select(FirstWindow).FirstOrDefault(w => w is not null),
        InRange r => FirstWindow(r.Value) ?? FirstWindow(r.Low) ?? FirstWindow(r.High),
        InList l => FirstWindow(l.Value),
        _ => null,
    };
}
