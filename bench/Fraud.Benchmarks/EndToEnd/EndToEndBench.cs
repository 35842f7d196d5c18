using System.Diagnostics;
using System.Globalization;
using Fraud.Generator.Running;
using Fraud.Generator.Transactions;
using Fraud.Host.Configuration;
using Fraud.Host.Detection;
using Fraud.Host.Hosting;
using Fraud.Kafka.Producing;
using Fraud.Kafka.Settings;

namespace Fraud.Benchmarks.EndToEnd;

/// <summary>Results of the end-to-end run: each contender's median over the rounds, and every round.</summary>
public sealed record EndToEndResult(
    long Messages, double PassthroughMsgPerSec, double DetectorMsgPerSec, double Ratio,
    IReadOnlyList<double> PassthroughRounds, IReadOnlyList<double> DetectorRounds,
    double LatencyRate, Latency Passthrough, Latency Detector);

/// <summary>
/// Latency percentiles over one phase (and the p99 of each fifth of it, in order), and the garbage collections of this process (the contender's) during it: the
/// pauses (the longest, their total, by generation) and <see cref="GcPromotedMb"/>, what the young collections copied
/// into older generations (gen0 → gen1, gen1 → gen2), the work that makes a young collection long, and
/// <see cref="GcMarkedFrom"/>, what they marked by where the marking started; and the cores the
/// contender's process and the whole machine (broker and generator too) kept busy meanwhile.
/// </summary>
public sealed record Latency(double P50Ms, double P99Ms, double P999Ms, long Samples, string P99ByFifthMs, double GcLongestPauseMs, double GcPausedMs, string GcPauses,
    string GcPromotedMb, string GcMarkedFrom, string GcCollections, double CoresBusy, double MachineCoresBusy)
{
    /// <param name="samples">The phase's latencies in the order they were recorded.</param>
    public static Latency Of(double[] samples, GcPauses pauses, PhaseCpu cpu)
    {
        var (longest, total, byGeneration) = pauses.Summary();
        var (fromGen0, fromGen1) = pauses.Promoted();
        var (process, machine) = cpu.Cores();
        // The p99 of each fifth of the phase: a spike (a compaction, a burst of collections) shows in one of them,
        // where the phase's own p99 would only say that something, some time, was slow.
        var fifth = Math.Max(1, samples.Length / 5);
        var byFifth = string.Join(", ", Enumerable.Range(0, 5).Where(i => i * fifth < samples.Length)
            .Select(i => DetectorStats.Percentile(samples[(i * fifth)..Math.Min((i + 1) * fifth, samples.Length)], fifth, 99).ToString("F0", CultureInfo.InvariantCulture)));
        double Whole(double percentile) => DetectorStats.Percentile(samples, samples.Length, percentile);
        return new Latency(Whole(50), Whole(99), Whole(99.9), samples.Length,
            byFifth, longest, total, byGeneration, $"gen0 → gen1 {fromGen0 / 1048576.0:F0}, gen1 → gen2 {fromGen1 / 1048576.0:F0}", pauses.MarkedFrom(), pauses.Collections(), process, machine);
    }
}

/// <summary>
/// One run, one broker (the embedded broker in its own process), one topic layout, one input:
/// (a) the raw passthrough, (b) the detector with every rule on, each reading the same pre-filled input from the start
/// in its own consumer group, in alternating rounds; then each alone at half of (b)'s rate for latency (generator
/// timestamp → acknowledged output).
/// </summary>
public static class EndToEndBench
{
    /// <summary>
    /// Rounds of (a) then (b). The passthrough alone moved between 95,000 and 200,000 msg/s from one run to the next on
    /// this machine, and some of its rounds still reach 190,000–310,000 (RESULTS.md §12): the median of five alternating
    /// rounds is steadier than one of three, and every round is reported.
    /// </summary>
    private const int Rounds = 5;

