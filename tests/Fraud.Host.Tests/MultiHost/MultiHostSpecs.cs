using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;
using static Fraud.Host.Tests.ClusterChecks;

namespace Fraud.Host.Tests.MultiHost;

/// <summary>
/// The cluster across hosts of its own (network namespaces: <see cref="TestNetwork"/>), formed by DNS discovery as
/// compose forms it, under load (100,000 transactions from 5,000 accounts, velocity bursts running through each
/// failure), through what a real network does: scaling 3 → 5 → 2, a rolling restart, one node's link cut for 30 s, and
/// every node's link to the broker cut for 30 s. Each run is checked as the cluster specs check theirs: every input
/// present, duplicates identical, every verdict the one a failure-free replay gives; the figures go to the test output
/// and artifacts/cluster/. Where namespaces cannot be made, the specs fail and say why.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "MultiHost")]
public sealed class MultiHostSpecs(ITestOutputHelper output)
{
    private const int Transactions = 100_000;
    private const int Accounts = 5_000;
    private static readonly TimeSpan Cut = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Should_lose_nothing_when_the_cluster_scales_from_three_to_five_to_two_nodes()
    {
        await using var cluster = await MultiHostCluster.StartAsync("scale");
        var generator = await FormAndLoadAsync(cluster, 3);
        await ScoredAsync(cluster, 25_000);

        var clock = Stopwatch.StartNew();
        await cluster.StartNodeAsync(4);
        await cluster.StartNodeAsync(5);
        await FormedAsync(cluster, 5);
        var grown = clock.Elapsed.TotalSeconds;

        await ScoredAsync(cluster, 55_000);
        clock.Restart();
        var exits = await Task.WhenAll(cluster.StopNodeAsync(1), cluster.StopNodeAsync(2), cluster.StopNodeAsync(3));
        Assert.All(exits, code => Assert.Equal(0, code));
        await FormedAsync(cluster, 2);
        var shrunk = clock.Elapsed.TotalSeconds;

        await FinishAsync(cluster, generator, string.Create(CultureInfo.InvariantCulture,
            $"5 nodes serving {grown:F1} s after two were added; 2 nodes owning every partition {shrunk:F1} s after three stopped"));
    }

    [Fact]
    public async Task Should_lose_nothing_through_a_rolling_restart_of_every_node()
    {
        await using var cluster = await MultiHostCluster.StartAsync("rolling");
        var generator = await FormAndLoadAsync(cluster, 3);
        await ScoredAsync(cluster, 20_000);

        var each = new List<double>();
        for (var index = 1; index <= 3; index++)
        {
            // As Kubernetes upgrades a StatefulSet: one pod stopped, its replacement ready, then the next.
            var clock = Stopwatch.StartNew();
            Assert.Equal(0, await cluster.StopNodeAsync(index));
            await cluster.StartNodeAsync(index);
            await FormedAsync(cluster, 3);
            each.Add(clock.Elapsed.TotalSeconds);
        }

        Assert.All(cluster.Restarts.Values, restarts => Assert.Equal(0, restarts)); // no node fell over on its own
        await FinishAsync(cluster, generator, string.Create(CultureInfo.InvariantCulture,
            $"each node back and the partitions spread over three again after {string.Join(", ", each.Select(s => s.ToString("F1", CultureInfo.InvariantCulture)))} s"));
    }

    [Fact]
    public async Task Should_down_a_node_cut_off_for_30_s_and_let_it_rejoin_with_nothing_lost()
    {
        await using var cluster = await MultiHostCluster.StartAsync("link");
        var generator = await FormAndLoadAsync(cluster, 3);
        await ScoredAsync(cluster, 25_000);

        var clock = Stopwatch.StartNew();
        await cluster.Network.LinkAsync(cluster.HostOf(2), up: false);
        var others = new[] { cluster.NodeAt(1), cluster.NodeAt(3) };
        // The majority downs it (after Cluster:DownUnreachableAfter) and takes its partitions (after Kafka's session).
        await UntilAsync(async () => await MembersUpAsync(cluster, others[0]) == 2 && await OwnedAsync(cluster.Http, others) == MultiHostCluster.Partitions,
            "the two others, alone in the cluster, owning every partition");
        var taken = clock.Elapsed.TotalSeconds;

        await Task.Delay(Cut > clock.Elapsed ? Cut - clock.Elapsed : TimeSpan.Zero);
        await cluster.Network.LinkAsync(cluster.HostOf(2), up: true);
        clock.Restart();
        // Downed, it left by itself (a downed member cannot come back as itself): started again, it rejoins.
        await UntilAsync(async () => cluster.Restarts[2] > 0 && await EveryNodeOwnsSomeAsync(cluster.Http, cluster.Running) && cluster.Running.Count == 3
            && await MembersUpAsync(cluster, cluster.NodeAt(1)) == 3, "the cut-off node downed, restarted, and serving again");
        var rejoined = clock.Elapsed.TotalSeconds;

        await FinishAsync(cluster, generator, string.Create(CultureInfo.InvariantCulture,
            $"the cut-off node downed and its partitions taken {taken:F1} s into the cut; back and serving {rejoined:F1} s after its link returned"));
    }

