using System.CommandLine;
using Fraud.Actors.Rules.Catalog;
using Fraud.Actors.Rules.Compiler;
using Fraud.Actors.Rules.Language;
using Fraud.Host.Hosting;
using Fraud.Host.Rules;

namespace Fraud.Host.Cli;

/// <summary>
/// <c>fraud rules</c>: <c>validate FILE</c> checks a rule file without starting anything; <c>list</c>, <c>show</c>,
/// <c>apply</c>, <c>delete</c> and <c>promote</c> read and change the rule topic every node follows.
/// </summary>
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
        var rules = new Command("rules", "Rules in the rule language (docs/rules.md): check a file, or read and change the rule topic.") { validate };
        rules.Subcommands.Add(Reading("list", "The rules every node runs: id, mode, version, action, who changed it when.", null, catalog => catalog.Rules()
            .Select(r => r.Record is { } rec
                ? $"{r.Id}\t{RuleRecord.ModeText(rec.Mode)}\tversion {rec.Version}\t{rec.Definition(r.Id)?.Action.ToString().ToLowerInvariant() ?? "?"}\t{rec.By ?? "-"}\t{rec.At?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'") ?? "-"}"
                : $"{r.Id}\tunreadable: {r.Problem}")
            .Append($"rule set {catalog.Version}")));
        var id = new Argument<string>("id") { Description = "The rule's id" };
        rules.Subcommands.Add(Reading("show", "One rule's record and text.", id, (catalog, ruleId) => catalog.Rule(ruleId!) is { } rec
            ? [$"# {ruleId}: {RuleRecord.ModeText(rec.Mode)}, version {rec.Version}, by {rec.By ?? "-"} at {rec.At?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'") ?? "-"}", rec.Text]
            : throw new StartupException($"no rule '{ruleId}' in the rule topic")));
        var applied = new Argument<string>("file") { Description = "A rule file (*.rules): its rules are added, or changed where they differ" };
        rules.Subcommands.Add(Changing("apply", "Adds or changes the file's rules (each changed one a version up); refused, nothing written, if the result does not compile.", applied, (c, f) => c.Apply(f)));
        rules.Subcommands.Add(Changing("delete", "Deletes a rule.", id, (c, r) => c.Delete(r)));
        rules.Subcommands.Add(Changing("promote", "Makes a shadow (or disabled) rule active.", id, (c, r) => c.SetMode(r, RuleMode.Active)));
        rules.Subcommands.Add(Changing("shadow", "Puts a rule in shadow: evaluated and reported, deciding nothing.", id, (c, r) => c.SetMode(r, RuleMode.Shadow)));
        rules.Subcommands.Add(Changing("disable", "Disables a rule: kept, not evaluated.", id, (c, r) => c.SetMode(r, RuleMode.Disabled)));
        rules.Subcommands.Add(BacktestCommand.Create());
        return rules;
    }

    /// <summary>A command that reads the catalog and prints lines.</summary>
    internal static Command Reading(string name, string description, Argument<string>? argument, Func<RuleCatalog, string?, IEnumerable<string>> print)
    {
        var bootstrap = BootstrapOption();
        var command = new Command(name, description) { bootstrap };
        if (argument is not null) command.Arguments.Add(argument);
        command.SetAction(async (parse, _) =>
        {
            var changes = Changes(parse.GetValue(bootstrap), null);
            foreach (var line in print(changes.Read(), argument is null ? null : parse.GetValue(argument)))
            {
                await Console.Out.WriteLineAsync(line);
            }

            return 0;
        });
        return command;
    }

    internal static Command Reading(string name, string description, Argument<string>? argument, Func<RuleCatalog, IEnumerable<string>> print) =>
        Reading(name, description, argument, (catalog, _) => print(catalog));

    /// <summary>A command that changes the topics and prints what changed and the new rule-set version.</summary>
    internal static Command Changing(string name, string description, Argument<string> argument, Func<CatalogChanges, string, IReadOnlyList<string>> change)
    {
        var bootstrap = BootstrapOption();
        var by = ByOption();
        var command = new Command(name, description) { argument, bootstrap, by };
        command.SetAction(async (parse, _) =>
        {
            foreach (var line in change(Changes(parse.GetValue(bootstrap), parse.GetValue(by)), parse.GetValue(argument)!))
            {
                await Console.Out.WriteLineAsync(line);
            }

            return 0;
        });
        return command;
    }

    internal static Option<string?> BootstrapOption() => new("--bootstrap") { Description = "Kafka bootstrap servers (overrides Kafka:BootstrapServers)" };

    internal static Option<string?> ByOption() => new("--by") { Description = "Who makes the change, kept in its record (default: the user's name)" };

    internal static CatalogChanges Changes(string? bootstrap, string? by)
    {
        var settings = FraudCli.Settings(bootstrap);
        if (string.IsNullOrWhiteSpace(settings.Kafka.BootstrapServers))
        {
            throw new StartupException("no broker holds the rules: pass --bootstrap HOST:PORT or set Kafka__BootstrapServers (the nodes' Kafka)");
        }

        return new CatalogChanges(settings.Kafka, settings, by);
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
