using System.Text.RegularExpressions;

namespace Fraud.Host.Tests;

/// <summary>
/// <c>fraud detect</c> as a container runs it: SIGTERM drains, commits and exits, dead letters at the partitions' ends
/// included; a restart re-scores and re-sends nothing.
/// </summary>
public sealed partial class DetectorShutdownSpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [GeneratedRegex(@"legit (\d+) fraud (\d+) review (\d+) dead-letter (\d+) partitions (\d+)")]
    private static partial Regex Status();

    [Fact]
    public async Task Should_stop_gracefully_on_sigterm_with_everything_committed()
    {
        var port = FraudProcess.FreePort();
        await using var broker = FraudProcess.Start("fraud.dll", ["broker", "--port", port.ToString()]);
        await broker.WaitForLineAsync("broker: listening on", Patience);
        var env = new Dictionary<string, string>
        {
            ["Kafka__BootstrapServers"] = $"127.0.0.1:{port}",
            ["Kafka__Consumer__fetch.wait.max.ms"] = "10",
            ["Kafka__Consumer__session.timeout.ms"] = "6000",
            // One deployment: the restarted node restores what the first one checkpointed.
            ["Checkpoints__ConnectionString"] = $"Data Source={FraudProcess.NewCheckpointFile()}",
        };
        var generator = await FraudProcess.RunAsync("Fraud.Generator.dll", ["--bootstrap", $"127.0.0.1:{port}", "--rate", "5000", "--count", "2000", "--seed", "4", "--accounts", "50000"], Patience);
        Assert.True(generator.ExitCode == 0, generator.Stderr);
        ProduceGarbage($"127.0.0.1:{port}", 12); // the partitions end in dead letters

        await using (var first = FraudProcess.Start("fraud.dll", ["detect"], env))
        {
            await first.WaitForLineAsync("legit", Patience);
            await WaitForScoredAsync(first, 2012);
            first.Terminate();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(30));
            Assert.True(first.ExitCode == 0, first.Stdout + first.Stderr);
            Assert.Contains("detector: stopping", first.Stdout);
            Assert.DoesNotContain("error", first.Stderr);
        }

        // Every partition committed to its end, the dead letters at the end included.
        var uncommitted = Uncommitted($"127.0.0.1:{port}");
        Assert.True(uncommitted.Count == 0, "not committed to the end: " + string.Join(", ", uncommitted));

        // A new node takes all partitions from the committed offsets and fetches: nothing is scored or sent twice.
        await using var second = FraudProcess.Start("fraud.dll", ["detect"], env);
        var url = await second.DashboardUrlAsync(Patience);
        await second.WaitForLineAsync("partitions 12", Patience);
        var started = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + Patience;
        while (LastFetch(await http.GetStringAsync(url + "/metrics")) <= started)
        {
            Assert.True(DateTime.UtcNow < deadline, "the restarted node never fetched");
            await Task.Delay(200);
        }

        // One status line more after that fetch: its counts include whatever the fetch brought.
        var lines = Status().Matches(second.Stdout).Count;
        while (Status().Matches(second.Stdout).Count == lines)
        {
            Assert.True(DateTime.UtcNow < deadline, "no status line after the fetch");
            await Task.Delay(200);
        }

        second.Terminate();
        await second.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var last = Status().Matches(second.Stdout).Last();
        Assert.Equal("0", last.Groups[1].Value);
        Assert.Equal("0", last.Groups[2].Value);
        Assert.Equal("0", last.Groups[3].Value);
        Assert.Equal("0", last.Groups[4].Value); // no dead letter sent again
    }

    private static double LastFetch(string metrics) =>
        Regex.Match(metrics, @"^fraud_consumer_last_fetch_timestamp_seconds (\S+)$", RegexOptions.Multiline) is { Success: true } m
            ? double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)
            : 0;

    private static void ProduceGarbage(string bootstrap, int count)
    {
        Fraud.Kafka.Native.Librdkafka.EnsureLoaded();
        using var producer = new Confluent.Kafka.ProducerBuilder<byte[]?, byte[]?>(new Confluent.Kafka.ProducerConfig { BootstrapServers = bootstrap }).Build();
        for (var i = 0; i < count; i++)
        {
            // Keys spread them over the partitions; none is a transaction.
            producer.Produce("queueing.transactions", new Confluent.Kafka.Message<byte[]?, byte[]?> { Key = System.Text.Encoding.UTF8.GetBytes($"garbage-{i}"), Value = System.Text.Encoding.UTF8.GetBytes($"garbage {i} {{") });
        }

        producer.Flush(TimeSpan.FromSeconds(30));
    }

    /// <summary>The partitions of the input whose committed offset (group fraud-detector) is short of their end.</summary>
    private static List<string> Uncommitted(string bootstrap)
    {
        Fraud.Kafka.Native.Librdkafka.EnsureLoaded();
        using var consumer = new Confluent.Kafka.ConsumerBuilder<byte[]?, byte[]?>(new Confluent.Kafka.ConsumerConfig { BootstrapServers = bootstrap, GroupId = "fraud-detector" })
            .SetLogHandler((_, _) => { }).Build();
        var partitions = Enumerable.Range(0, 12).Select(p => new Confluent.Kafka.TopicPartition("queueing.transactions", p)).ToList();
        var committed = consumer.Committed(partitions, TimeSpan.FromSeconds(10));
        return committed
            .Select(c => (c.Partition.Value, Committed: c.Offset.Value, End: consumer.QueryWatermarkOffsets(c.TopicPartition, TimeSpan.FromSeconds(10)).High.Value))
            .Where(c => c.Committed != c.End)
            .Select(c => $"{c.Value}: {c.Committed} of {c.End}")
            .ToList();
    }

    private static async Task WaitForScoredAsync(FraudProcess process, int expected)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            var matches = Status().Matches(process.Stdout);
            if (matches.Count > 0)
            {
                var m = matches[^1];
                if (Enumerable.Range(1, 4).Sum(g => long.Parse(m.Groups[g].Value)) >= expected)
                {
                    return;
                }
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"not all {expected} scored; stdout:\n{process.Stdout}");
    }
}
