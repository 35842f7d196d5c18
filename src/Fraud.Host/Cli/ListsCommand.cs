using System.CommandLine;
using Fraud.Actors.Rules.Catalog;
using Fraud.Host.Hosting;
using Fraud.Host.Rules;

namespace Fraud.Host.Cli;

/// <summary><c>fraud lists show | add | remove | delete</c>: the lists rules read (<c>@name</c>), in the list topic.</summary>
public static class ListsCommand
{
    public static Command Create()
    {
        var lists = new Command("lists", "The lists rules read by name (@name), in the list topic every node follows.");
        var name = new Argument<string>("name") { Description = "The list's name" };
        lists.Subcommands.Add(RulesCommand.Reading("show", "A list's type and items, each with its expiry and reason.", name, (catalog, list) =>
            catalog.Lists().GetValueOrDefault(list!) is { } found
                ? found.Items.Select(i => $"{i.Key}\t{(i.Value.Expires is { } e ? "until " + e.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'") : "no expiry")}\t{i.Value.Reason ?? "-"}\t{i.Value.By ?? "-"}")
                    .Prepend($"# {found.Name}: {(found.Declaration is { } d ? ListRecords.TypeText(d.Type) : "unreadable")} items, {found.Items.Count}{(found.Problem is { } p ? "; " + p : "")}")
                : throw new StartupException($"no list '{list}' in the list topic")));

        var items = new Argument<string[]>("items") { Description = "Items (accounts, targets, devices, countries, categories or texts)", Arity = ArgumentArity.OneOrMore };
        var expires = new Option<string?>("--expires") { Description = "Until when the items hold: 30d, 12h, 90m from now, or an ISO 8601 time" };
        var reason = new Option<string?>("--reason") { Description = "Why the items are on the list" };
        var type = new Option<string?>("--type") { Description = "The items' type when the list is new: account, target, device, country, category or string (default)" };
        var add = new Command("add", "Adds items to a list, making the list if it is new.") { name, items, expires, reason, type };
        AddCommon(add, (changes, parse) =>
        {
            ListItemType? itemType = null;
            if (parse.GetValue(type) is { } text)
            {
                itemType = ListRecords.TryType(text, out var t) ? t : throw new StartupException($"a list's type is account, target, device, country, category or string, not '{text}'");
            }

            var until = parse.GetValue(expires) is { } e ? CatalogChanges.ParseExpiry(e, DateTimeOffset.UtcNow) : (DateTimeOffset?)null;
            return changes.AddItems(parse.GetValue(name)!, parse.GetValue(items)!, itemType, until, parse.GetValue(reason));
        });
        lists.Subcommands.Add(add);

        var remove = new Command("remove", "Removes items from a list.") { name, items };
        AddCommon(remove, (changes, parse) => changes.RemoveItems(parse.GetValue(name)!, parse.GetValue(items)!));
        lists.Subcommands.Add(remove);

        var delete = new Command("delete", "Deletes a list and its items; refused while a rule reads it.") { name };
        AddCommon(delete, (changes, parse) => changes.DeleteList(parse.GetValue(name)!));
        lists.Subcommands.Add(delete);
        return lists;
    }

    private static void AddCommon(Command command, Func<CatalogChanges, ParseResult, IReadOnlyList<string>> change)
    {
        var bootstrap = RulesCommand.BootstrapOption();
        var by = RulesCommand.ByOption();
        command.Options.Add(bootstrap);
        command.Options.Add(by);
        command.SetAction(async (parse, _) =>
        {
            foreach (var line in change(RulesCommand.Changes(parse.GetValue(bootstrap), parse.GetValue(by)), parse))
            {
                await Console.Out.WriteLineAsync(line);
            }

            return 0;
        });
    }
}
