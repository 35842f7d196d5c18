using System.CommandLine;
using Fraud.Actors.Rules.Compiler;
using Fraud.Actors.Rules.Language;

namespace Fraud.Host.Cli;

/// <summary><c>fraud rules validate FILE</c>: checks a rule file without starting anything.</summary>
public static class RulesCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The rule file (*.rules) to check" };
        var validate = new Command("validate", "Parse and compile a rule file: exit 0 with a summary, or one 'error: file:line:column: ...' line and exit 2.") { file };
        validate.SetAction(async (parse, _) =>
        {
            var (code, line) = Validate(parse.GetValue(file)!);
            await (code == 0 ? Console.Out : Console.Error).WriteLineAsync(line);
            return code;
        });
        return new Command("rules", "Rule files in the rule language (docs/rules.md).") { validate };
    }

    /// <summary>The exit code and the one line to print for <paramref name="path"/>.</summary>
    public static (int Code, string Line) Validate(string path)
    {
        try
        {
            _ = File.ReadAllText(path); // an unreadable file gets its own line, not a parse error at 1:1
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (2, $"error: cannot read the rule file {path}: {e.Message}");
        }

        try
        {
            // Parsed and compiled, as a detector would load it: types, lists, rates and windows are checked too.
            var rules = RulePack.Load(path).Definitions;
            var enabled = rules.Count(r => r.Enabled);
            var actions = string.Join(", ", rules.GroupBy(r => r.Action).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}"));
            return (0, $"{path}: {rules.Count} rules, {enabled} enabled{(rules.Count > 0 ? $" ({actions})" : "")}; valid");
        }
        catch (RuleSyntaxException e)
        {
            return (2, $"error: {e.Message}");
        }
    }
}
