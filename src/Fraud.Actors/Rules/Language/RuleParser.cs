using System.Globalization;

namespace Fraud.Actors.Rules.Language;

/// <summary>
/// Reads a rule file (grammar in docs/rules.md) into <see cref="RuleFile"/>. Every mistake is one
/// <see cref="RuleSyntaxException"/> naming the file, line and column and what was expected there.
/// </summary>
public sealed class RuleParser
{
    /// <summary>The attributes a condition may name; any other input field is <c>field("name")</c>.</summary>
    public static readonly IReadOnlySet<string> Attributes = new HashSet<string>(StringComparer.Ordinal)
    {
        "amount", "amount_ref", "currency", "source", "target", "category", "country", "device", "hour", "weekday",
    };

    /// <summary>Aggregates over the account's earlier transactions: whether each takes an attribute first.</summary>
    private static readonly Dictionary<string, bool> Aggregates = new(StringComparer.Ordinal)
    {
        ["count"] = false, ["travel_speed"] = false, ["sum"] = true, ["avg"] = true, ["min"] = true, ["max"] = true, ["distinct"] = true, ["seen"] = true,
    };

    /// <summary>Signals of the transaction and the one before it: how many attributes each takes.</summary>
    private static readonly Dictionary<string, int> Signals = new(StringComparer.Ordinal)
    {
        ["since_last"] = 0, ["is_missing"] = 1,
    };

    private readonly List<Token> _tokens;
    private readonly string _file;
    private int _at;

    private RuleParser(List<Token> tokens, string file)
    {
        _tokens = tokens;
        _file = file;
    }

    public static RuleFile Parse(string text, string file)
    {
        var parser = new RuleParser(Lexer.Tokenize(text, file), file);
        return new RuleFile(file, parser.Rules());
    }

    private Token Current => _tokens[_at];

    private Token Next() => _tokens[_at++];

    private RuleSyntaxException Error(Token at, string problem) => new(_file, at.Line, at.Column, problem);

    private Token Expect(string text, string? what = null)
    {
        if (!Current.Is(text))
        {
            throw Error(Current, $"expected {what ?? $"'{text}'"}, found {Current.Describe()}");
        }

        return Next();
    }

    private List<RuleDefinition> Rules()
    {
        var rules = new List<RuleDefinition>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (Current.Kind != TokenKind.End)
        {
            var start = Expect("rule", "'rule' to start a rule");
            var id = Current;
            if (id.Kind != TokenKind.Identifier)
            {
                throw Error(id, $"expected the rule's id (letters, digits, '_' and '-'), found {id.Describe()}");
            }

            Next();
            if (!ids.Add(id.Text))
            {
                throw Error(id, $"a rule '{id.Text}' is already defined above");
            }

            Expect(":", "':' after the rule's id");
            var action = Next() switch
            {
                { Text: "allow", Kind: TokenKind.Identifier } => RuleAction.Allow,
                { Text: "review", Kind: TokenKind.Identifier } => RuleAction.Review,
                { Text: "block", Kind: TokenKind.Identifier } => RuleAction.Block,
                var other => throw Error(other, $"expected the action (allow, review or block), found {other.Describe()}"),
            };

            double weight = 1;
            var version = 1;
            var mode = RuleMode.Active;
            while (!Current.Is("when"))
            {
                var option = Next();
                switch (option)
                {
                    case { Kind: TokenKind.Identifier, Text: "weight" }:
                        var w = ExpectNumber("the weight, a number from 0 to 1");
                        if (w < 0 || w > 1)
                        {
                            throw Error(_tokens[_at - 1], $"a weight is from 0 to 1, not {w.ToString(CultureInfo.InvariantCulture)}");
                        }

                        weight = (double)w;
                        break;
                    case { Kind: TokenKind.Identifier, Text: "version" }:
                        var v = ExpectNumber("the version, a whole number from 1");
                        if (v < 1 || v != decimal.Truncate(v) || v > int.MaxValue)
                        {
                            throw Error(_tokens[_at - 1], $"a version is a whole number from 1, not {v.ToString(CultureInfo.InvariantCulture)}");
                        }

                        version = (int)v;
                        break;
                    case { Kind: TokenKind.Identifier, Text: "disabled" }:
                        mode = RuleMode.Disabled;
                        break;
                    case { Kind: TokenKind.Identifier, Text: "shadow" }:
                        mode = RuleMode.Shadow;
                        break;
                    default:
                        throw Error(option, $"expected 'weight', 'version', 'shadow', 'disabled' or 'when', found {option.Describe()}");
                }
            }

            Next(); // when
            var condition = Or();
            if (Current.Kind != TokenKind.End && !Current.Is("rule"))
            {
                throw Error(Current, $"expected 'and', 'or', an operator or the next 'rule', found {Current.Describe()}");
            }

            rules.Add(new RuleDefinition(id.Text, action, weight, mode, version, condition, start.Line));
        }

        return rules;
    }

