using System.Net;
using System.Text.Json;

namespace Fraud.Host.Tests;

/// <summary>
/// <c>/ready</c> as a container orchestrator reads it: two detector nodes share a one-partition input, so exactly one
/// owns it. The other is alive but not ready, and says why; when the owner stops, the other takes over and turns ready.
/// </summary>
public sealed class ReadyEndpointSpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Should_be_ready_only_with_partitions_assigned()
    {
        var port = FraudProcess.FreePort();
        await using var broker = FraudProcess.Start("fraud.dll", ["broker", "--port", port.ToString()], new Dictionary<string, string> { ["Topics__Partitions"] = "1" });
        await broker.WaitForLineAsync("broker: listening on", Patience);
        var store = $"Data Source={FraudProcess.NewCheckpointFile()}"; // the two nodes are one deployment
        Dictionary<string, string> Env(string node) => new()
        {
            ["Checkpoints__ConnectionString"] = store,
            ["Kafka__BootstrapServers"] = $"127.0.0.1:{port}",
            ["Kafka__Consumer__fetch.wait.max.ms"] = "10",
            ["Kafka__Consumer__session.timeout.ms"] = "6000",
            ["Detector__NodeName"] = node,
            ["Logging__Format"] = "json",
        };

        await using var a = FraudProcess.Start("fraud.dll", ["detect"], Env("ready-a"));
        await using var b = FraudProcess.Start("fraud.dll", ["detect"], Env("ready-b"));
        var nodes = new[] { new Node("ready-a", a, await a.DashboardUrlAsync(Patience)), new Node("ready-b", b, await b.DashboardUrlAsync(Patience)) };
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        // Settled: one owner (200) and one spare (503) whose own pipeline runs, however the group assigned it. The
        // two start at once on two cores: one may own the partition before the other's pipeline has started.
        var deadline = DateTime.UtcNow + Patience;
        (HttpStatusCode Code, string Body)[] ready;
        do
        {
            await Task.Delay(500);
            ready = await Task.WhenAll(nodes.Select(n => ReadyAsync(http, n.Url)));
        }
        while (!(ready.Count(r => r.Code == HttpStatusCode.OK) == 1 && ready.Any(r => r.Body.Contains("no input partitions")))
               && DateTime.UtcNow < deadline);

        Assert.True(ready.Count(r => r.Code == HttpStatusCode.OK) == 1, string.Join(" | ", ready.Select(r => $"{r.Code} {r.Body}")));
        var owner = Array.FindIndex(ready, r => r.Code == HttpStatusCode.OK);
        var spare = 1 - owner;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready[spare].Code);
        using (var reasons = JsonDocument.Parse(ready[spare].Body))
        {
            Assert.False(reasons.RootElement.GetProperty("ready").GetBoolean());
            Assert.Contains(reasons.RootElement.GetProperty("reasons").EnumerateArray(), r => r.GetString()!.Contains("no input partitions"));
        }

        Assert.Equal("ok", await http.GetStringAsync(nodes[spare].Url + "/healthz")); // alive all the same

        // The owner leaves; the spare gets the partition and turns ready.
        nodes[owner].Process.Terminate();
        await nodes[owner].Process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        deadline = DateTime.UtcNow + Patience;
        var after = await ReadyAsync(http, nodes[spare].Url);
        while (after.Code != HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
            after = await ReadyAsync(http, nodes[spare].Url);
        }

        Assert.True(after.Code == HttpStatusCode.OK, after.Body);

        // Logging:Format=json: the start-up event is one JSON object naming the node.
        var started = nodes[spare].Process.Stdout.Split('\n').First(l => l.Contains("detector started", StringComparison.Ordinal));
        using var log = JsonDocument.Parse(started);
        Assert.Equal(nodes[spare].Name, log.RootElement.GetProperty("node").GetString());
        Assert.Equal("Information", log.RootElement.GetProperty("level").GetString());
    }

    [Fact]
    public async Task Should_not_be_ready_while_the_broker_is_stalled_and_be_ready_again_after()
    {
        var port = FraudProcess.FreePort();
        await using var broker = FraudProcess.Start("fraud.dll", ["broker", "--port", port.ToString()], new Dictionary<string, string> { ["Topics__Partitions"] = "2" });
        await broker.WaitForLineAsync("broker: listening on", Patience);
        await using var node = FraudProcess.Start("fraud.dll", ["detect"], new Dictionary<string, string>
        {
            ["Kafka__BootstrapServers"] = $"127.0.0.1:{port}",
            ["Kafka__Consumer__fetch.wait.max.ms"] = "10",
            ["Kafka__Consumer__session.timeout.ms"] = "6000",
            ["Health__KafkaGrace"] = "00:00:05",
        });
        var url = await node.DashboardUrlAsync(Patience);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var ready = await UntilAsync(http, url, r => r.Code == HttpStatusCode.OK, "ready before the stall");

        // The broker stops answering, as a host that froze or a network that drops everything: three times the grace.
        var stalled = System.Diagnostics.Stopwatch.StartNew();
        broker.Freeze(stop: true);
        (HttpStatusCode Code, string Body) during;
        try
        {
            during = await UntilAsync(http, url, r => r.Code == HttpStatusCode.ServiceUnavailable, "503 during the stall", node, broker);
            Assert.InRange(stalled.Elapsed.TotalSeconds, 5, 15); // after the grace, not before
            await Task.Delay(TimeSpan.FromTicks(Math.Max(0, (TimeSpan.FromSeconds(15) - stalled.Elapsed).Ticks)));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await ReadyAsync(http, url)).Code); // for as long as it lasts
        }
        finally
        {
            broker.Freeze(stop: false);
        }

        Assert.Contains("no answer from the Kafka brokers", during.Body);
        var metrics = await http.GetStringAsync(url + "/metrics");
        Assert.Contains("fraud_kafka_last_contact_timestamp_seconds", metrics);

        var after = await UntilAsync(http, url, r => r.Code == HttpStatusCode.OK, "ready again after the stall", node, broker);
        Assert.Contains("\"ready\":true", after.Body);
        Assert.Contains("\"ready\":true", ready.Body);
        Assert.False(node.HasExited, node.Stderr);
    }

    private static async Task<(HttpStatusCode Code, string Body)> UntilAsync(HttpClient http, string url, Func<(HttpStatusCode Code, string Body), bool> condition, string what,
        params FraudProcess[] logsOf)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var ready = await ReadyAsync(http, url);
            if (condition(ready))
            {
                return ready;
            }

            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}; last: {ready.Code} {ready.Body}"
                + string.Concat(logsOf.Select(p => $"\n--- log ({(p.HasExited ? $"exited {p.ExitCode}" : "running")}):\n{Tail(p.Stdout + p.Stderr, 60)}")));
            await Task.Delay(250);
        }
    }

    private static string Tail(string text, int lines) => string.Join('\n', text.Split('\n').TakeLast(lines));

    private sealed record Node(string Name, FraudProcess Process, string Url);

    private static async Task<(HttpStatusCode Code, string Body)> ReadyAsync(HttpClient http, string url)
    {
        using var response = await http.GetAsync(url + "/ready");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
