using System.Diagnostics;
using Fraud.Generator.Running;
using Fraud.Host.Configuration;
using Fraud.Host.Hosting;
using Fraud.Kafka.Producing;
using Fraud.Kafka.Settings;

namespace Fraud.Benchmarks.EndToEnd;

/// <summary>Results of the end-to-end run.</summary>
public sealed record EndToEndResult(
    long Messages, double PassthroughMsgPerSec, double DetectorMsgPerSec, double Ratio,
    double LatencyRate, Latency Passthrough, Latency Detector);

public sealed record Latency(double P50Ms, double P99Ms, double P999Ms, long Samples);

/// <summary>
/// One run, one broker (the embedded broker in its own process), one topic layout, one input:
/// (a) the raw passthrough, (b) the detector with every rule on, each reading the same pre-filled input from the start
/// in its own consumer group; then both at half of (b)'s rate for latency (generator timestamp → acknowledged output).
/// </summary>
public static class EndToEndBench
{
    public static async Task<EndToEndResult> RunAsync(string fraudDll, long messages, TimeSpan latencyPhase)
    {
        var port = FreePort();
        var checkpoints = Path.Combine(Path.GetTempPath(), $"fraud-bench-{Guid.NewGuid():N}.db");
        using var broker = Process.Start(new ProcessStartInfo("dotnet", [fraudDll, "broker", "--port", port.ToString()])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        try
        {
            while (broker.StandardOutput.ReadLine() is { } line && !line.Contains("listening"))
            {
            }

            var settings = DetectorSettings(port, checkpoints);
            var kafka = settings.Kafka;
            Console.WriteLine($"bench: filling {settings.Topics.Input} with {messages} transactions");
            await GenerateAsync(kafka, settings.Topics.Input, rate: 1_000_000, count: messages, duration: null);

            // Warm-up: each contender first reads the whole input once, in a group of its own, and is stopped; the
            // measured pass then runs on code the JIT has already optimized with its profile (tiered compilation, the
            // runtime's default, as in production), as a long-running detector does. The warm-up detector is a node
            // of its own with its own checkpoints, so the measured one starts as cold (same accounts, none in memory).
            using (var warmPassthrough = new Passthrough(kafka, settings.Topics.Input, settings.Topics.Legit))
            {
                await MeasureAsync(() => warmPassthrough.Delivered, messages);
            }

            var warmCheckpoints = checkpoints + ".warm-up";
            try
            {
                var warmSettings = DetectorSettings(port, warmCheckpoints);
                using var warmConnection = await KafkaConnection.OpenAsync(warmSettings);
                await using var warmNode = await DetectorNode.StartAsync(warmSettings, warmConnection, CancellationToken.None);
                await MeasureAsync(() => warmNode.Stats.Total, messages);
            }
            finally
            {
                DeleteDatabase(warmCheckpoints);
            }

            Console.WriteLine("bench: warm-up passes done");

            // (a) the ceiling
            double passthroughRate;
            using var passthrough = new Passthrough(kafka, settings.Topics.Input, settings.Topics.Legit);
            passthroughRate = await MeasureAsync(() => passthrough.Delivered, messages);
            Console.WriteLine($"bench: passthrough {passthroughRate:F0} msg/s");

            // (b) the detector, every rule on
            using var connection = await KafkaConnection.OpenAsync(settings);
            var node = await DetectorNode.StartAsync(settings, connection, CancellationToken.None);
            double detectorRate;
            try
            {
                detectorRate = await MeasureAsync(() => node.Stats.Total, messages);
                Console.WriteLine($"bench: detector {detectorRate:F0} msg/s");

                // Latency at half of the detector's maximum, for both, on the same fresh input.
                var rate = Math.Round(detectorRate / 2);
                passthrough.ResetLatencies();
                node.Stats.ResetLatencies();
                await GenerateAsync(kafka, settings.Topics.Input, rate, count: null, duration: latencyPhase);
                await Task.Delay(TimeSpan.FromSeconds(2)); // let the last records through
                var pt = new Latency(passthrough.LatencyPercentile(50), passthrough.LatencyPercentile(99), passthrough.LatencyPercentile(99.9), passthrough.Delivered - messages);
                var dt = new Latency(node.Stats.LatencyPercentile(50), node.Stats.LatencyPercentile(99), node.Stats.LatencyPercentile(99.9), node.Stats.Total - messages);
                return new EndToEndResult(messages, Math.Round(passthroughRate), Math.Round(detectorRate), Math.Round(detectorRate / passthroughRate, 3), rate, pt, dt);
            }
            finally
            {
                await node.DisposeAsync();
            }
        }
        finally
        {
            broker.Kill(entireProcessTree: true);
            DeleteDatabase(checkpoints);
        }
    }

    /// <summary>The detector's settings for this run: a consumer group and a checkpoint file of its own.</summary>
    private static FraudSettings DetectorSettings(int port, string checkpoints) =>
        FraudSettings.Bind(FraudSettings.LoadConfiguration(new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = $"127.0.0.1:{port}",
            // The mock holds fetches for fetch.wait.max.ms: keep it short, for both contenders alike.
            ["Kafka:Consumer:fetch.wait.max.ms"] = "10",
            ["Kafka:GroupId"] = "bench-detector-" + Guid.NewGuid().ToString("N"),
            // The single-node default store, in a file of this run's own: checkpoints are part of the cost.
            ["Checkpoints:Store"] = "sqlite",
            ["Checkpoints:ConnectionString"] = $"Data Source={checkpoints}",
            ["Dashboard:Urls"] = "http://127.0.0.1:0",
        }));

    private static void DeleteDatabase(string path)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// Rate between the output that completes the first third of <paramref name="target"/> and the last one: the first
    /// third, for both contenders alike, covers start-up (the group's join, the first fetches, a cold detector's first
    /// partitions restoring).
    /// </summary>
    private static async Task<double> MeasureAsync(Func<long> done, long target)
    {
        var clock = Stopwatch.StartNew();
        var warmUp = target / 3;
        TimeSpan? from = null;
        long atFrom = 0;
        while (done() < target)
        {
            if (from is null && done() >= warmUp)
            {
                from = clock.Elapsed;
                atFrom = done();
            }

            if (clock.Elapsed > TimeSpan.FromMinutes(3))
            {
                throw new TimeoutException($"only {done()} of {target} after 3 minutes");
            }

            await Task.Delay(5);
        }

        return (target - atFrom) / (clock.Elapsed - (from ?? TimeSpan.Zero)).TotalSeconds;
    }

    private static async Task GenerateAsync(KafkaSettings kafka, string topic, double rate, long? count, TimeSpan? duration)
    {
        using var producer = KafkaProducer.Create(kafka);
        using var stop = duration is null ? new CancellationTokenSource() : new CancellationTokenSource(duration.Value);
        // Half a million accounts keep normal cards at a realistic pace even at the fill's rate.
        var options = new GeneratorOptions { Topic = topic, Rate = rate, Count = count, Seed = 42, Accounts = 500_000 };
        var stats = await new GeneratorRunner(producer, options).RunAsync(stop.Token);
        Console.WriteLine($"bench: generated {stats.Produced} at {stats.AchievedRate:F0}/s");
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