    private decimal ExpectNumber(string what)
    {
        if (Current.Kind != TokenKind.Number)
        {
            throw Error(Current, $"expected {what}, found {Current.Describe()}");
        }

        return Lexer.NumberOf(Next());
    }

    private Expr Or()
    {
        var left = And();
        while (Current.Is("or"))
        {
            var op = Next();
            left = new Binary("or", left, And(), op.Line, op.Column);
        }

        return left;
    }

    private Expr And()
    {
        var left = Not();
        while (Current.Is("and"))
        {
            var op = Next();
            left = new Binary("and", left, Not(), op.Line, op.Column);
        }

        return left;
    }

    private Expr Not()
    {
        if (Current.Is("not"))
        {
            var op = Next();
            return new Unary("not", Not(), op.Line, op.Column);
        }

        return Compare();
    }

    private static readonly HashSet<string> Comparisons = ["==", "!=", "<", "<=", ">", ">="];

    private Expr Compare()
    {
        var left = Sum();
        if (Current.Kind == TokenKind.Operator && Comparisons.Contains(Current.Text))
        {
            var op = Next();
            return new Binary(op.Text, left, Sum(), op.Line, op.Column);
        }

        var negated = false;
        if (Current.Is("not") && _tokens[_at + 1].Is("in"))
        {
            Next();
            negated = true;
        }

        if (!Current.Is("in"))
        {
            return left;
        }

        var inToken = Next();
        if (Current.Kind == TokenKind.ListName)
        {
            return new InList(left, Next().Text, negated, inToken.Line, inToken.Column);
        }

        if (Current.Is("("))
        {
            Next();
            var items = new List<Expr> { Sum() };
            while (Current.Is(","))
            {
                Next();
                items.Add(Sum());
            }

            Expect(")", "',' or ')' in the set of values");
            return new InSet(left, items, negated, inToken.Line, inToken.Column);
        }

        var low = Sum();
        Expect("..", "'..' in a range (low..high), a set '(a, b)' or a list '@name' after 'in'");
        return new InRange(left, low, Sum(), negated, inToken.Line, inToken.Column);
    }

    private Expr Sum()
    {
        var left = Product();
        while (Current.Is("+") || Current.Is("-"))
        {
            var op = Next();
            left = new Binary(op.Text, left, Product(), op.Line, op.Column);
        }

        return left;
    }

    private Expr Product()
    {
        var left = Negation();
        while (Current.Is("*") || Current.Is("/"))
        {
            var op = Next();
            left = new Binary(op.Text, left, Negation(), op.Line, op.Column);
        }

        return left;
    }

    private Expr Negation()
    {
        if (Current.Is("-"))
        {
            var op = Next();
            return new Unary("-", Negation(), op.Line, op.Column);
        }

        return Primary();
    }

