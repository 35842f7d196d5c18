using Fraud.Actors.Rules.Catalog;
using Fraud.Actors.Rules.Language;
using Fraud.Host.Hosting;

namespace Fraud.Host.Dashboard;

/// <summary>
/// Rules and lists as the admin API and the Rules page show them: from the node's own copy of the rule topics (what it
/// read last; <c>running</c> says which version it scores with, <c>problem</c> why a later one was refused), each rule
/// with its hits in the last minute. A node whose rules come from a file shows that file's rules, read-only.
/// </summary>
public static class RuleViews
{
    /// <summary>Most items one answer about a list holds; <c>next</c> says where the following page starts.</summary>
    public const int ItemsPage = 500;

    public static object Catalog(NodeRuntime node)
    {
        var hits = node.Feed.HitsPerMinute();
        var running = node.Settings.Rules.Pack;
        if (node.RuleTopics is not { } topics)
        {
            return new
            {
                source = "file",
                running = (string?)null,
                latest = (string?)null,
                problem = (string?)null,
                rules = (running?.Definitions ?? []).Select(d => View(d, hits)),
            };
        }

        var catalog = topics.Catalog;
        return new
        {
            source = "topics",
            running = running?.Version?.ToString(),
            latest = catalog.Version.ToString(),
            problem = topics.Problem,
            rules = catalog.Rules().Select(r => View(r.Id, r.Record, r.Problem, hits)),
        };
    }

    public static RuleView? Rule(NodeRuntime node, string id)
    {
        if (node.RuleTopics is { } topics)
        {
            return topics.Catalog.Rules().Where(r => r.Id == id).Select(r => View(r.Id, r.Record, r.Problem, node.Feed.HitsPerMinute())).FirstOrDefault();
        }

        return node.Settings.Rules.Pack?.Definitions.Where(d => d.Id == id).Select(d => View(d, node.Feed.HitsPerMinute())).FirstOrDefault();
    }

    public static IEnumerable<object> Lists(NodeRuntime node) =>
        (node.RuleTopics?.Catalog.Lists().Values ?? []).Select(l => new
        {
            name = l.Name,
            type = l.Declaration is { } d ? ListRecords.TypeText(d.Type) : null,
            description = l.Declaration?.Description,
            items = l.Items.Count,
            by = l.Declaration?.By,
            at = l.Declaration?.At,
            problem = l.Problem ?? (l.Declaration is null ? "its declaration is missing: no rule can read it" : null),
        });

    /// <summary>A list with its items in order, <see cref="ItemsPage"/> at a time from after <paramref name="after"/>.</summary>
    public static object? List(NodeRuntime node, string name, string? after = null)
    {
        if (node.RuleTopics?.Catalog.Lists().GetValueOrDefault(name) is not { } list)
        {
            return null;
        }

        var now = DateTimeOffset.UtcNow;
        var items = list.Items.Where(i => after is null || string.CompareOrdinal(i.Key, after) > 0).Take(ItemsPage + 1).ToList();
        return new
        {
            name,
            type = list.Declaration is { } d ? ListRecords.TypeText(d.Type) : null,
            description = list.Declaration?.Description,
            count = list.Items.Count,
            items = items.Take(ItemsPage).Select(i => new { item = i.Key, expires = i.Value.Expires, holds = i.Value.HoldsAt(now), reason = i.Value.Reason, by = i.Value.By, at = i.Value.At }),
            next = items.Count > ItemsPage ? items[ItemsPage - 1].Key : null,
            problem = list.Problem,
        };
    }

    // A rule of a file: no text, author or time on record.
    private static RuleView View(RuleDefinition d, IReadOnlyDictionary<string, double> hits) =>
        new(d.Id, d.Version, ModeText(d.Mode), ActionText(d.Action), d.Weight, null, null, null, hits.GetValueOrDefault(d.Id), null);

    private static RuleView View(string id, RuleRecord? record, string? problem, IReadOnlyDictionary<string, double> hits)
    {
        var definition = record?.Definition(id);
        return new RuleView(id, record?.Version ?? 0, record is null ? null : ModeText(record.Mode), definition is null ? null : ActionText(definition.Action),
            definition?.Weight, record?.Text, record?.By, record?.At, hits.GetValueOrDefault(id), problem ?? (record is not null && definition is null ? "its text does not parse as one rule" : null));
    }

    private static string ModeText(RuleMode mode) => RuleRecord.ModeText(mode);

    private static string ActionText(RuleAction action) => action.ToString().ToLowerInvariant();

    /// <summary>One rule: what it does, its text, who changed it last and when, and its hits in the last minute.</summary>
    public sealed record RuleView(string Id, int Version, string? Mode, string? Action, double? Weight, string? Text, string? By, DateTimeOffset? At, double HitsPerMinute, string? Problem);
}
