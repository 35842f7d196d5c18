using System.Diagnostics;
using Fraud.Actors.Rules.Catalog;
using Fraud.Host.Topics;
using Fraud.Host.Hosting;
using Fraud.Host.Rules;

namespace Fraud.Benchmarks.EndToEnd;

/// <summary>What a rule-set swap every second costs the stream's latency, against phases without one.</summary>
public sealed record SwapResult(
    double Rate, string Rules, IReadOnlyList<double> P99WithoutMs, IReadOnlyList<double> P99WithMs, double MedianP99WithoutMs, double MedianP99WithMs,
    double DifferenceMs, IReadOnlyList<int> Swaps, double SwapAppliedP50Ms, double SwapAppliedMaxMs, Latency LastWithout, Latency LastWith);

/// <summary>
/// One detector node (in this process, on the embedded broker in its own) scoring generator traffic at a fixed rate,
/// in alternating latency phases: without rule changes, then with a change written to <c>fraud.rules</c> every second
/// (the first rule's record again, a version up: the node reads it, compiles the whole set on its follower thread and
/// swaps it in, as for any change). The target: the p99 with swaps within 10 ms of the p99 without. Also
/// measured: how long from a change's write (its start: a producer made, the record sent) to the node scoring with it.
/// </summary>
public static class SwapBench
{
    public static async Task<SwapResult> RunAsync(string fraudDll, double rate, TimeSpan phase, int pairs, string rulesFile)
    {
        var port = EndToEndBench.FreePort();
        var files = new List<string>();
        using var broker = Process.Start(new ProcessStartInfo("dotnet", [fraudDll, "broker", "--port", port.ToString()]) { RedirectStandardOutput = true, UseShellExecute = false })!;
        DetectorNode? node = null;
        KafkaConnection? connection = null;
        try
        {
            while (broker.StandardOutput.ReadLine() is { } line && !line.Contains("listening"))
            {
            }

            var settings = EndToEndBench.DetectorSettings(port, "sqlite", files);
            settings.Rules.File = rulesFile;
            var kafka = settings.Kafka;
            const long warmUp = 200_000;
            await EndToEndBench.GenerateAsync(kafka, settings.Topics.Input, rate: 1_000_000, count: warmUp, duration: null, seed: 41, EndToEndBench.DefaultPopulation);
            connection = await KafkaConnection.OpenAsync(settings);
            node = await DetectorNode.StartAsync(settings, connection, CancellationToken.None);
            var started = Stopwatch.StartNew();
            while (node.Stats.Total < warmUp && started.Elapsed < TimeSpan.FromMinutes(2))
            {
                await Task.Delay(100);
            }

            var seeded = CatalogSeed.Of(rulesFile, "bench", DateTimeOffset.UtcNow).Rules[0];
            var version = seeded.Rule.Version;
            var (without, with, swaps, applied) = (new List<Latency>(), new List<Latency>(), new List<int>(), new List<double>());
            using var pauses = new GcPauses();
            var cpu = new PhaseCpu();
            for (var pair = 0; pair < pairs; pair++)
            {
                await EndToEndBench.LatencyLoadAsync(kafka, port, settings.Topics.Input, rate, phase, inProcess: false, EndToEndBench.DefaultPopulation, pauses, cpu, node.Stats.ResetLatencies);
                await Task.Delay(TimeSpan.FromSeconds(2));
                without.Add(Latency.Of(node.Stats.Latencies(), pauses, cpu));
                Console.WriteLine($"bench: swap pair {pair + 1}: without swaps p99 {without[^1].P99Ms} ms");

                using var stop = new CancellationTokenSource();
                var count = 0;
                var swapping = Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        var next = Stopwatch.StartNew();
                        var before = settings.Rules.Pack!.Version!.Value.Rules;
                        var record = seeded.Rule with { Version = ++version, At = DateTimeOffset.UtcNow };
                        var written = Stopwatch.StartNew(); // from the write's start: the node may apply it before the broker's acknowledgement arrives here
                        TopicWriter.Write(kafka, [(settings.Topics.Rules, seeded.Id, record.ToJson())]);
                        while (settings.Rules.Pack!.Version!.Value.Rules == before && written.Elapsed < TimeSpan.FromSeconds(5))
                        {
                            await Task.Delay(1);
                        }

                        lock (applied) applied.Add(written.Elapsed.TotalMilliseconds);
                        Interlocked.Increment(ref count);
                        var rest = TimeSpan.FromSeconds(1) - next.Elapsed;
                        if (rest > TimeSpan.Zero)
                        {
                            await Task.Delay(rest);
                        }
                    }
                });
                await EndToEndBench.LatencyLoadAsync(kafka, port, settings.Topics.Input, rate, phase, inProcess: false, EndToEndBench.DefaultPopulation, pauses, cpu, node.Stats.ResetLatencies);
                await stop.CancelAsync();
                await swapping;
                await Task.Delay(TimeSpan.FromSeconds(2));
                with.Add(Latency.Of(node.Stats.Latencies(), pauses, cpu));
                swaps.Add(count);
                Console.WriteLine($"bench: swap pair {pair + 1}: with {count} swaps p99 {with[^1].P99Ms} ms");
            }

            double Median(IEnumerable<double> values) => values.Order().ElementAt(pairs / 2);
            var (medianWithout, medianWith) = (Median(without.Select(l => l.P99Ms)), Median(with.Select(l => l.P99Ms)));
            var sorted = applied.Order().ToList();
            return new SwapResult(rate, Path.GetFileName(rulesFile), without.Select(l => l.P99Ms).ToList(), with.Select(l => l.P99Ms).ToList(), medianWithout, medianWith,
                Math.Round(medianWith - medianWithout, 1), swaps, Math.Round(sorted[sorted.Count / 2], 1), Math.Round(sorted[^1], 1), without[^1], with[^1]);
        }
        finally
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }

            connection?.Dispose();
            broker.Kill(entireProcessTree: true);
            foreach (var file in files)
            {
                EndToEndBench.DeleteDatabase(file);
            }
        }
    }
}
