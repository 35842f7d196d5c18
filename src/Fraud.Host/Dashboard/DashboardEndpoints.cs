using System.Text.Json;
using System.Threading.Channels;
using Akka.Actor;
using Fraud.Actors.Partitions;
using Fraud.Actors.Rules;
using Fraud.Host.Detection;
using Fraud.Host.Health;
using Fraud.Host.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Prometheus;

namespace Fraud.Host.Dashboard;

/// <summary>
/// The web side of a node: the dashboard's static page and its JSON/SSE API, <c>/metrics</c>, <c>/healthz</c> and
/// <c>/ready</c>. Every answer is computed from samples the node already keeps (counts, the fraud ring, one snapshot
/// a second), so a browser costs the detector nothing at any rate.
/// </summary>
public static class DashboardEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Most verdicts one page of <c>/api/verdicts</c> holds.</summary>
    public const int MaxPage = 200;

    public static WebApplication MapDashboard(this WebApplication app)
    {
        var dashboard = app.Services.GetRequiredService<NodeRuntime>().Settings.Dashboard;
        app.UseDashboardSecurity(dashboard);
        var files = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "wwwroot"));
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files });

        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/ready", (NodeRuntime node) =>
        {
            var problems = Readiness.Problems(node.Condition());
            return problems.Count == 0
                ? Results.Json(new { ready = true }, Json)
                : Results.Json(new { ready = false, reasons = problems }, Json, statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        app.MapMetrics("/metrics");

        app.MapGet("/api/history", (NodeRuntime node) => Results.Json(node.Feed.History(), Json));
        app.MapGet("/api/stream", Stream);
        app.MapGet("/api/verdicts", (NodeRuntime node, string? rule, string? account, int? limit, long? before) =>
            Page(node, rule, account, Math.Clamp(limit ?? 50, 1, MaxPage), before));
        // The account as a query parameter: an id may hold any character, '/' included.
        app.MapGet("/api/accounts", (string id, int? partition, NodeRuntime node) => Account(id, partition, node));
        app.MapGet("/api/accounts/{id}", (string id, int? partition, NodeRuntime node) => Account(Uri.UnescapeDataString(id), partition, node));
        app.MapGet("/api/cluster", Cluster);
        app.MapRuleAdmin();
        app.MapReviews();
        return app;
    }

    /// <summary>The latest fraud verdicts, newest first, filtered by rule id and account id (exact match).</summary>
    public static IEnumerable<FlaggedTransaction> Verdicts(DetectorStats stats, string? rule, string? account, int limit) =>
        Matching(stats, rule, account, null).Take(limit).Select(e => e.Flagged);

    private static IEnumerable<(long Sequence, FlaggedTransaction Flagged)> Matching(DetectorStats stats, string? rule, string? account, long? before) =>
        stats.RecentFraud(before)
            .Where(e => string.IsNullOrEmpty(rule) || e.Flagged.Verdict.Rules.Any(r => r.Id == rule))
            .Where(e => string.IsNullOrEmpty(account) || e.Flagged.Transaction.Source == account);

    /// <summary>
    /// One page of verdicts, newest first: at most <paramref name="limit"/> and at most <c>Dashboard:MaxResponseBytes</c>
    /// of JSON; <c>next</c> is the <c>before</c> of the following page (null at the end).
    /// </summary>
    private static IResult Page(NodeRuntime node, string? rule, string? account, int limit, long? before)
    {
        var budget = node.Settings.Dashboard.MaxResponseBytes;
        var views = new List<object>(Math.Min(limit, 64));
        long used = 64;
        long? next = null;
        foreach (var (sequence, flagged) in Matching(node.Stats, rule, account, before))
        {
            var view = View(flagged);
            var size = JsonSerializer.SerializeToUtf8Bytes(view, Json).Length + 1;
            if (views.Count == limit || (views.Count > 0 && used + size > budget))
            {
                break;
            }

            views.Add(view);
            used += size;
            next = sequence;
        }

        var more = next is { } last && Matching(node.Stats, rule, account, last).Any();
        return Results.Json(new { verdicts = views, next = more ? next : null }, Json);
    }

    // An expression can appear once per hit (the compiler keeps the first): a dictionary keeps the JSON an object.
    private static Dictionary<string, object?> Values(RuleHit hit) =>
        hit.Values.ToDictionary(v => v.Expression, v => v.Number is { } n ? n : (object?)v.Text);

    private static object View(FlaggedTransaction flagged)
    {
        var (tx, verdict) = (flagged.Transaction, flagged.Verdict);
        return new
        {
            transactionId = tx.TransactionId,
            account = tx.Source,
            target = tx.Target,
            amount = tx.Amount,
            currency = tx.Currency,
            country = tx.Country,
            timestamp = tx.Timestamp,
            score = verdict.Score,
            action = verdict.Action.ToString().ToLowerInvariant(),
            rules = verdict.Rules.Select(r => new { id = r.Id, observed = r.Observed, limit = r.Limit, window = r.Window, version = r.Version, values = Values(r) }),
            node = verdict.DetectorNode,
            partition = flagged.Partition,
            late = verdict.Late,
            detectedAt = verdict.DetectedAt,
        };
    }

    /// <summary>One snapshot a second as server-sent events, with the rule hits and lag of that moment.</summary>
    private static async Task Stream(HttpContext http, NodeRuntime node, IHostApplicationLifetime lifetime)
    {
        http.Response.Headers.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        // A slow browser drops old seconds instead of holding the ticker up.
        var ticks = Channel.CreateBounded<Snapshot>(new BoundedChannelOptions(4) { FullMode = BoundedChannelFullMode.DropOldest });
        void OnTick(Snapshot snapshot) => ticks.Writer.TryWrite(snapshot);
        node.Feed.Ticked += OnTick;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        try
        {
            await http.Response.WriteAsync(": connected\n\n", stop.Token);
            await http.Response.Body.FlushAsync(stop.Token);
            await foreach (var snapshot in ticks.Reader.ReadAllAsync(stop.Token))
            {
                var payload = JsonSerializer.Serialize(new
                {
                    snapshot,
                    ruleHits = node.Stats.RuleHits.OrderBy(r => r.Key, StringComparer.Ordinal).ToDictionary(r => r.Key, r => r.Value),
                    lag = node.Lag.OrderBy(l => l.Partition).Select(l => new { topic = l.Topic, partition = l.Partition, records = l.Records }),
                    node = node.Settings.NodeName,
                }, Json);
                await http.Response.WriteAsync($"data: {payload}\n\n", stop.Token);
                await http.Response.Body.FlushAsync(stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The browser went away, or the node is stopping.
        }
        finally
        {
            node.Feed.Ticked -= OnTick;
        }
    }

    /// <summary>An account on click: its recent fraud verdicts, and what its actor's windows hold right now.</summary>
    private static async Task<IResult> Account(string id, int? partition, NodeRuntime node)
    {
        var verdicts = Verdicts(node.Stats, null, id, 20).Select(View).ToArray();
        partition ??= node.Stats.RecentFraud().FirstOrDefault(f => f.Transaction.Source == id)?.Partition;
        if (node.Partitions is not { } region || partition is null)
        {
            return Results.Json(new { account = id, verdicts, window = Array.Empty<object>(), error = "not held on this node" }, Json);
        }

        try
        {
            // The actor that holds the account's partition answers with what its windows hold right now.
            var seen = await region.Ask<AccountInspected>(new InspectAccount(id, partition.Value), TimeSpan.FromSeconds(3));
            return seen.Known
                ? Results.Json(new { account = id, partition, verdicts, window = seen.Window, rememberedVerdicts = seen.RememberedVerdicts, node = seen.Node }, Json)
                : Results.Json(new { account = id, partition, verdicts, window = Array.Empty<object>(), error = $"partition {partition} is not held on this node (any more)" }, Json);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            return Results.Json(new { account = id, verdicts, window = Array.Empty<object>(), error = "the account's actor did not answer in 3 s" }, Json);
        }
    }

    private static async Task<IResult> Cluster(NodeRuntime node)
    {
        if (node.ClusterView is not { } view)
        {
            return Results.Json(new ClusterState([], null), Json);
        }

        return Results.Json(await view.Ask<ClusterState>(ClusterView.GetClusterView.Instance, TimeSpan.FromSeconds(3)), Json);
    }
}
