using Fraud.Actors.Rules.Language;
using Fraud.Actors.State;
using Fraud.Actors.Transactions;
using Attribute = Fraud.Actors.Rules.Language.Attribute;

namespace Fraud.Actors.Rules.Compiler;

/// <summary>How a hit explains itself: the first comparison's two sides, the first window, the values every comparison saw.</summary>
internal sealed partial class RuleCompiler
{
    private (Number? Observed, Number? Limit, bool RoundObserved) Explanation(Expr condition)
    {
        // A hit shows the first numeric comparison of its rule, as today's built-in rules do: what it saw, the limit.
        foreach (var comparison in Comparisons(condition))
        {
            var (left, right) = Typed(comparison.Op, Compile(comparison.Left, Scope.Current), Compile(comparison.Right, Scope.Current));
            if (left.Kind == Kind.Number && right.Kind == Kind.Number)
            {
                // travel_speed is km/h from a double: one decimal is all the precision it has to show.
                return (left.Num, right.Num, comparison.Left is Call { Function: "travel_speed" });
            }
        }

        return (null, null, false);
    }

    /// <summary>
    /// What each comparison about this transaction tested, left to right, once per expression: every side that is not a
    /// literal (<c>count(60s) + 1</c>, <c>amount</c>, <c>category</c>), computed only when the rule fires.
    /// </summary>
    private IReadOnlyList<(string Text, Number? Num, Text? Txt)> Values(Expr condition)
    {
        var values = new List<(string Text, Number? Num, Text? Txt)>();
        foreach (var tested in Tested(condition))
        {
            if (tested is NumberLiteral or StringLiteral)
            {
                continue;
            }

            var text = Unwrapped(RuleText.Of(tested));
            if (values.Exists(v => v.Text == text))
            {
                continue;
            }

            var node = Compile(tested, Scope.Current);
            if (node.Kind != Kind.Condition && !node.IsConstant)
            {
                // An input field shows what was written (its number, when it has one, is the same text).
                values.Add(node.Dual ? (text, null, node.Txt) : (text, node.Num, node.Txt));
            }
        }

        return values;
    }

    private static string Unwrapped(string text) => text.Length > 1 && text[0] == '(' && text[^1] == ')' ? text[1..^1] : text;

    private static IEnumerable<Expr> Tested(Expr expr)
    {
        switch (expr)
        {
            case Binary { Op: "and" or "or" } b:
                foreach (var e in Tested(b.Left).Concat(Tested(b.Right))) yield return e;
                break;
            case Binary { Op: "==" or "!=" or "<" or "<=" or ">" or ">=" } b:
                yield return b.Left;
                yield return b.Right;
                break;
            case Unary { Op: "not" } u:
                foreach (var e in Tested(u.Operand)) yield return e;
                break;
            case InSet s:
                yield return s.Value;
                break;
            case InRange r:
                yield return r.Value;
                yield return r.Low;
                yield return r.High;
                break;
            case InList l:
                yield return l.Value;
                break;
        }
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
