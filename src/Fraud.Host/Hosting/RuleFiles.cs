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

    public static CompiledRules Load(RuleSettings rules) => Load(rules.File, rules.MaxWindow);

    /// <summary>The rule file <paramref name="file"/> compiled; a mistake, or a file that cannot be read, is its one line.</summary>
    public static CompiledRules Load(string file, TimeSpan maxWindow)
    {
        try
        {
            return RulePack.Load(Resolve(file), maxWindow);
        }
        catch (RuleSyntaxException e)
        {
            throw new StartupException(e.Message);
        }
        catch (IOException e)
        {
            throw new StartupException($"cannot read the rule file {file}: {e.Message}");
        }
    }

    /// <summary>Where the rule topics' rules find their currency rates: next to the rule file, as a file's own rules do.</summary>
    public static string? RatesDirectory(RuleSettings rules) => Path.GetDirectoryName(Path.GetFullPath(Resolve(rules.File)));

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
