using System.Text.RegularExpressions;
using Akka.Discovery;
using Fraud.Host.Configuration;
using Fraud.Host.Hosting;

namespace Fraud.Host.Tests;

/// <summary>
/// Cluster formation without seeds: the settings refused in one line when they cannot work, the DNS discovery's
/// answers, and three <c>fraud detect</c> processes on loopback, all alike, forming one cluster from a list of
/// contact points (<c>Cluster:Discovery=config</c>). Across hosts and by DNS: <c>MultiHost/MultiHostSpecs</c>.
/// </summary>
public sealed class ClusterDiscoverySpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Theory]
    [InlineData("zookeeper", null, null, "Cluster:Discovery is seeds, config, kubernetes, dns, not 'zookeeper'")]
    [InlineData("dns", "akka.tcp://fraud@a:4053", null, "Cluster:SeedNodes are for Cluster:Discovery=seeds")]
    [InlineData("config", null, null, "Cluster:Discovery=config needs Cluster:ContactPoints")]
    public void Should_refuse_a_discovery_that_cannot_work_in_one_line(string discovery, string? seed, string? contact, string expected)
    {
        var settings = new ClusterSettings
        {
            Discovery = discovery,
            SeedNodes = seed is null ? [] : [seed],
            ContactPoints = contact is null ? [] : [contact],
        };
        Assert.StartsWith(expected, settings.Problem());
        Assert.Null(new ClusterSettings { Discovery = "config", ContactPoints = ["10.0.0.1:8558"] }.Problem());
        Assert.Null(new ClusterSettings().Problem());
    }

    [Fact]
    public async Task Should_resolve_a_name_to_every_address_it_has_and_an_unknown_one_to_none()
    {
        var discovery = new DnsDiscovery(null!);
        var local = await discovery.Lookup(new Lookup("localhost"), TimeSpan.FromSeconds(5));
        Assert.Contains(local.Addresses, a => a.Host == "127.0.0.1" && a.Port is null);
        var unknown = await discovery.Lookup(new Lookup("no-such-detector.invalid"), TimeSpan.FromSeconds(5));
        Assert.Empty(unknown.Addresses);
        Assert.Equal("127.0.0.1", AkkaSetup.Advertised("127.0.0.1"));
        Assert.NotEqual("auto", AkkaSetup.Advertised("auto"));
    }

    [Fact]
    public async Task Should_form_one_cluster_of_alike_nodes_from_their_contact_points()
    {
        var port = FraudProcess.FreePort();
        await using var broker = FraudProcess.Start("fraud.dll", ["broker", "--port", port.ToString()]);
        await broker.WaitForLineAsync("broker: listening on", Patience);
        var management = Enumerable.Range(0, 3).Select(_ => FraudProcess.FreePort()).ToArray();
        var nodes = new List<FraudProcess>();
        try
        {
            foreach (var own in management)
            {
                var env = new Dictionary<string, string>
                {
                    ["Kafka__BootstrapServers"] = $"127.0.0.1:{port}",
                    ["Cluster__Discovery"] = "config",
                    ["Cluster__ManagementPort"] = own.ToString(),
                    ["Cluster__Port"] = FraudProcess.FreePort().ToString(),
                    ["Cluster__RequiredContactPoints"] = "3",
                    ["Cluster__StableMargin"] = "00:00:01",
                    ["Checkpoints__Store"] = "memory",
                };
                for (var i = 0; i < management.Length; i++)
                {
                    env[$"Cluster__ContactPoints__{i}"] = $"127.0.0.1:{management[i]}";
                }

                nodes.Add(FraudProcess.Start("fraud.dll", ["detect"], env));
            }

            var urls = new List<string>();
            foreach (var node in nodes)
            {
                urls.Add(await node.DashboardUrlAsync(Patience));
            }

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var deadline = DateTime.UtcNow + Patience;
            while (true)
            {
                var views = await Task.WhenAll(urls.Select(u => http.GetStringAsync(u + "/api/cluster")));
                if (views.All(v => Regex.Matches(v, "\"status\":\"Up\"").Count == 3))
                {
                    break; // one cluster: every node sees the same three Up members
                }

                Assert.True(DateTime.UtcNow < deadline, $"no single cluster of three: {string.Join(" | ", views)}");
                await Task.Delay(500);
            }

            var probe = await http.GetStringAsync($"http://127.0.0.1:{management[0]}/bootstrap/seed-nodes");
            Assert.Equal(3, Regex.Matches(probe, "\"NodeUid\"").Count);
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync($"http://127.0.0.1:{management[0]}/api/cluster")).StatusCode); // nothing else there
        }
        finally
        {
            foreach (var node in nodes)
            {
                node.Terminate();
                await node.DisposeAsync();
            }
        }
    }
}
