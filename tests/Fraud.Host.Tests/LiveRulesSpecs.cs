using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;
using Fraud.Kafka.Native;

namespace Fraud.Host.Tests;

/// <summary>
/// Rules changed while three detector nodes score a stream: a threshold through <c>fraud rules apply</c>, a list item
/// through <c>fraud lists remove</c>, then a broken rule written straight to the rule topic. Every node scores with
/// each change within 2 s; a shadow rule is reported and routes nothing; the broken rule is refused and the nodes go
/// on with the version they ran, and a node started after it runs the last rule set that compiles.
/// </summary>
public sealed class LiveRulesSpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(2);

    private const string Rules = """
        rule big: block weight 0.9
          when amount >= 900

        rule watched: block weight 0.8
          when source in @watched

        rule trial: block weight 0.5 shadow
          when amount >= 100
        """;

    [Fact]
    public async Task Should_apply_each_change_on_every_node_within_two_seconds_and_refuse_a_broken_one()
    {
        var folder = Directory.CreateTempSubdirectory("fraud-live-").FullName;
        File.WriteAllText(Path.Combine(folder, "live.rules"), Rules);
        File.WriteAllText(Path.Combine(folder, "watched.list"), "ACC-W\n");
        File.WriteAllText(Path.Combine(folder, "lower.rules"), "rule big: block weight 0.9\n  when amount >= 400\n");

        var port = FraudProcess.FreePort();
        await using var broker = FraudProcess.Start("fraud.dll", ["broker", "--port", port.ToString()]);
        await broker.WaitForLineAsync("broker: listening on", Patience);
        var bootstrap = $"127.0.0.1:{port}";
        var (seedPort, store) = (FraudProcess.FreePort(), FraudProcess.NewCheckpointFile());
        var nodes = new List<FraudProcess>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                nodes.Add(FraudProcess.Start("fraud.dll", ["detect"], new Dictionary<string, string>
                {
                    ["Kafka__BootstrapServers"] = bootstrap,
                    ["Kafka__Consumer__fetch.wait.max.ms"] = "10",
                    ["Cluster__Port"] = (i == 0 ? seedPort : FraudProcess.FreePort()).ToString(),
                    ["Cluster__SeedNodes__0"] = $"akka.tcp://fraud@127.0.0.1:{seedPort}",
                    ["Detector__NodeName"] = $"node-{i}",
                    ["Checkpoints__ConnectionString"] = $"Data Source={store}",
                    ["Fraud__Rules__File"] = Path.Combine(folder, "live.rules"),
                }));
                await nodes[i].WaitForLineAsync("detector started", Patience); // the first seeds the empty rule topic
            }

            // A stream of 500.00 payments, a tenth of them from the watched account, each stamped with when it was written.
            var produced = new ConcurrentDictionary<string, (DateTimeOffset At, string Account)>();
            using var stop = new CancellationTokenSource();
            var producing = Task.Run(() => Produce(bootstrap, produced, stop.Token));
            await Task.Delay(TimeSpan.FromSeconds(4));

            var lowered = await CliAsync(["rules", "apply", Path.Combine(folder, "lower.rules"), "--bootstrap", bootstrap, "--by", "spec"]);
            Assert.Contains("rule big: changed, version 2, active", lowered.Output);
            var (loweredAt, loweredVersion) = (lowered.At, lowered.Version);
            await Task.Delay(TimeSpan.FromSeconds(4));

            var removed = await CliAsync(["lists", "remove", "watched", "ACC-W", "--bootstrap", bootstrap, "--by", "spec"]);
            Assert.Contains("list watched: - ACC-W", removed.Output);
            await Task.Delay(TimeSpan.FromSeconds(4));

            // Written past the CLI and the API, as a bad client could: no node may stop or take it.
            Write(bootstrap, "fraud.rules", "broken", """{"rule":"rule broken: block when amount >>> 1","mode":"active","version":1}""");
            await Task.WhenAll(nodes.Select(n => n.WaitForLineAsync("refused", Patience)));

            // A node started on a topic whose latest rule set does not compile runs the last one that does.
            nodes.Add(FraudProcess.Start("fraud.dll", ["detect"], new Dictionary<string, string>
            {
                ["Kafka__BootstrapServers"] = bootstrap,
                ["Kafka__Consumer__fetch.wait.max.ms"] = "10",
                ["Cluster__Port"] = FraudProcess.FreePort().ToString(),
                ["Cluster__SeedNodes__0"] = $"akka.tcp://fraud@127.0.0.1:{seedPort}",
                ["Detector__NodeName"] = "node-3",
                ["Checkpoints__ConnectionString"] = $"Data Source={store}",
                ["Fraud__Rules__File"] = Path.Combine(folder, "live.rules"),
            }));
            await nodes[3].WaitForLineAsync($"running the last rule set that compiles, {removed.Version}", Patience);
            await nodes[3].WaitForLineAsync("detector started", Patience);
            await Task.Delay(TimeSpan.FromSeconds(3));
            await stop.CancelAsync();
            await producing;

            var verdicts = await ReadVerdictsAsync(bootstrap, produced.Count);
            Assert.All(nodes, n => Assert.False(n.HasExited, n.Stderr));
            Assert.True(verdicts.Values.Select(v => v.Node).Distinct().Count() >= 3, "all three first nodes scored");
            foreach (var (id, (at, account)) in produced)
            {
                var v = verdicts[id];
                // The shadow rule fires on every payment and decides none.
                Assert.Equal(["trial"], v.Shadow);
                Assert.True(RuleSetVersion.TryParse(v.RuleSet, out var version), $"{id}: rule set '{v.RuleSet}'");
                Assert.True(version.Rules <= removed.Version.Rules + 1 && version.Lists <= removed.Version.Lists, $"{id} scored with {version}, never written");
                if (at > loweredAt + Within)
                {
                    Assert.True(version.Rules >= loweredVersion.Rules, $"{id} written {(at - loweredAt).TotalSeconds:0.0} s after the change, scored by {v.Node} with {version}");
                }

                if (at > removed.At + Within)
                {
                    Assert.True(version == removed.Version, $"{id} written {(at - removed.At).TotalSeconds:0.0} s after the list change, scored by {v.Node} with {version}");
                }

                // A version is what it holds: from the lowered threshold on, 500.00 is big; before the removal, ACC-W is watched.
                var expected = new List<string>();
                if (version.Rules >= loweredVersion.Rules) expected.Add("big");
                if (account == "ACC-W" && version.Lists < removed.Version.Lists) expected.Add("watched");
                Assert.True(expected.SequenceEqual(v.Rules), $"{id} ({account}, {version}): hits {string.Join(",", v.Rules)}, expected {string.Join(",", expected)}");
                Assert.Equal(expected.Count > 0 ? "fraud" : "legit", v.Topic);
            }
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    private sealed record Scored(string Topic, string Node, string? RuleSet, string[] Rules, string[] Shadow);

    private static async Task<(string Output, DateTimeOffset At, RuleSetVersion Version)> CliAsync(string[] args)
    {
        var cli = await FraudProcess.RunAsync("fraud.dll", args, Patience);
        Assert.True(cli.ExitCode == 0, cli.Stderr);
        var at = DateTimeOffset.UtcNow;
        var line = cli.Stdout.Split('\n').Last(l => l.StartsWith("rule set ", StringComparison.Ordinal)).Trim();
        Assert.True(RuleSetVersion.TryParse(line["rule set ".Length..], out var version), line);
        return (cli.Stdout, at, version);
    }

    private static void Produce(string bootstrap, ConcurrentDictionary<string, (DateTimeOffset, string)> produced, CancellationToken stop)
    {
        Librdkafka.EnsureLoaded();
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 0 }).Build();
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var account = n % 10 == 0 ? "ACC-W" : $"ACC-{n % 40}";
            var at = DateTimeOffset.UtcNow;
            var tx = new Transaction($"t-{n}", account, "MER-1", 500m, "USD", at, "grocery", "US", "dev-1");
            produced[tx.TransactionId] = (at, account);
            producer.Produce("queueing.transactions", new Message<byte[]?, byte[]?> { Key = Encoding.UTF8.GetBytes(account), Value = TransactionJson.Write(tx) });
            Thread.Sleep(5);
        }

        producer.Flush(TimeSpan.FromSeconds(10));
    }

    private static void Write(string bootstrap, string topic, string key, string value)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = bootstrap }).Build();
        producer.Produce(topic, new Message<byte[]?, byte[]?> { Key = Encoding.UTF8.GetBytes(key), Value = Encoding.UTF8.GetBytes(value) });
        producer.Flush(TimeSpan.FromSeconds(10));
    }

    private static async Task<Dictionary<string, Scored>> ReadVerdictsAsync(string bootstrap, int expected)
    {
        var deadline = DateTime.UtcNow + Patience;
        var verdicts = new Dictionary<string, Scored>();
        while (true)
        {
            verdicts.Clear();
            foreach (var (topic, name) in new[] { ("streaming.transactions.legit", "legit"), ("streaming.transactions.fraud", "fraud") })
            {
                foreach (var record in KafkaTopics.ReadAll(bootstrap, topic, Patience))
                {
                    var root = JsonDocument.Parse(record.Message.Value!).RootElement;
                    var v = root.GetProperty("verdict");
                    string[] Ids(string array) => v.TryGetProperty(array, out var hits) ? hits.EnumerateArray().Select(h => h.GetProperty("id").GetString()!).Order().ToArray() : [];
                    verdicts[root.GetProperty("transactionId").GetString()!] = new Scored(name, v.GetProperty("detectorNode").GetString()!,
                        v.TryGetProperty("ruleSet", out var set) ? set.GetString() : null, Ids("rules"), Ids("shadow"));
                }
            }

            if (verdicts.Count >= expected)
            {
                return verdicts;
            }

            Assert.True(DateTime.UtcNow < deadline, $"only {verdicts.Count} of {expected} scored");
            await Task.Delay(1000);
        }
    }
}
