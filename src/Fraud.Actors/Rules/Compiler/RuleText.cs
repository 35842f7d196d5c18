using System.Globalization;
using System.Text;
using Fraud.Actors.Rules.Language;

namespace Fraud.Actors.Rules.Compiler;

/// <summary>
/// An expression written back as rule text, in one canonical spelling: the key under which equal sub-expressions share
/// one computation, and the text an explanation shows next to the value it saw.
/// </summary>
internal static class RuleText
{
    public static string Of(Expr expr) => Write(new StringBuilder(), expr).ToString();

    private static StringBuilder Write(StringBuilder b, Expr expr)
    {
        switch (expr)
        {
            case NumberLiteral n:
                return b.Append(n.Value.ToString(CultureInfo.InvariantCulture));
            case StringLiteral s:
                return b.Append('"').Append(s.Value.Replace("\\", "\\\\").Replace("\"", "\\\"")).Append('"');
            case Language.Attribute { InputField: true } a:
                return Write(b.Append("field("), new StringLiteral(a.Name, 0, 0)).Append(')');
            case Language.Attribute a:
                return b.Append(a.Name);
            case Unary u:
                return Write(b.Append(u.Op == "not" ? "not (" : "-("), u.Operand).Append(')');
            case Binary bin:
                Write(b.Append('('), bin.Left).Append(' ').Append(bin.Op).Append(' ');
                return Write(b, bin.Right).Append(')');
            case InSet set:
                Write(b, set.Value).Append(set.Negated ? " not in (" : " in (");
                for (var i = 0; i < set.Items.Count; i++)
                {
                    Write(i == 0 ? b : b.Append(", "), set.Items[i]);
                }

                return b.Append(')');
            case InRange range:
                Write(b, range.Value).Append(range.Negated ? " not in " : " in ");
                return Write(Write(b, range.Low).Append(".."), range.High);
            case InList list:
                return Write(b, list.Value).Append(list.Negated ? " not in @" : " in @").Append(list.List);
            case Call call:
                b.Append(call.Function).Append('(');
                foreach (var argument in call.Arguments)
                {
                    Write(b, argument).Append(", ");
                }

                if (call.Window is { } window)
                {
                    b.Append(Window(window));
                }

                if (call.Filter is not null)
                {
                    Write(b.Append(" where "), call.Filter);
                }

                return b.Append(')');
            default:
                throw new ArgumentOutOfRangeException(nameof(expr), expr.GetType().Name, "no text for this node");
        }
    }

    /// <summary>A window in the largest unit that divides it: <c>60s</c> and <c>1m</c> are one window, and share one walk.</summary>
    public static string Window(TimeSpan window)
    {
        var ticks = window.Ticks;
        if (ticks % TimeSpan.TicksPerDay == 0) return (ticks / TimeSpan.TicksPerDay).ToString(CultureInfo.InvariantCulture) + "d";
        if (ticks % TimeSpan.TicksPerHour == 0) return (ticks / TimeSpan.TicksPerHour).ToString(CultureInfo.InvariantCulture) + "h";
        if (ticks % TimeSpan.TicksPerMinute == 0) return (ticks / TimeSpan.TicksPerMinute).ToString(CultureInfo.InvariantCulture) + "m";
        return (ticks / TimeSpan.TicksPerSecond).ToString(CultureInfo.InvariantCulture) + "s";
    }
}
