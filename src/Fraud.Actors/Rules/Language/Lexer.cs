using System.Globalization;
using System.Text;

namespace Fraud.Actors.Rules.Language;

/// <summary>
/// Splits a rule file into tokens. Line breaks mean nothing (a rule's condition may span lines); <c>#</c> starts a
/// comment to the end of the line. Identifiers may hold letters, digits, <c>_</c> and <c>-</c> (rule ids such as
/// <c>velocity-burst</c>: a <c>-</c> between letters, so subtraction is written with spaces); a number followed at once by <c>s</c>, <c>m</c>, <c>h</c> or <c>d</c> is a duration.
/// </summary>
public static class Lexer
{
    private static readonly string[] Operators = ["==", "!=", "<=", ">=", "..", "<", ">", "+", "-", "*", "/", "(", ")", ",", ":"];

    public static List<Token> Tokenize(string text, string file)
    {
        var tokens = new List<Token>();
        int line = 1, column = 1, i = 0;

        void Advance(int count)
        {
            for (var k = 0; k < count; k++, i++)
            {
                if (text[i] == '\n')
                {
                    line++;
                    column = 1;
                }
                else
                {
                    column++;
                }
            }
        }

        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                Advance(1);
                continue;
            }

            if (c == '#')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    Advance(1);
                }

                continue;
            }

            int startLine = line, startColumn = column;
            if (char.IsAsciiDigit(c))
            {
                var end = i;
                while (end < text.Length && char.IsAsciiDigit(text[end]))
                {
                    end++;
                }

                // A fraction, but not the start of a range ("1..5").
                if (end + 1 < text.Length && text[end] == '.' && char.IsAsciiDigit(text[end + 1]))
                {
                    end++;
                    while (end < text.Length && char.IsAsciiDigit(text[end]))
                    {
                        end++;
                    }
                }

                var number = text[i..end];
                if (end < text.Length && text[end] is 's' or 'm' or 'h' or 'd' && !IsWordChar(text, end + 1))
                {
                    if (number.Contains('.'))
                    {
                        throw new RuleSyntaxException(file, startLine, startColumn, $"a duration is a whole number of units, not '{number}{text[end]}'");
                    }

                    tokens.Add(new Token(TokenKind.Duration, number + text[end], startLine, startColumn));
                    Advance(end + 1 - i);
                    continue;
                }

                if (end < text.Length && IsWordChar(text, end))
                {
                    throw new RuleSyntaxException(file, startLine, startColumn, $"'{text[i..(end + 1)]}' is neither a number nor a duration (60s, 10m, 24h, 7d)");
                }

                if (!decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _))
                {
                    throw new RuleSyntaxException(file, startLine, startColumn, $"the number {number} is too large");
                }

                tokens.Add(new Token(TokenKind.Number, number, startLine, startColumn));
                Advance(end - i);
                continue;
            }

            if (char.IsLetter(c) || c == '_')
            {
                var end = i;
                // A rule's id runs to its ':' (velocity-2, count-7d); elsewhere a hyphen before a digit subtracts (x-1).
                var isId = tokens.Count > 0 && tokens[^1] is { Kind: TokenKind.Identifier, Text: "rule" };
                while (IsWordChar(text, end) || (isId && end < text.Length && (char.IsLetterOrDigit(text[end]) || text[end] is '_' or '-')))
                {
                    end++;
                }

                tokens.Add(new Token(TokenKind.Identifier, text[i..end], startLine, startColumn));
                Advance(end - i);
                continue;
            }

            if (c == '@')
            {
                var end = i + 1;
                while (IsWordChar(text, end))
                {
                    end++;
                }

                if (end == i + 1)
                {
                    throw new RuleSyntaxException(file, startLine, startColumn, "expected a list's name after '@'");
                }

                tokens.Add(new Token(TokenKind.ListName, text[(i + 1)..end], startLine, startColumn));
                Advance(end - i);
                continue;
            }

            if (c == '"')
            {
                var value = new StringBuilder();
                var end = i + 1;
                while (true)
                {
                    if (end >= text.Length || text[end] == '\n')
                    {
                        throw new RuleSyntaxException(file, startLine, startColumn, "a string is not closed on its line (expected '\"')");
                    }

                    if (text[end] == '"')
                    {
                        break;
                    }

                    if (text[end] == '\\' && end + 1 < text.Length && text[end + 1] is '"' or '\\')
                    {
                        end++;
                    }

                    value.Append(text[end]);
                    end++;
                }

                tokens.Add(new Token(TokenKind.String, value.ToString(), startLine, startColumn));
                Advance(end + 1 - i);
                continue;
            }

            var op = Operators.FirstOrDefault(o => string.CompareOrdinal(text, i, o, 0, o.Length) == 0);
            if (op is null)
            {
                throw new RuleSyntaxException(file, startLine, startColumn, $"unexpected character '{c}'");
            }

            tokens.Add(new Token(TokenKind.Operator, op, startLine, startColumn));
            Advance(op.Length);
        }

        tokens.Add(new Token(TokenKind.End, "", line, column));
        return tokens;
    }

    private static bool IsWordChar(string text, int at) =>
        at < text.Length && (char.IsLetterOrDigit(text[at]) || text[at] == '_' || (text[at] == '-' && at + 1 < text.Length && char.IsLetter(text[at + 1]) && at > 0 && char.IsLetterOrDigit(text[at - 1])));

    /// <summary>A number token's value, read the same on every culture.</summary>
    public static decimal NumberOf(Token token) => decimal.Parse(token.Text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
}
