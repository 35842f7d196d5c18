using System.Text.Json;
using System.Threading.Channels;
using Akka.Actor;
using Fraud.Actors.Accounts;
using Fraud.Host.Detection;
using Fraud.Host.Health;
using Fraud.Host.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
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

    public static WebApplication MapDashboard(this WebApplication app)
    {
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
        app.MapGet("/api/verdicts", (NodeRuntime node, string? rule, string? account, int? limit) =>
            Results.Json(Verdicts(node.Stats, rule, account, Math.Clamp(limit ?? 50, 1, 1000)).Select(View), Json));
        app.MapGet("/api/accounts/{id}", Account);
        app.MapGet("/api/cluster", Cluster);
        return app;
    }

    /// <summary>The latest fraud verdicts, newest first, filtered by rule id and account id (exact match).</summary>
    public static IEnumerable<FlaggedTransaction> Verdicts(DetectorStats stats, string? rule, string? account, int limit) =>
        stats.RecentFraud()
            .Where(f => string.IsNullOrEmpty(rule) || f.Verdict.Rules.Any(r => r.Id == rule))
            .Where(f => string.IsNullOrEmpty(account) || f.Transaction.Source == account)
            .Take(limit);

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
            rules = verdict.Rules.Select(r => new { id = r.Id, observed = r.Observed, limit = r.Limit, window = r.Window }),
            node = verdict.DetectorNode,
            partition = flagged.Partition,
            late = verdict.Late,
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
        if (node.Region is not { } region || partition is null)
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
            return Results.Json(Array.Empty<ClusterNode>(), Json);
        }

        var nodes = await view.Ask<ClusterNode[]>(ClusterView.GetClusterView.Instance, TimeSpan.FromSeconds(3));
        return Results.Json(nodes, Json);
    }
}
