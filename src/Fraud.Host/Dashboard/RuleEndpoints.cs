using System.Text.Json;
using Fraud.Actors.Rules.Catalog;
using Fraud.Actors.Rules.Language;
using Fraud.Host.Hosting;
using Fraud.Host.Rules;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Fraud.Host.Dashboard;

/// <summary>
/// The admin API: rules and lists read from the node's copy of the rule topics, and changed by writing to the topics
/// (never to the node's state), through <see cref="CatalogChanges"/> as the CLI does: each change compiled first and
/// written only if it compiles, so every node takes it from the topic like any other. A change needs the admin token
/// (<see cref="DashboardSecurity.ChangeRefused"/>) and a JSON body, which a page of another site cannot send unasked.
/// </summary>
public static class RuleEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Largest body a change may carry: a rule's text, or a batch of list items.</summary>
    public const int MaxBody = 256 * 1024;

    // One change at a time from this node: two would read the same version and both write the next.
    private static readonly SemaphoreSlim Writing = new(1, 1);

    public static WebApplication MapRuleAdmin(this WebApplication app)
    {
        app.MapGet("/api/rules", (NodeRuntime node) => Results.Json(RuleViews.Catalog(node), Json));
        app.MapGet("/api/rules/{id}", (string id, NodeRuntime node) =>
            RuleViews.Rule(node, id) is { } rule ? Results.Json(rule, Json) : Error(StatusCodes.Status404NotFound, $"no rule '{id}' on this node"));
        app.MapPost("/api/rules/{id}/check", async (string id, HttpContext http, NodeRuntime node) =>
        {
            var body = await BodyAsync<RuleBody>(http);
            if (body.Error is { } bad) return bad;
            if (node.RuleTopics is not { } topics) return FileSourced();
            var mistake = CatalogChanges.Check(topics.Catalog, id, body.Value!.Rule ?? "", node.Settings);
            return Results.Json(mistake is null
                ? new { ok = true, error = (string?)null, line = (int?)null, column = (int?)null }
                : new { ok = false, error = (string?)mistake.Message, line = (int?)mistake.Line, column = (int?)mistake.Column }, Json);
        });
        app.MapPut("/api/rules/{id}", (string id, HttpContext http, NodeRuntime node) => ChangeAsync<RuleBody>(http, node, (changes, body) =>
        {
            RuleMode? mode = null;
            if (body.Mode is not null)
            {
                mode = RuleRecord.TryMode(body.Mode, out var m) ? m : throw new CatalogRefusal($"a rule's mode is active, shadow or disabled, not '{body.Mode}'");
            }

            return changes.Put(id, body.Rule ?? throw new CatalogRefusal("the body needs \"rule\", the rule's text"), mode, body.Version);
        }));
        app.MapDelete("/api/rules/{id}", (string id, HttpContext http, NodeRuntime node) => ChangeAsync(http, node, changes => changes.Delete(id)));

        app.MapGet("/api/lists", (NodeRuntime node) => Results.Json(RuleViews.Lists(node), Json));
        app.MapGet("/api/lists/{name}", (string name, string? after, NodeRuntime node) =>
            RuleViews.List(node, name, after) is { } list ? Results.Json(list, Json) : Error(StatusCodes.Status404NotFound, $"no list '{name}' on this node"));
        // PUT adds (or refreshes) the items given, making the list if need be; DELETE removes ?item=… or, without, the list.
        app.MapPut("/api/lists/{name}", (string name, HttpContext http, NodeRuntime node) => ChangeAsync<ListBody>(http, node, (changes, body) =>
        {
            ListItemType? type = null;
            if (body.Type is not null)
            {
                type = ListRecords.TryType(body.Type, out var t) ? t : throw new CatalogRefusal($"a list's type is account, target, device, country, category or string, not '{body.Type}'");
            }

            var expires = body.Expires is { Length: > 0 } e ? CatalogChanges.ParseExpiry(e, DateTimeOffset.UtcNow) : (DateTimeOffset?)null;
            return changes.AddItems(name, body.Items ?? [], type, expires, body.Reason);
        }));
        app.MapDelete("/api/lists/{name}", (string name, HttpContext http, NodeRuntime node) => ChangeAsync(http, node, changes =>
            http.Request.Query["item"] is { Count: > 0 } items ? changes.RemoveItems(name, items.Select(i => i ?? "").ToList()) : changes.DeleteList(name)));
        return app;
    }

    /// <summary>A change with a JSON body: the admin token checked before the body is read, then the change made.</summary>
    private static async Task<IResult> ChangeAsync<TBody>(HttpContext http, NodeRuntime node, Func<CatalogChanges, TBody, IReadOnlyList<string>> change) where TBody : IChangeBody
    {
        if (Refused(http, node) is { } refused)
        {
            return refused;
        }

        var body = await BodyAsync<TBody>(http);
        return body.Error ?? await MakeAsync(http, node, body.Value!.By, changes => change(changes, body.Value));
    }

    /// <summary>A change without a body (a deletion): who makes it may come as <c>?by=</c>.</summary>
    private static async Task<IResult> ChangeAsync(HttpContext http, NodeRuntime node, Func<CatalogChanges, IReadOnlyList<string>> change) =>
        Refused(http, node) ?? await MakeAsync(http, node, http.Request.Query["by"], change);

    private static IResult? Refused(HttpContext http, NodeRuntime node) =>
        DashboardSecurity.ChangeRefused(http.Request, node.Settings.Dashboard) is { } refused ? Error(refused.Status, refused.Error)
        : node.RuleTopics is null || node.Kafka is null ? FileSourced()
        : null;

    /// <summary>The change made through the topics, off the request thread (it waits for Kafka), one at a time from this node.</summary>
    internal static async Task<IResult> MakeAsync(HttpContext http, NodeRuntime node, string? by, Func<CatalogChanges, IReadOnlyList<string>> change)
    {
        var changes = new CatalogChanges(node.Kafka!, node.Settings, string.IsNullOrWhiteSpace(by) ? $"api@{node.Settings.NodeName}" : by.Trim());
        await Writing.WaitAsync(http.RequestAborted);
        try
        {
            var said = await Task.Run(() => change(changes));
            return Results.Json(new { changes = said.Where(l => !l.StartsWith("rule set ", StringComparison.Ordinal)), ruleSet = changes.Written?.ToString() }, Json);
        }
        catch (CatalogRefusal e)
        {
            return Error(e.Kind switch
            {
                CatalogRefusal.Kinds.NotFound => StatusCodes.Status404NotFound,
                CatalogRefusal.Kinds.Conflict => StatusCodes.Status409Conflict,
                _ => StatusCodes.Status400BadRequest,
            }, e.Message, e.InnerException as RuleSyntaxException);
        }
        catch (StartupException e)
        {
            return Error(StatusCodes.Status503ServiceUnavailable, e.Message); // Kafka did not answer: nothing, or not all, was written
        }
        finally
        {
            Writing.Release();
        }
    }

    internal static async Task<(T? Value, IResult? Error)> BodyAsync<T>(HttpContext http) where T : IChangeBody
    {
        if (!http.Request.HasJsonContentType())
        {
            return (default, Error(StatusCodes.Status415UnsupportedMediaType, "the body is JSON (Content-Type: application/json)"));
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBody;
        }

        try
        {
            return (await JsonSerializer.DeserializeAsync<T>(http.Request.Body, Json, http.RequestAborted) ?? throw new JsonException("null"), null);
        }
        catch (JsonException e)
        {
            return (default, Error(StatusCodes.Status400BadRequest, $"the body is not the JSON this takes: {e.Message.Split('.')[0]}"));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (default, Error(StatusCodes.Status413PayloadTooLarge, $"a change's body is at most {MaxBody} bytes"));
        }
    }

    internal static IResult FileSourced() => Error(StatusCodes.Status409Conflict,
        "this node's rules come from Fraud:Rules:File (Fraud:Rules:Source=file): change the file and restart, or run the nodes on the rule topics");

    internal static IResult Error(int status, string error, RuleSyntaxException? at = null) =>
        Results.Json(new { error, line = at?.Line, column = at?.Column }, Json, statusCode: status);

    internal interface IChangeBody
    {
        string? By { get; }
    }

    /// <summary>A rule's text, the mode it should have, the version the writer edited (0: a new rule), and who writes.</summary>
    private sealed record RuleBody(string? Rule, string? Mode, int? Version, string? By) : IChangeBody;

    /// <summary>Items to add to a list, of a type (for a new list), with an expiry (<c>30d</c>, or a time) and a reason.</summary>
    private sealed record ListBody(string? Type, string[]? Items, string? Expires, string? Reason, string? By) : IChangeBody;
}
