using System.Text.Json;
using Fraud.Actors.Rules.Catalog;
using Fraud.Host.Hosting;
using Fraud.Host.Reviews;
using Fraud.Host.Rules;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Fraud.Host.Dashboard;

/// <summary>
/// The review queue over HTTP: the open reviews oldest first with their explanations, one review with its decision, and
/// an analyst's decision (<c>fraud</c> or <c>legit</c>), optionally adding the account, device or target to a list in
/// the same request. A decision needs the token that changes rules (<see cref="DashboardSecurity.ChangeRefused"/>).
/// </summary>
public static class ReviewEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>What an analyst may add to a list from a review, and the input field it takes the value from.</summary>
    private static readonly Dictionary<string, (string Field, ListItemType Type)> Listable = new(StringComparer.OrdinalIgnoreCase)
    {
        ["account"] = ("source", ListItemType.Account),
        ["device"] = ("deviceId", ListItemType.Device),
        ["target"] = ("target", ListItemType.Target),
    };

    public static WebApplication MapReviews(this WebApplication app)
    {
        app.MapGet("/api/reviews", (NodeRuntime node, int? limit, string? after) => node.Reviews is not { } queue ? Off() : Page(queue, Math.Clamp(limit ?? 50, 1, 200), after));
        app.MapGet("/api/reviews/{id}", (string id, NodeRuntime node) =>
        {
            if (node.Reviews is not { } queue) return Off();
            var decision = queue.Book.DecisionOn(id);
            return queue.Book.Open(id) is { } item ? Results.Json(new { review = View(item), decision = (Decision?)null }, Json)
                : decision is not null ? Results.Json(new { review = (object?)null, decision }, Json)
                : RuleEndpoints.Error(StatusCodes.Status404NotFound, $"no review of transaction '{id}' on this node");
        });
        app.MapPost("/api/reviews/{id}", DecideAsync);
        return app;
    }

    private static IResult Page(ReviewQueue queue, int limit, string? after)
    {
        (long, string)? cursor = null;
        if (after is { Length: > 0 })
        {
            var colon = after.IndexOf(':');
            if (colon <= 0 || !long.TryParse(after.AsSpan(0, colon), out var ticks))
            {
                return RuleEndpoints.Error(StatusCodes.Status400BadRequest, "after is the next cursor of an earlier page");
            }

            cursor = (ticks, after[(colon + 1)..]);
        }

        var items = queue.Book.Oldest(limit + 1, cursor);
        var page = items.Take(limit).ToList();
        var summary = queue.Book.Summary(DateTimeOffset.UtcNow);
        return Results.Json(new
        {
            caughtUp = queue.CaughtUp,
            open = summary.Open,
            unlisted = summary.Unlisted,
            oldestAgeSeconds = summary.OldestAgeSeconds,
            decided = summary.Decided,
            rules = summary.Rules.Select(r => new { rule = r.Rule, fraud = r.Fraud, legit = r.Legit, precision = r.Precision }),
            reviews = page.Select(View),
            next = items.Count > limit ? $"{page[^1].Order.Ticks}:{page[^1].TransactionId}" : null,
        }, Json);
    }

    private static object View(ReviewItem item)
    {
        using var output = JsonDocument.Parse(item.Output);
        return new
        {
            transactionId = item.TransactionId,
            account = item.Account,
            amount = item.Amount,
            currency = item.Currency,
            timestamp = item.Timestamp,
            queuedAt = item.QueuedAt,
            ageSeconds = Math.Round((DateTimeOffset.UtcNow - item.QueuedAt).TotalSeconds, 1),
            rules = item.Rules,
            partition = item.InputPartition,
            output = output.RootElement.Clone(),
        };
    }

    private static async Task<IResult> DecideAsync(string id, HttpContext http, NodeRuntime node)
    {
        if (node.Reviews is not { } queue) return Off();
        if (DashboardSecurity.ChangeRefused(http.Request, node.Settings.Dashboard) is { } refused) return RuleEndpoints.Error(refused.Status, refused.Error);
        var (body, bad) = await RuleEndpoints.BodyAsync<DecisionBody>(http);
        if (bad is not null) return bad;
        if (Decision.OutcomeOf(body!.Decision) is not { } outcome)
        {
            return RuleEndpoints.Error(StatusCodes.Status400BadRequest, $"a decision is fraud or legit (approve), not '{body.Decision}'");
        }

        if (queue.Book.DecisionOn(id) is { } earlier)
        {
            return RuleEndpoints.Error(StatusCodes.Status409Conflict, $"transaction {id} was decided {earlier.Outcome} by {earlier.Analyst} at {earlier.DecidedAt:u}");
        }

        if (queue.Book.Open(id) is not { } item)
        {
            return RuleEndpoints.Error(StatusCodes.Status404NotFound, $"no open review of transaction '{id}' on this node");
        }

        (string List, string Item, ListItemType Type)? listing = null;
        if (body.List is { Length: > 0 } list)
        {
            if (!Listable.TryGetValue(body.Item ?? "account", out var kind))
            {
                return RuleEndpoints.Error(StatusCodes.Status400BadRequest, $"a review adds its account, device or target to a list, not '{body.Item}'");
            }

            if (item.Field(kind.Field) is not { Length: > 0 } value)
            {
                return RuleEndpoints.Error(StatusCodes.Status400BadRequest, $"transaction {id} has no {body.Item ?? "account"} to add to a list");
            }

            if (node.RuleTopics is null) return RuleEndpoints.FileSourced();
            listing = (list, value, kind.Type);
        }

        var analyst = string.IsNullOrWhiteSpace(body.Analyst) ? $"dashboard@{node.Settings.NodeName}" : body.Analyst.Trim();
        var decision = new Decision(id, outcome, analyst, DateTimeOffset.UtcNow, body.Reason, item.Account, item.Rules, item.Amount, item.Currency,
            listing is { } l ? $"{l.List}:{l.Item}" : null);
        return await RuleEndpoints.MakeAsync(http, node, analyst, changes =>
        {
            // The list first: a refused list change leaves the review open, to be decided again.
            IReadOnlyList<string> said = listing is { } l ? changes.AddItems(l.List, [l.Item], Known(node, l.List) ? null : l.Type, null, body.Reason ?? $"review of {id}") : [];
            queue.Record(decision);
            return [.. said, $"review {id}: {outcome} by {analyst}"];
        });
    }

    private static bool Known(NodeRuntime node, string list) => node.RuleTopics?.Catalog.Lists().ContainsKey(list) == true;

    private static IResult Off() => RuleEndpoints.Error(StatusCodes.Status404NotFound, "this node keeps no review queue (Reviews:Enabled is false)");

    /// <summary>fraud or legit, why, who, and optionally a list to add the review's account (or device, or target) to.</summary>
    private sealed record DecisionBody(string? Decision, string? Reason, string? Analyst, string? List, string? Item) : RuleEndpoints.IChangeBody
    {
        public string? By => Analyst;
    }
}
