using Fraud.Actors.Rules;
using Fraud.Actors.Rules.Compiler;
using Fraud.Actors.Rules.Language;

namespace Fraud.Host.Hosting;

/// <summary>Finds and compiles the rule file a node runs; a file that does not compile stops the start with its one line.</summary>
public static class RuleFiles
{
    /// <summary>
    /// <paramref name="file"/> as given when it exists there (relative to the working folder), else next to the program:
    /// the bundled <c>rules/</c> is found from any folder, and a file of one's own wins.
    /// </summary>
    public static string Resolve(string file)
    {
        if (Path.IsPathRooted(file) || File.Exists(file))
        {
            return file;
        }

        var bundled = Path.Combine(AppContext.BaseDirectory, file);
        return File.Exists(bundled) ? bundled : file;
    }

    public static CompiledRules Load(RuleSettings rules)
    {
        try
        {
            return RulePack.Load(Resolve(rules.File), rules.MaxWindow);
        }
        catch (RuleSyntaxException e)
        {
            throw new StartupException(e.Message);
        }
    }

    /// <summary>One line for the start-up log: which file or rule set, how many rules, how many evaluated.</summary>
    public static string Describe(CompiledRules pack) =>
        pack.Version is { } version ? $"{pack.Path} at rule set {version} ({Count(pack)})" : $"{pack.Path} ({Count(pack)})";

    /// <summary>How many rules, how many active, how many in shadow.</summary>
    public static string Count(CompiledRules pack)
    {
        var rules = pack.Definitions;
        var shadow = rules.Count(r => r.Mode == Actors.Rules.Language.RuleMode.Shadow);
        return $"{rules.Count} rules, {rules.Count(r => r.Mode == Actors.Rules.Language.RuleMode.Active)} active" + (shadow > 0 ? $", {shadow} in shadow" : "");
    }
}
