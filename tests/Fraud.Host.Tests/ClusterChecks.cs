using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Fraud.Host.Tests;

/// <summary>What the cluster specs share: reading nodes' metrics, waiting for a condition, and the check of a run's outputs.</summary>
internal static partial class ClusterChecks
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);

    [GeneratedRegex(@"^(?<name>fraud_[a-z_]+)(\{(?<labels>[^}]*)\})? (?<value>\S+)$", RegexOptions.Multiline)]
    private static partial Regex Sample();

    /// <summary>
    /// Reads every output back and checks it against the input and against a single-process replay of the same input:
    /// nothing lost, duplicates identical, every verdict the one a failure-free run gives. Writes the figures (with
    /// <paramref name="recovery"/>, what the scenario measured of its recovery) to the test output and artifacts/cluster/.
    /// </summary>
    public static async Task<string> VerifyAsync(ITestOutputHelper output, string scenario, string bootstrap, int transactions, string recovery)
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
            $"dead letters {deadLetters}; {recovery}");
        output.WriteLine(figures);
        var folder = Path.Combine(FraudProcess.RepositoryRoot(), "artifacts", "cluster");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, scenario + ".txt"), figures + Environment.NewLine);

        Assert.Equal(transactions, inputs.Count);
        Assert.Equal(inputs.Count, inputs.Distinct().Count());
        Assert.True(lost.Count == 0, $"{figures}; lost e.g. {string.Join(", ", lost.Take(5))}");
        Assert.True(inconsistent.Count == 0, $"{figures}; e.g. {inconsistent.Select(i => i.Key + ": " + string.Join(" | ", i.Value)).FirstOrDefault()}");
        Assert.True(mismatched.Count == 0, $"{figures}; e.g. {mismatched.Select(m => $"{m.Key}: {string.Join(" | ", m.Value)} vs {reference[m.Key]}").FirstOrDefault()}");
        Assert.Equal(0, unknown);
        Assert.Equal(0, deadLetters);
        Assert.True(byId.Values.Count(v => v[0].StartsWith("fraud", StringComparison.Ordinal)) > 1_000, figures); // the windows were busy
        return figures;
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

    public static string Id(byte[] value)
    {
        using var json = JsonDocument.Parse(value);
        return json.RootElement.GetProperty("transactionId").GetString()!;
    }

    public static string Verdict(byte[] value)
    {
        using var json = JsonDocument.Parse(value);
        var verdict = json.RootElement.GetProperty("verdict");
        return Canonical(verdict.GetProperty("rules").GetArrayLength() > 0 ? "fraud" : "legit", verdict);
    }

    /// <summary>Outcome, score and each rule's id, observed value, limit and window: what a verdict decides.</summary>
    public static string Canonical(string outcome, JsonElement verdict)
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

    public sealed record Node(string Name, FraudProcess Process, string Url);

    public static async Task<Dictionary<(string, string), double>> MetricsAsync(HttpClient http, Node node)
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

    public static async Task<double> OwnedBy(HttpClient http, Node node) =>
        (await MetricsAsync(http, node)).GetValueOrDefault(("fraud_owned_partitions", ""));

    public static async Task<double> OwnedAsync(HttpClient http, IEnumerable<Node> nodes)
    {
        var owned = 0.0;
        foreach (var node in nodes)
        {
            owned += await OwnedBy(http, node);
        }

        return owned;
    }

    public static async Task<double> ScoredAsync(HttpClient http, IEnumerable<Node> nodes)
    {
        var scored = 0.0;
        foreach (var node in nodes)
        {
            scored += (await MetricsAsync(http, node)).Where(m => m.Key.Item1 == "fraud_transactions_total").Sum(m => m.Value);
        }

        return scored;
    }

    public static async Task<bool> EveryNodeOwnsSomeAsync(HttpClient http, IEnumerable<Node> nodes)
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
    public static async Task<(double Lag, int Partitions)> LagAsync(HttpClient http, IEnumerable<Node> nodes)
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

    public static Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? every = null) =>
        UntilAsync(condition, () => what, every);

    public static async Task UntilAsync(Func<Task<bool>> condition, Func<string> what, TimeSpan? every = null)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what()}");
            await Task.Delay(every ?? TimeSpan.FromMilliseconds(250));
        }
    }

    /// <summary>Each node's owned partitions and their lag, for a failure message.</summary>
    public static async Task<string> LagReportAsync(HttpClient http, IEnumerable<Node> nodes)
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
