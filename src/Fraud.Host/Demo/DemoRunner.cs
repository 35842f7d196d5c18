using System.Globalization;
using System.Text.Json;
using Fraud.Generator.Running;
using Fraud.Host.Configuration;
using Fraud.Host.Detection;
using Fraud.Host.Hosting;
using Fraud.Kafka.Producing;

namespace Fraud.Host.Demo;

/// <summary>
/// <c>fraud demo</c>: broker (embedded unless configured), generator and detector in one process, a status line every
/// second, and at the end one <c>summary: {json}</c> line scored against the generator's ground truth.
/// </summary>
public static class DemoRunner
{
    /// <param name="keepOpen">After the summary, keep the dashboard and <c>/metrics</c> up until Ctrl+C or SIGTERM.</param>
    public static async Task<int> RunAsync(FraudSettings settings, TimeSpan? duration, bool keepOpen, CancellationToken cancel)
    {
        if (settings.Checkpoints.Store.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            // A demo's traffic is made up for this run: its accounts are not worth keeping for the next one.
            settings.Checkpoints.Store = "memory";
        }

        using var kafka = await KafkaConnection.OpenAsync(settings);
        Console.WriteLine(kafka.IsEmbedded
            ? $"broker: embedded at {kafka.Settings.BootstrapServers} (for trying the product; production uses a real Kafka cluster)"
            : $"broker: {kafka.Settings.BootstrapServers}");
        var node = await DetectorNode.StartAsync(settings, kafka, cancel);
        Console.WriteLine($"detector: node {settings.NodeName} consuming {settings.Topics.Input}");

        using var producer = KafkaProducer.Create(kafka.Settings, message => Console.Error.WriteLine(message));
        var generator = new GeneratorRunner(producer, settings.Generator);
        using var stopGenerating = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        if (duration is { } limit)
        {
            stopGenerating.CancelAfter(limit);
        }

        var started = DateTimeOffset.UtcNow;
        var generating = generator.RunAsync(stopGenerating.Token);
        using var statusTimer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var status = Task.Run(async () =>
        {
            while (await statusTimer.WaitForNextTickAsync(CancellationToken.None))
            {
                PrintStatus(generator.Produced, node.Stats, started);
            }
        }, CancellationToken.None);

        GeneratorStats produced;
        try
        {
            produced = await generating;
            // Let the detector catch up with everything generated before summarizing (bounded).
            var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60);
            while (node.Stats.Total < produced.Produced && DateTimeOffset.UtcNow < deadline && !node.Pipeline.Completion.IsCompleted)
            {
                await Task.Delay(100, CancellationToken.None);
            }

            statusTimer.Dispose();
            await status;
            await node.StopPipelineAsync();
            PrintStatus(produced.Produced, node.Stats, started);
            Console.WriteLine("summary: " + JsonSerializer.Serialize(Summary(produced, node.Stats)));
            if (keepOpen && !cancel.IsCancellationRequested)
            {
                Console.WriteLine($"demo: finished; the dashboard stays at {node.DashboardUrl} until Ctrl+C");
                await Task.Delay(Timeout.Infinite, cancel).ContinueWith(_ => { }, CancellationToken.None);
            }
        }
        finally
        {
            statusTimer.Dispose();
            await status;
            await node.DisposeAsync();
        }

        if (node.Pipeline.Completion.IsFaulted)
        {
            Console.Error.WriteLine($"error: detector stopped: {node.Pipeline.Completion.Exception!.GetBaseException().Message}");
            return 1;
        }

        return 0;
    }

    private static void PrintStatus(long produced, DetectorStats stats, DateTimeOffset started)
    {
        var seconds = (DateTimeOffset.UtcNow - started).TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[{seconds,6:F1}s] produced {produced} legit {stats.Legit} fraud {stats.Fraud} review {stats.Review} dead-letter {stats.DeadLetter} lag {Math.Max(0, produced - stats.Total)} p99 {stats.LatencyPercentile(99):F1}ms"));
    }

    /// <summary>
    /// The closing figures: counts, ground-truth precision and recall of what was blocked or sent to review (overall and
    /// per scenario, with the misses), the false positives by rule and by the legit pattern behind them, latency, rule hits.
    /// </summary>
    public static Dictionary<string, object> Summary(GeneratorStats produced, DetectorStats stats)
    {
        var detectedInjected = stats.DetectedInjected.Values.Sum();
        var injected = produced.Injected;
        var perScenario = produced.InjectedByScenario.ToDictionary(
            s => s.Key,
            s => (object)new Dictionary<string, object>
            {
                ["injected"] = s.Value,
                ["detected"] = stats.DetectedInjected.GetValueOrDefault(s.Key),
                ["missed"] = s.Value - stats.DetectedInjected.GetValueOrDefault(s.Key),
                ["recall"] = Ratio(stats.DetectedInjected.GetValueOrDefault(s.Key), s.Value),
            });
        return new Dictionary<string, object>
        {
            ["produced"] = produced.Produced,
            ["legit"] = stats.Legit,
            ["fraud"] = stats.Fraud,
            ["review"] = stats.Review,
            ["deadLetter"] = stats.DeadLetter,
            ["injectedFraud"] = injected,
            ["detectedInjected"] = detectedInjected,
            ["precision"] = Ratio(detectedInjected, stats.Fraud + stats.Review),
            ["recall"] = Ratio(detectedInjected, injected),
            ["p50Ms"] = stats.LatencyPercentile(50),
            ["p99Ms"] = stats.LatencyPercentile(99),
            ["ruleHits"] = Sorted(stats.RuleHits),
            ["scenarios"] = perScenario,
            ["falsePositives"] = new Dictionary<string, object>
            {
                ["byRule"] = Sorted(stats.UnlabelledHits),
                ["byPattern"] = Sorted(stats.UnlabelledByPattern),
            },
            ["legitPatterns"] = Sorted(produced.LegitPatterns),
            ["traffic"] = produced.Traffic.ToString().ToLowerInvariant(),
            ["seed"] = produced.Seed,
            ["paceViolations"] = produced.PaceViolations,
        };
    }

    private static Dictionary<string, long> Sorted(IReadOnlyDictionary<string, long> counts) =>
        counts.OrderBy(c => c.Key, StringComparer.Ordinal).ToDictionary(c => c.Key, c => c.Value);

    private static double Ratio(long part, long whole) => whole == 0 ? 1.0 : Math.Round((double)part / whole, 4);
}
