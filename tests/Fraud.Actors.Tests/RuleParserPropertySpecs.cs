using CsCheck;
using Fraud.Actors.Rules.Language;

namespace Fraud.Actors.Tests;

/// <summary>Whatever a rule file holds, the parser gives a file or one <see cref="RuleSyntaxException"/> inside the text.</summary>
public sealed class RuleParserPropertySpecs
{
    private const int Cases = 50_000;

    private static readonly string[] Words =
    [
        "rule", "r1", "velocity-burst", ":", "allow", "review", "block", "weight", "0.5", "2", "version", "disabled", "when",
        "amount", "amount_ref", "hour", "country", "device", "and", "or", "not", "in", "..", "(", ")", ",", "@vip", "@",
        "count", "sum", "avg", "distinct", "seen", "travel_speed", "since_last", "is_missing", "field", "where", "60s", "10m",
        "24h", "7d", "0s", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "\"DE\"", "\"", "#c\n", "\n", "1.5h", "9x",
        "99999999999999999999999999999999", "!", "é", "\t",
    ];

    private static void Check(string text)
    {
        try
        {
            RuleParser.Parse(text, "p.rules");
        }
        catch (RuleSyntaxException e)
        {
            var lines = text.Split('\n');
            Assert.InRange(e.Line, 1, lines.Length);
            Assert.InRange(e.Column, 1, lines[e.Line - 1].Length + 1);
            Assert.DoesNotContain("\n", e.Message);
        }
    }

    [Fact]
    public void Should_answer_any_sequence_of_the_languages_words_with_a_file_or_one_placed_error()
    {
        Gen.OneOf(Words.Select(Gen.Const).ToArray()).Array[0, 40]
            .Select(words => string.Join(" ", words))
            .Sample(Check, iter: Cases);
    }

    [Fact]
    public void Should_answer_any_mutation_of_a_valid_file_and_random_text_likewise()
    {
        const string valid = """
            rule night-spree: review weight 0.6
              when hour in 22..3 and count(24h where hour in 22..3) >= 2 and sum(amount, 24h) + amount >= 1000
            rule b: block when not seen(device, 7d) and source not in @vip or field("x") in ("a", "b")
            """;
        Gen.Int[0, valid.Length - 1].Select(Gen.Char, Gen.Int[0, 2]).Array[1, 6]
            .Select(edits =>
            {
                var text = valid;
                foreach (var (at, c, kind) in edits)
                {
                    var i = Math.Min(at, text.Length - 1);
                    text = kind switch
                    {
                        0 => text.Remove(i, 1),
                        1 => text.Insert(i, c.ToString()),
                        _ => text[..i] + c + text[(i + 1)..],
                    };
                }

                return text;
            })
            .Sample(Check, iter: Cases);
        Gen.String.Sample(Check, iter: Cases);
    }
}
