using System.Text.Json;
using Fraud.Actors.Rules.Language;

namespace Fraud.Actors.Rules.Catalog;

/// <summary>
/// One rule as the rule topic holds it (key: the rule's id): its text in the rule language, its mode, its version
/// (one more at every write of the id) and who changed it when. The mode and version here are the rule's: a
/// <c>shadow</c>, <c>disabled</c> or <c>version</c> option in the text is what a writer turned into these fields.
/// </summary>
public sealed record RuleRecord(string Text, RuleMode Mode, int Version, string? By, DateTimeOffset? At)
{
    public byte[] ToJson() => Json.Write(json =>
    {
        json.WriteString("rule", Text);
        json.WriteString("mode", ModeText(Mode));
        json.WriteNumber("version", Version);
        Json.WriteAuthor(json, By, At);
    });

    /// <summary>The record in <paramref name="value"/>, or null with <paramref name="problem"/> saying what is wrong in one line.</summary>
    public static RuleRecord? Parse(ReadOnlySpan<byte> value, out string? problem) => Json.Read(value, "a rule record", out problem, root =>
    {
        if (Json.Text(root, "rule") is not { } text)
        {
            throw new FormatException("a rule record needs \"rule\", the rule's text");
        }

        var mode = RuleMode.Active;
        if (root.TryGetProperty("mode", out var m) && (m.ValueKind != JsonValueKind.String || !TryMode(m.GetString(), out mode)))
        {
            throw new FormatException($"a rule's mode is active, shadow or disabled, not {m.GetRawText()}");
        }

        var version = 1;
        if (root.TryGetProperty("version", out var v) && (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out version) || version < 1))
        {
            throw new FormatException($"a rule's version is a whole number from 1, not {v.GetRawText()}");
        }

        var (by, at) = Json.Author(root);
        return new RuleRecord(text, mode, version, by, at);
    });

    /// <summary>The rule the text defines (its action and weight, say), or null when it is not one rule that parses.</summary>
    public RuleDefinition? Definition(string id)
    {
        try
        {
            return RuleParser.Parse(Text, RuleCatalog.RulesPath + "/" + id).Rules is [var only] ? only : null;
        }
        catch (RuleSyntaxException)
        {
            return null;
        }
    }

    public static string ModeText(RuleMode mode) => Json.Name(mode);

    public static bool TryMode(string? text, out RuleMode mode) => Json.TryName(text, out mode);
}
