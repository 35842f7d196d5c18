using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fraud.Checkpoints.Tests;
using Xunit.Abstractions;

namespace Fraud.Host.Tests;

/// <summary>
/// The cluster as production runs it, on the embedded broker in its own process: three <c>fraud detect</c> processes
/// in one Akka cluster and one consumer group, 100,000 transactions from 5,000 accounts (busy enough that velocity
/// windows fill on every account, plus the generator's fraud bursts), and mid-stream either a node killed with SIGKILL
/// and a replacement started, or a fourth node joining. Then every output is read back and checked against the input
/// and against a single-process replay of the same input: nothing lost, duplicates identical, every verdict the one a
/// failure-free run gives. The figures go to the test output and to artifacts/cluster/.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed partial class ClusterFailoverSpecs(ScratchPostgres postgres, ITestOutputHelper output) : IClassFixture<ScratchPostgres>
{
    private const int Transactions = 100_000;
    private const int Accounts = 5_000;
    // The input's default. The outputs get four times as many: a SIGKILL re-reads up to a checkpoint interval of input
    // (~28,000 records at this rate), most of it fraud, and at 12 the fraud topic's partitions reached the embedded
    // broker's ~5 MiB. What it evicts is still checked.
    private const int Partitions = 12;
    private const int OutputPartitions = 48;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);

    [GeneratedRegex(@"^(?<name>fraud_[a-z_]+)(\{(?<labels>[^}]*)\})? (?<value>\S+)$", RegexOptions.Multiline)]
    private static partial Regex Sample();

    [Fact]
    public async Task Should_lose_nothing_and_keep_every_verdict_when_a_node_is_killed_mid_stream()
    {
        await RunAsync("sigkill", "postgres", await NewDatabaseAsync(), kill: true);
    }

    /// <summary>A database of its own on the scratch PostgreSQL: compose's store, and the one a cluster shares.</summary>
    private async Task<string> NewDatabaseAsync()
    {
        var database = "cluster_" + Guid.NewGuid().ToString("N")[..8];
        await using (var admin = new Npgsql.NpgsqlConnection(postgres.ConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE {database}", admin);
            await create.ExecuteNonQueryAsync();
        }

        return postgres.ConnectionString.Replace("Database=postgres", $"Database={database}");
    }

    [Fact]
    public async Task Should_lose_nothing_and_keep_every_verdict_when_a_fourth_node_joins_mid_stream()
    {
        await RunAsync("join", "postgres", await NewDatabaseAsync(), kill: false);
    }

    private async Task RunAsync(string scenario, string store, string connectionString, bool kill)
    {
        var brokerPort = FraudProcess.FreePort();
        await using var broker = FraudProcess.Start("fraud.dll", ["broker", "--port", brokerPort.ToString()],
            new Dictionary<string, string> { ["Topics__Partitions"] = Partitions.ToString(), ["Topics__OutputPartitions"] = OutputPartitions.ToString() });
        await broker.WaitForLineAsync("broker: listening on", Patience);
        var bootstrap = $"127.0.0.1:{brokerPort}";
        var seedPort = FraudProcess.FreePort();
        var nodes = new List<Node>();
        var everyNode = new List<Node>(); // the killed one included, for its log
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        async Task<Node> StartNodeAsync(int index)
        {
            var clusterPort = index == 0 ? seedPort : FraudProcess.FreePort();
            var process = FraudProcess.Start("fraud.dll", ["detect"], new Dictionary<string, string>
            {
                ["Kafka__BootstrapServers"] = bootstrap,
                ["Kafka__Consumer__fetch.wait.max.ms"] = "10",
                ["Kafka__Consumer__session.timeout.ms"] = "6000",
                ["Kafka__Consumer__heartbeat.interval.ms"] = "1000",
                ["Cluster__Port"] = clusterPort.ToString(),
                ["Cluster__SeedNodes__0"] = $"akka.tcp://fraud@127.0.0.1:{seedPort}",
                ["Detector__NodeName"] = $"node-{index}",
                ["Checkpoints__Store"] = store,
                ["Checkpoints__ConnectionString"] = connectionString,
                ["Cluster__DownUnreachableAfter"] = "00:00:05",
            });
            var node = new Node($"node-{index}", process, await process.DashboardUrlAsync(Patience));
            nodes.Add(node);
            everyNode.Add(node);
            return node;
        }

        try
        {
            for (var i = 0; i < 3; i++)
            {
                await StartNodeAsync(i);
            }

            await UntilAsync(async () => await OwnedAsync(http, nodes) == Partitions && await EveryNodeOwnsSomeAsync(http, nodes), "3 nodes sharing the 12 partitions");
            var clusterTable = await http.GetStringAsync(nodes[0].Url + "/api/cluster");
            Assert.Equal(3, Regex.Matches(clusterTable, "\"status\":\"Up\"").Count); // statuses cross Akka remoting
            await UntilAsync(async () => Regex.Matches(await http.GetStringAsync(nodes[0].Url + "/api/cluster"), "\"ruleSet\":\"(\\d+\\.\\d+)\"")
                .Select(m => m.Groups[1].Value).ToList() is [var a, var b, var c] && a == b && b == c, "each node reporting the one rule set they all run");
            Assert.Contains("\"disagreeingSince\":null", await http.GetStringAsync(nodes[0].Url + "/api/cluster"));

            var generator = FraudProcess.Start("Fraud.Generator.dll",
                ["--bootstrap", bootstrap, "--rate", "4000", "--count", Transactions.ToString(), "--seed", "21", "--accounts", Accounts.ToString()]);
            await UntilAsync(async () => await ScoredAsync(http, nodes) >= 30_000, "30,000 transactions scored before the failure");

            var failure = Stopwatch.StartNew();
            if (kill)
            {
                nodes[1].Process.Kill();
                nodes.RemoveAt(1);
                await StartNodeAsync(3); // the replacement
            }
            else
            {
                await StartNodeAsync(3); // a fourth node joins
            }

            // Recovered: every partition owned again by live nodes; then the new node serving its share.
            await UntilAsync(async () => await OwnedAsync(http, nodes) == Partitions, "the partitions owned again after the change");
            var reowned = failure.Elapsed.TotalSeconds;
            await UntilAsync(async () => await OwnedAsync(http, nodes) == Partitions && await OwnedBy(http, nodes[^1]) > 0, "the new node serving its share");
            var newNodeServing = failure.Elapsed.TotalSeconds;

            await generator.WaitForExitAsync(Patience);
            Assert.True(generator.ExitCode == 0, generator.Stderr);
            // Drained: every partition owned, nothing left behind, for three seconds in a row.
            var quiet = 0;
            var lastSeen = "";
            await UntilAsync(async () =>
            {
                var (lag, partitionsKnown) = await LagAsync(http, nodes);
                quiet = await OwnedAsync(http, nodes) == Partitions && partitionsKnown == Partitions && lag == 0 ? quiet + 1 : 0;
                lastSeen = await LagReportAsync(http, nodes);
                return quiet >= 3;
            }, () => $"the cluster catching up with the input; lag per node: {lastSeen}", TimeSpan.FromSeconds(1));

            foreach (var node in nodes)
            {
                node.Process.Terminate();
            }

            foreach (var node in nodes)
            {
                await node.Process.WaitForExitAsync(TimeSpan.FromSeconds(60));
                Assert.True(node.Process.ExitCode == 0, $"{node.Name}: {node.Process.Stderr}");
            }

            await VerifyAsync(scenario, bootstrap, reowned, newNodeServing);
        }
        finally
        {
            // Each node's log next to the figures: what a failed run needs to be understood.
            var folder = Path.Combine(FraudProcess.RepositoryRoot(), "artifacts", "cluster");
            Directory.CreateDirectory(folder);
            foreach (var node in everyNode)
            {
                await node.Process.DisposeAsync();
                File.WriteAllText(Path.Combine(folder, $"{scenario}-{node.Name}.log"), node.Process.Stdout + node.Process.Stderr);
            }
        }
    }

    private async Task VerifyAsync(string scenario, string bootstrap, double reownedSeconds, double servingSeconds)
    {
        var inputs = KafkaTopics.ReadAll(bootstrap, "queueing.transactions", Patience).Select(r => Id(r.Message.Value!)).ToList();
        var outputs = new[] { "streaming.transactions.legit", "streaming.transactions.fraud" }
            .SelectMany(topic => KafkaTopics.ReadAll(bootstrap, topic, Patience))
            .Select(r => (Id: Id(r.Message.Value!), Verdict: Verdict(r.Message.Value!)))
            .ToList();
        var deadLetters = KafkaTopics.ReadAll(bootstrap, "streaming.transactions.dead-letter", Patience).Count;
        foreach (var topic in new[] { "queueing.transactions", "streaming.transactions.legit", "streaming.transactions.fraud" })
        {
            KafkaTopics.AssertNothingEvicted(bootstrap, topic);
        }
        var reference = await ReplayAsync(bootstrap);

        var byId = outputs.GroupBy(o => o.Id).ToDictionary(g => g.Key, g => g.Select(o => o.Verdict).ToList());
        var lost = inputs.Where(id => !byId.ContainsKey(id)).ToList();
        var duplicates = outputs.Count - byId.Count;
        var inconsistent = byId.Where(o => o.Value.Distinct().Count() > 1).ToList();
        var mismatched = byId.Where(o => reference.TryGetValue(o.Key, out var expected) && o.Value.Any(v => v != expected)).ToList();
        var unknown = byId.Keys.Count(id => !reference.ContainsKey(id));

        var figures = string.Create(CultureInfo.InvariantCulture,
            $"cluster {scenario}: produced {inputs.Count}, outputs {outputs.Count}, lost {lost.Count}, duplicates {duplicates} " +
            $"(inconsistent {inconsistent.Count}), mismatched verdicts {mismatched.Count}, fraud {byId.Count(o => o.Value[0].StartsWith("fraud", StringComparison.Ordinal))}, " +
            $"dead letters {deadLetters}; every partition owned again {reownedSeconds:F1} s after the change, the new node serving after {servingSeconds:F1} s");
        output.WriteLine(figures);
        var folder = Path.Combine(FraudProcess.RepositoryRoot(), "artifacts", "cluster");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, scenario + ".txt"), figures + Environment.NewLine);

        Assert.Equal(Transactions, inputs.Count);
        Assert.Equal(inputs.Count, inputs.Distinct().Count());
        Assert.True(lost.Count == 0, $"{figures}; lost e.g. {string.Join(", ", lost.Take(5))}");
        Assert.True(inconsistent.Count == 0, $"{figures}; e.g. {inconsistent.Select(i => i.Key + ": " + string.Join(" | ", i.Value)).FirstOrDefault()}");
        Assert.True(mismatched.Count == 0, $"{figures}; e.g. {mismatched.Select(m => $"{m.Key}: {string.Join(" | ", m.Value)} vs {reference[m.Key]}").FirstOrDefault()}");
        Assert.Equal(0, unknown);
        Assert.Equal(0, deadLetters);
        Assert.True(byId.Values.Count(v => v[0].StartsWith("fraud", StringComparison.Ordinal)) > 1_000, figures); // the windows were busy
    }

    /// <summary>The single-process, failure-free replay of the same input: id → verdict.</summary>
    private static async Task<Dictionary<string, string>> ReplayAsync(string bootstrap)
    {
        var file = Path.Combine(Path.GetTempPath(), $"fraud-replay-{Guid.NewGuid():N}.jsonl");
        try
        {
            var replay = await FraudProcess.RunAsync("fraud.dll", ["replay", "--from-beginning", "--bootstrap", bootstrap, "--output", file], Patience);
            Assert.True(replay.ExitCode == 0, replay.Stderr);
            var verdicts = new Dictionary<string, string>();
            foreach (var line in File.ReadLines(file).Where(l => l.StartsWith('{')))
            {
                using var json = JsonDocument.Parse(line);
                var root = json.RootElement;
                if (root.GetProperty("outcome").GetString() is "legit" or "fraud")
                {
                    verdicts[root.GetProperty("transactionId").GetString()!] = Canonical(root.GetProperty("outcome").GetString()!, root);
                }
            }

            return verdicts;
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string Id(byte[] value)
    {
        using var json = JsonDocument.Parse(value);
        return json.RootElement.GetProperty("transactionId").GetString()!;
    }

    private static string Verdict(byte[] value)
    {
        using var json = JsonDocument.Parse(value);
        var verdict = json.RootElement.GetProperty("verdict");
        return Canonical(verdict.GetProperty("rules").GetArrayLength() > 0 ? "fraud" : "legit", verdict);
    }

    /// <summary>Outcome, score and each rule's id, observed value, limit and window: what a verdict decides.</summary>
    private static string Canonical(string outcome, JsonElement verdict)
    {
        var text = new StringBuilder(outcome).Append(' ').Append(verdict.GetProperty("score").GetDouble().ToString("R", CultureInfo.InvariantCulture));
        foreach (var rule in verdict.GetProperty("rules").EnumerateArray())
        {
            text.Append(CultureInfo.InvariantCulture, $" {rule.GetProperty("id").GetString()}:{rule.GetProperty("observed").GetDecimal():0.##########}/{rule.GetProperty("limit").GetDecimal():0.##########}/{rule.GetProperty("window")}");
        }

        if (verdict.TryGetProperty("late", out var late) && late.GetBoolean())
        {
            text.Append(" late");
        }

        return text.ToString();
    }

    private sealed record Node(string Name, FraudProcess Process, string Url);

    private static async Task<Dictionary<(string, string), double>> MetricsAsync(HttpClient http, Node node)
    {
        try
        {
            var text = await http.GetStringAsync(node.Url + "/metrics");
            return Sample().Matches(text).ToDictionary(m => (m.Groups["name"].Value, m.Groups["labels"].Value),
                m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return new(); // starting or stopping
        }
    }

    private static async Task<double> OwnedBy(HttpClient http, Node node) =>
        (await MetricsAsync(http, node)).GetValueOrDefault(("fraud_owned_partitions", ""));

    private static async Task<double> OwnedAsync(HttpClient http, IEnumerable<Node> nodes)
    {
        var owned = 0.0;
        foreach (var node in nodes)
        {
            owned += await OwnedBy(http, node);
        }

        return owned;
    }

    private static async Task<double> ScoredAsync(HttpClient http, IEnumerable<Node> nodes)
    {
        var scored = 0.0;
        foreach (var node in nodes)
        {
            scored += (await MetricsAsync(http, node)).Where(m => m.Key.Item1 == "fraud_transactions_total").Sum(m => m.Value);
        }

        return scored;
    }

    private static async Task<bool> EveryNodeOwnsSomeAsync(HttpClient http, IEnumerable<Node> nodes)
    {
        foreach (var node in nodes)
        {
            if (await OwnedBy(http, node) == 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Records behind over every partition whose lag a node reports, and how many partitions that is.</summary>
    private static async Task<(double Lag, int Partitions)> LagAsync(HttpClient http, IEnumerable<Node> nodes)
    {
        var lag = 0.0;
        var partitions = 0;
        foreach (var node in nodes)
        {
            var series = (await MetricsAsync(http, node)).Where(m => m.Key.Item1 == "fraud_consumer_lag").ToList();
            lag += series.Sum(m => m.Value);
            partitions += series.Count;
        }

        return (lag, partitions);
    }

    private static Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? every = null) =>
        UntilAsync(condition, () => what, every);

    private static async Task UntilAsync(Func<Task<bool>> condition, Func<string> what, TimeSpan? every = null)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what()}");
            await Task.Delay(every ?? TimeSpan.FromMilliseconds(250));
        }
    }

    /// <summary>Each node's owned partitions and their lag, for a failure message.</summary>
    private static async Task<string> LagReportAsync(HttpClient http, IEnumerable<Node> nodes)
    {
        var report = new StringBuilder();
        foreach (var node in nodes)
        {
            var metrics = await MetricsAsync(http, node);
            var lags = metrics.Where(m => m.Key.Item1 == "fraud_consumer_lag").Select(m => $"{Regex.Match(m.Key.Item2, "partition=\"(\\d+)\"").Groups[1].Value}:{m.Value}");
            report.Append(CultureInfo.InvariantCulture, $"{node.Name} owns {metrics.GetValueOrDefault(("fraud_owned_partitions", ""))} [{string.Join(" ", lags)}]; ");
        }

        return report.ToString();
    }
}

/// <summary>
/// The cluster specs run alone, after the others: five processes at 4,000 transactions a second already fill two cores,
/// and their recovery times should not measure the other specs' load.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "cluster";
}
