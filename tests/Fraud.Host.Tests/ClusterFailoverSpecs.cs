using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fraud.Checkpoints.Tests;
using static Fraud.Host.Tests.ClusterChecks;
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
public sealed class ClusterFailoverSpecs(ScratchPostgres postgres, ITestOutputHelper output) : IClassFixture<ScratchPostgres>
{
    private const int Transactions = 100_000;
    private const int Accounts = 5_000;
    // The input's default. The outputs get four times as many: a SIGKILL re-reads up to a checkpoint interval of input
    // (~28,000 records at this rate), most of it fraud, and at 12 the fraud topic's partitions reached the embedded
    // broker's ~5 MiB. What it evicts is still checked.
    private const int Partitions = 12;
    private const int OutputPartitions = 48;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);

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

    private Task VerifyAsync(string scenario, string bootstrap, double reownedSeconds, double servingSeconds) =>
        ClusterChecks.VerifyAsync(output, scenario, bootstrap, Transactions,
            string.Create(CultureInfo.InvariantCulture, $"every partition owned again {reownedSeconds:F1} s after the change, the new node serving after {servingSeconds:F1} s"));
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