    /// <param name="store">The detector's checkpoint store: <c>sqlite</c> (the single-node default, in a file of this
    /// run's own) or <c>memory</c> (to see what the checkpoints cost).</param>
    /// <param name="latencyRate">The latency phases' rate; by default half of the detector's median (the issue's "half
    /// load"). A fixed rate compares two versions of the code at the same load, which half of each one's maximum does not.</param>
    /// <param name="population">The accounts the generators draw from. Fewer accounts than records in a phase means
    /// the detector creates few new accounts while measured: a way to see what creating them costs.</param>
    /// <param name="generatorInProcess">Run the latency phases' generator in this process, beside the contender (as up to
    /// §9), instead of in a process of its own.</param>
    public static async Task<EndToEndResult> RunAsync(string fraudDll, long messages, TimeSpan latencyPhase, string store = "sqlite", double? latencyRate = null,
        bool generatorInProcess = false, int population = DefaultPopulation)
    {
        var port = FreePort();
        var files = new List<string>();
        using var broker = Process.Start(new ProcessStartInfo("dotnet", [fraudDll, "broker", "--port", port.ToString()])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        Passthrough? passthrough = null;
        KafkaConnection? connection = null;
        DetectorNode? node = null;
        try
        {
            while (broker.StandardOutput.ReadLine() is { } line && !line.Contains("listening"))
            {
            }

            var settings = DetectorSettings(port, store, files);
            var kafka = settings.Kafka;
            // Warm-up first, measured input after it, in one topic: each contender reads all of it in one run, and its
            // rate is taken over the measured part only, on code the JIT has by then optimized with its profile (the
            // runtime's default tiered compilation, as in production) and past the start-up (group join, first
            // fetches, the detector's partitions restoring). The warm-up is generated with another seed: its
            // transactions are new to the detector, not duplicates of the measured ones.
            var warmUp = WarmUpFor(messages);
            Console.WriteLine($"bench: filling {settings.Topics.Input} with {warmUp} warm-up and {messages} measured transactions");
            if (warmUp > 0)
            {
                await GenerateAsync(kafka, settings.Topics.Input, rate: 1_000_000, count: warmUp, duration: null, seed: 41, population);
            }

            await GenerateAsync(kafka, settings.Topics.Input, rate: 1_000_000, count: messages, duration: null, seed: 42, population);
            var total = warmUp + messages;

            var passthroughRates = new List<double>();
            var detectorRates = new List<double>();
            for (var round = 1; round <= Rounds; round++)
            {
                // (a) the ceiling, in a consumer group of its own
                passthrough?.Dispose();
                passthrough = new Passthrough(kafka, settings.Topics.Input, settings.Topics.Legit, settings.Detector.MaxInFlightPerTopic);
                var current = passthrough;
                passthroughRates.Add(await MeasureAsync(() => current.Delivered, warmUp, total));

                // (b) the detector, every rule on: a node of its own each round (group, checkpoints, accounts)
                if (node is not null)
                {
                    await node.DisposeAsync();
                    connection!.Dispose();
                }

                settings = DetectorSettings(port, store, files);
                connection = await KafkaConnection.OpenAsync(settings);
                node = await DetectorNode.StartAsync(settings, connection, CancellationToken.None);
                var detector = node;
                detectorRates.Add(await MeasureAsync(() => detector.Stats.Total, warmUp, total));
                Console.WriteLine($"bench: round {round}: passthrough {passthroughRates[^1]:F0} msg/s, detector {detectorRates[^1]:F0} msg/s");
            }

            var passthroughRate = DetectorStats.Percentile([.. passthroughRates], passthroughRates.Count, 50);
            var detectorRate = DetectorStats.Percentile([.. detectorRates], detectorRates.Count, 50);

            // Latency at half of the detector's maximum, each contender alone on the same input (one seed), so that
            // neither shares the two cores with the other while it is measured; the generator (see LatencyLoadAsync) runs
            // during both. First the last round's detector (it is at the end of the input), then a passthrough that
            // starts at the end of the input.
            var rate = latencyRate ?? Math.Round(detectorRate / 2);
            passthrough!.Dispose();
            passthrough = null;
            using var pauses = new GcPauses();
            var cpu = new PhaseCpu();
            var measured = node!;
            await LatencyLoadAsync(kafka, port, settings.Topics.Input, rate, latencyPhase, generatorInProcess, population, pauses, cpu, measured.Stats.ResetLatencies);
            await Task.Delay(TimeSpan.FromSeconds(2)); // let the last records through
            var dt = Latency.Of(measured.Stats.Latencies(), pauses, cpu);
            await measured.DisposeAsync();
            node = null;

            passthrough = new Passthrough(kafka, settings.Topics.Input, settings.Topics.Legit, settings.Detector.MaxInFlightPerTopic, fromEnd: true);
            var alone = passthrough;
            await WaitUntilAsync(() => alone.Assigned, "the passthrough's partitions");
            await LatencyLoadAsync(kafka, port, settings.Topics.Input, rate, latencyPhase, generatorInProcess, population, pauses, cpu, alone.ResetLatencies);
            await Task.Delay(TimeSpan.FromSeconds(2));
            var pt = Latency.Of(passthrough.Latencies(), pauses, cpu);
            return new EndToEndResult(messages, Math.Round(passthroughRate), Math.Round(detectorRate), Math.Round(detectorRate / passthroughRate, 3),
                passthroughRates.Select(r => Math.Round(r)).ToList(), detectorRates.Select(r => Math.Round(r)).ToList(), rate, pt, dt);
        }
        finally
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }

            connection?.Dispose();
            passthrough?.Dispose();
            broker.Kill(entireProcessTree: true);
            foreach (var file in files)
            {
                DeleteDatabase(file);
            }
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"{what} were not assigned within 60 s");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>A detector's settings: a consumer group and a checkpoint file of its own (added to <paramref name="files"/>).</summary>
    internal static FraudSettings DetectorSettings(int port, string store, List<string> files)
    {
        var checkpoints = Path.Combine(Path.GetTempPath(), $"fraud-bench-{Guid.NewGuid():N}.db");
        files.Add(checkpoints);
        return FraudSettings.Bind(FraudSettings.LoadConfiguration(new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = $"127.0.0.1:{port}",
            // The mock holds fetches for fetch.wait.max.ms: keep it short, for both contenders alike.
            ["Kafka:Consumer:fetch.wait.max.ms"] = "10",
            ["Kafka:GroupId"] = "bench-detector-" + Guid.NewGuid().ToString("N"),
            // By default the single-node default store, in a file of this run's own: checkpoints are part of the cost.
            ["Checkpoints:Store"] = store,
            ["Checkpoints:ConnectionString"] = $"Data Source={checkpoints}",
            ["Dashboard:Urls"] = "http://127.0.0.1:0",
            // The whole latency phase (~1.3 million records at 60,000 msg/s), as the passthrough keeps.
            ["Dashboard:LatencySamples"] = Passthrough.LatencySamples.ToString(CultureInfo.InvariantCulture),
        }));
    }

    internal static void DeleteDatabase(string path)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// Warm-up records before the measured ones: as many, at most what the embedded broker keeps beside them (about
    /// 5 MiB per partition, some 240,000 of these records over 12 partitions; older ones are evicted).
    /// </summary>
    internal static long WarmUpFor(long messages) => Math.Max(0, Math.Min(messages, 200_000 - messages));

    /// <summary>Rate between the moment <paramref name="done"/> reaches <paramref name="from"/> and the moment it reaches <paramref name="to"/>.</summary>
    private static async Task<double> MeasureAsync(Func<long> done, long from, long to)
    {
        var clock = Stopwatch.StartNew();
        TimeSpan? start = null;
        long atStart = 0;
        while (done() < to)
        {
            if (start is null && done() >= from)
            {
                start = clock.Elapsed;
                atStart = done();
            }

            if (clock.Elapsed > TimeSpan.FromMinutes(3))
            {
                throw new TimeoutException($"only {done()} of {to} after 3 minutes");
            }

            await Task.Delay(5);
        }

        return (to - atStart) / (clock.Elapsed - (start ?? TimeSpan.Zero)).TotalSeconds;
    }

    /// <summary>Half a million accounts keep normal cards at a realistic pace even at the fill's rate.</summary>
    public const int DefaultPopulation = 500_000;

    // The latency phases' stream, the same for both contenders (the input's fill uses 41 and 42).
    private const int LatencySeed = 43;

    /// <summary>
    /// The latency phase's traffic: the generator at <paramref name="rate"/> for <paramref name="phase"/>. By default in
    /// a process of its own, as the producers upstream of a detector are: in this process its allocations (Bogus, JSON)
    /// were collected by the contender's GC, and the contender's pauses stopped it too.
    /// </summary>
    /// <param name="resetLatencies">Drops the contender's latencies so far (with <paramref name="pauses"/> and
    /// <paramref name="cpu"/>, at the end of the warm-up).</param>
    internal static async Task LatencyLoadAsync(KafkaSettings kafka, int port, string topic, double rate, TimeSpan phase, bool inProcess, int population,
        GcPauses pauses, PhaseCpu cpu, Action resetLatencies)
    {
        var load = GenerateLoadAsync(kafka, port, topic, rate, LatencyWarmUp + phase, inProcess, population);
        await Task.WhenAny(load, Task.Delay(LatencyWarmUp));
        resetLatencies();
        pauses.Reset();
        cpu.Reset();
        await load;
    }

    /// <summary>
    /// The load runs this long before a latency phase is measured, and the latencies, pauses and cores of that time are
    /// dropped: a new generator process compiles its code, and both contenders go from idle to the phase's rate. Until
    /// §11 the phase was measured from its first record, and the first fifth's p99 was the highest of the five
    /// for both contenders in nearly every run (the passthrough's 66–257 ms against 33–46 in its other fifths).
    /// </summary>
    private static readonly TimeSpan LatencyWarmUp = TimeSpan.FromSeconds(5);

    private static async Task GenerateLoadAsync(KafkaSettings kafka, int port, string topic, double rate, TimeSpan phase, bool inProcess, int population)
    {
        if (inProcess)
        {
            await GenerateAsync(kafka, topic, rate, count: null, duration: phase, seed: LatencySeed, population);
            return;
        }

        var generatorDll = Path.Combine(AppContext.BaseDirectory, "Fraud.Generator.dll");
        var count = (long)Math.Round(rate * phase.TotalSeconds);
        using var generator = Process.Start(new ProcessStartInfo("dotnet",
            [generatorDll, "--bootstrap", $"127.0.0.1:{port}", "--topic", topic, "--rate", rate.ToString(CultureInfo.InvariantCulture),
                "--count", count.ToString(CultureInfo.InvariantCulture), "--seed", LatencySeed.ToString(CultureInfo.InvariantCulture),
                "--accounts", population.ToString(CultureInfo.InvariantCulture), "--traffic", "clean"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        var output = await generator.StandardOutput.ReadToEndAsync();
        await generator.WaitForExitAsync();
        if (generator.ExitCode != 0)
        {
            throw new InvalidOperationException($"the generator exited with {generator.ExitCode}: {output.Trim()}");
        }

        Console.WriteLine($"bench: generator process: {output.Trim().Split('\n').LastOrDefault()}");
    }

    internal static async Task GenerateAsync(KafkaSettings kafka, string topic, double rate, long? count, TimeSpan? duration, int seed, int population)
    {
        using var producer = KafkaProducer.Create(kafka);
        using var stop = duration is null ? new CancellationTokenSource() : new CancellationTokenSource(duration.Value);
        var options = new GeneratorOptions { Topic = topic, Rate = rate, Count = count, Seed = seed, Accounts = population, Traffic = Traffic.Clean };
        var stats = await new GeneratorRunner(producer, options).RunAsync(stop.Token);
        Console.WriteLine($"bench: generated {stats.Produced} at {stats.AchievedRate:F0}/s");
    }

    internal static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