    private Expr Primary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Number:
                Next();
                return new NumberLiteral(Lexer.NumberOf(token), token.Line, token.Column);
            case TokenKind.String:
                Next();
                return new StringLiteral(token.Text, token.Line, token.Column);
            case TokenKind.Operator when token.Text == "(":
                Next();
                var inner = Or();
                Expect(")", "')' to close '('");
                return inner;
            case TokenKind.Identifier when _tokens[_at + 1].Is("("):
                return Function();
            case TokenKind.Identifier:
                Next();
                if (!Attributes.Contains(token.Text))
                {
                    throw Error(token, $"unknown attribute '{token.Text}' (known: {string.Join(", ", Attributes)}; any other input field: field(\"{token.Text}\"))");
                }

                return new Attribute(token.Text, token.Line, token.Column);
            case TokenKind.Duration:
                throw Error(token, $"a window ({token.Text}) belongs inside an aggregate, e.g. count({token.Text})");
            default:
                throw Error(token, $"expected a value, an attribute or a function, found {token.Describe()}");
        }
    }

    private Expr Function()
    {
        var name = Next();
        Next(); // (
        if (name.Text == "field")
        {
            var field = Current;
            if (field.Kind != TokenKind.String)
            {
                throw Error(field, $"expected the input field's name in quotes, found {field.Describe()}");
            }

            Next();
            Expect(")", "')' after the field's name");
            return new Attribute(field.Text, name.Line, name.Column, InputField: true);
        }

        if (Aggregates.TryGetValue(name.Text, out var takesAttribute))
        {
            var arguments = new List<Expr>();
            if (takesAttribute)
            {
                arguments.Add(AttributeArgument(name.Text));
                Expect(",", $"',' and a window after {name.Text}'s attribute, e.g. {name.Text}(amount, 24h)");
            }

            var window = Current;
            if (window.Kind != TokenKind.Duration)
            {
                throw Error(window, $"expected a window (60s, 10m, 24h, 7d), found {window.Describe()}");
            }

            Next();
            Expr? filter = null;
            if (Current.Is("where"))
            {
                Next();
                filter = Or();
            }

            Expect(")", filter is null ? "'where' or ')'" : "')' to close the aggregate");
            return new Call(name.Text, arguments, DurationOf(window), filter, name.Line, name.Column);
        }

        if (Signals.TryGetValue(name.Text, out var attributes))
        {
            var arguments = new List<Expr>();
            for (var k = 0; k < attributes; k++)
            {
                arguments.Add(AttributeArgument(name.Text));
            }

            Expect(")", attributes == 0 ? $"')': {name.Text} takes nothing" : "')'");
            return new Call(name.Text, arguments, null, null, name.Line, name.Column);
        }

        throw Error(name, $"unknown function '{name.Text}' (known: {string.Join(", ", Aggregates.Keys.Concat(Signals.Keys).Append("field"))})");
    }

    private Expr AttributeArgument(string function)
    {
        var token = Current;
        if (token.Kind == TokenKind.Duration && function is not "is_missing")
        {
            throw Error(token, $"{function} takes an attribute before its window, e.g. {function}(amount, {token.Text})");
        }

        var value = Sum();
        if (value is not Attribute && function is "distinct" or "seen" or "is_missing")
        {
            throw Error(token, $"{function} takes an attribute, e.g. {function}(device{(function == "is_missing" ? "" : ", 10m")})");
        }

        return value;
    }

    private TimeSpan DurationOf(Token token)
    {
        if (!long.TryParse(token.Text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            count = long.MaxValue;
        }

        var unit = token.Text[^1] switch
        {
            's' => TimeSpan.TicksPerSecond,
            'm' => TimeSpan.TicksPerMinute,
            'h' => TimeSpan.TicksPerHour,
            _ => TimeSpan.TicksPerDay,
        };

        if (count <= 0 || count > TimeSpan.MaxValue.Ticks / unit / 2)
        {
            throw Error(token, $"a window is longer than nothing and shorter than a lifetime, not {token.Text}");
        }

        return TimeSpan.FromTicks(count * unit);
    }
}
