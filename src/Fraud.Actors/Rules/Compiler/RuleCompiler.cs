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
internal sealed partial class RuleCompiler
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
    /// <remarks>
    /// An earlier transaction's category, target or device is kept as a hash (<see cref="TextHash"/>): its node has a
    /// <see cref="Key"/> and no <see cref="Txt"/>, and what it is compared with is hashed the same way.
    /// </remarks>
    private sealed record Node(Kind Kind, Number? Num = null, Text? Txt = null, Condition? Cond = null, bool ReadsHistory = false, TextKey? Key = null)
    {
        public object? Constant { get; init; }

        public bool IsConstant { get; init; }

        /// <summary>An input field: a text with a number beside it, taken as a number where one is expected.</summary>
        public bool Dual { get; init; }

        public Node AsNumber() => this with { Kind = Kind.Number, Dual = false };
    }

    /// <summary>What the history keeps of an earlier transaction; the rest of its fields are not remembered.</summary>
    public static readonly IReadOnlySet<string> KeptInHistory = new HashSet<string>(StringComparer.Ordinal)
    {
        "amount", "amount_ref", "currency", "country", "category", "target", "device", "hour", "weekday",
    };

    private readonly string _file;
    private readonly RuleEnvironment _environment;
    private readonly Dictionary<string, int> _slots = new(StringComparer.Ordinal);
    private TimeSpan _longestWindow;
    private HistoryFields _kept;
    private bool _readsEarlierReference;

    // Of the rule being compiled: the latest time from which a history slot it reads holds its field, and its longest window.
    private long _ruleFieldsSince;
    private TimeSpan _ruleWindow;

    private RuleCompiler(string file, RuleEnvironment environment)
    {
        _file = file;
        _environment = environment;
    }

    public static CompiledRules Compile(RuleFile file, RuleEnvironment environment)
    {
        var compiler = new RuleCompiler(file.Path, environment);
        compiler.PlanFields(file);
        foreach (var definition in file.Rules)
        {
            compiler.CountUses(definition.Condition);
        }

        var conditions = new List<Node>();
        var partialUntil = new List<long>();
        foreach (var definition in file.Rules)
        {
            (compiler._ruleFieldsSince, compiler._ruleWindow) = (0, TimeSpan.Zero);
            var condition = compiler.Compile(definition.Condition, Scope.Current);
            partialUntil.Add(compiler._ruleFieldsSince == 0 ? 0 : compiler._ruleFieldsSince + compiler._ruleWindow.Ticks);
            if (condition.Kind != Kind.Condition)
            {
                throw compiler.Error(definition.Condition, $"a rule's condition is true or false, not a {Describe(condition.Kind)}: compare it, e.g. {RuleText.Of(definition.Condition)} > 0");
            }

            conditions.Add(condition);
        }

        // Slots the conditions use come first; those only explanations use are made when a rule fires.
        var conditionSlots = compiler._slots.Count;
        var rules = new List<CompiledRule>();
        for (var k = 0; k < file.Rules.Count; k++)
        {
            var (definition, condition) = (file.Rules[k], conditions[k]);
            var explained = compiler.Explanation(definition.Condition);
            rules.Add(new CompiledRule(definition, condition.Cond!, condition.ReadsHistory, explained.Observed, explained.Limit, explained.RoundObserved,
                FirstWindow(definition.Condition), compiler.Values(definition.Condition)) { PartialUntilTicks = partialUntil[k] });
        }

        var fields = compiler._fields.Count == 0 ? null : new InputFields(compiler._fields);
        return new CompiledRules(file.Path, rules, conditionSlots, compiler._slots.Count, compiler._longestWindow, compiler._kept, fields, compiler._readsEarlierReference)
        {
            FieldHistory = compiler._fieldHistory,
        };
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
        if (kind == Kind.Number && node.Dual)
        {
            return node.AsNumber();
        }

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
}