    [Fact]
    public async Task Should_drop_readiness_while_the_broker_is_cut_off_for_30_s_and_recover_with_nothing_lost()
    {
        await using var cluster = await MultiHostCluster.StartAsync("broker");
        var generator = await FormAndLoadAsync(cluster, 3);
        await ScoredAsync(cluster, 25_000);

        var clock = Stopwatch.StartNew();
        await cluster.Network.LinkAsync(cluster.BrokerHost, up: false);
        await UntilAsync(async () => (await Task.WhenAll(cluster.Running.Select(cluster.ReadyAsync))).All(ready => !ready), "every node saying it is not ready");
        var dropped = clock.Elapsed.TotalSeconds;

        await Task.Delay(Cut > clock.Elapsed ? Cut - clock.Elapsed : TimeSpan.Zero);
        await cluster.Network.LinkAsync(cluster.BrokerHost, up: true);
        clock.Restart();
        await UntilAsync(async () => cluster.Running.Count == 3 && (await Task.WhenAll(cluster.Running.Select(cluster.ReadyAsync))).All(ready => ready), "every node ready again");
        var recovered = clock.Elapsed.TotalSeconds;

        await FinishAsync(cluster, generator, string.Create(CultureInfo.InvariantCulture,
            $"readiness down on every node {dropped:F1} s into the cut; every node ready {recovered:F1} s after the link returned; nodes restarted {cluster.Restarts.Values.Sum()}"));
    }

    private static async Task<FraudProcess> FormAndLoadAsync(MultiHostCluster cluster, int nodes)
    {
        for (var index = 1; index <= nodes; index++)
        {
            await cluster.StartNodeAsync(index);
        }

        await FormedAsync(cluster, nodes);
        // From the test's own host; clean traffic: every burst a pattern the rules see, fraud in every window.
        return FraudProcess.Start("Fraud.Generator.dll", ["--bootstrap", cluster.Bootstrap, "--rate", "1500", "--count", Transactions.ToString(CultureInfo.InvariantCulture),
            "--seed", "21", "--accounts", Accounts.ToString(CultureInfo.InvariantCulture), "--traffic", "clean"]);
    }

    /// <summary>One cluster of <paramref name="nodes"/> Up members (no node in a cluster of its own), every one of them owning partitions.</summary>
    private static Task FormedAsync(MultiHostCluster cluster, int nodes) =>
        UntilAsync(async () => cluster.Running.Count == nodes
            && (await Task.WhenAll(cluster.Running.Select(n => MembersUpAsync(cluster, n)))).All(up => up == nodes)
            && await OwnedAsync(cluster.Http, cluster.Running) == MultiHostCluster.Partitions
            && await EveryNodeOwnsSomeAsync(cluster.Http, cluster.Running), $"{nodes} nodes in one cluster, sharing the {MultiHostCluster.Partitions} partitions");

    private static async Task<int> MembersUpAsync(MultiHostCluster cluster, Node node)
    {
        try
        {
            return Regex.Matches(await cluster.Http.GetStringAsync(node.Url + "/api/cluster"), "\"status\":\"Up\"").Count;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return -1;
        }
    }

    private static Task ScoredAsync(MultiHostCluster cluster, double count) =>
        UntilAsync(async () => await ClusterChecks.ScoredAsync(cluster.Http, cluster.Running) >= count, $"{count} transactions scored");

    /// <summary>The load finished, the cluster drained and stopped, and every output checked.</summary>
    private async Task FinishAsync(MultiHostCluster cluster, FraudProcess generator, string recovery)
    {
        await generator.WaitForExitAsync(TimeSpan.FromSeconds(300));
        Assert.True(generator.ExitCode == 0, generator.Stderr);
        var quiet = 0;
        var lastSeen = "";
        await UntilAsync(async () =>
        {
            var (lag, partitions) = await LagAsync(cluster.Http, cluster.Running);
            quiet = await OwnedAsync(cluster.Http, cluster.Running) == MultiHostCluster.Partitions && partitions == MultiHostCluster.Partitions && lag == 0 ? quiet + 1 : 0;
            lastSeen = await LagReportAsync(cluster.Http, cluster.Running);
            return quiet >= 3;
        }, () => $"the cluster catching up with the input; lag per node: {lastSeen}", TimeSpan.FromSeconds(1));
        await cluster.StopAllAsync();
        await VerifyAsync(output, "multihost-" + cluster.Scenario, cluster.Bootstrap, Transactions, recovery);
    }
}
