using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Fraud.Host.Tests;

/// <summary><c>/metrics</c> after a demo run counts exactly what the demo's own summary counts.</summary>
public sealed partial class MetricsSpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [GeneratedRegex(@"^(?<name>[a-z_]+)(\{(?<labels>[^}]*)\})? (?<value>\S+)$", RegexOptions.Multiline)]
    private static partial Regex Sample();

    [Fact]
    public async Task Should_equal_the_demo_summary_counter_by_counter()
    {
        await using var demo = FraudProcess.Start("fraud.dll", ["demo", "--duration", "10", "--rate", "800", "--seed", "7", "--keep-open"]);
        var url = await demo.DashboardUrlAsync(Patience);
        var summaryLine = await demo.WaitForLineAsync("summary: ", Patience);
        using var summary = JsonDocument.Parse(summaryLine[(summaryLine.IndexOf('{'))..]);
        var root = summary.RootElement;
        long legit = root.GetProperty("legit").GetInt64(), fraud = root.GetProperty("fraud").GetInt64(), dead = root.GetProperty("deadLetter").GetInt64();
        Assert.True(legit > 1000 && fraud > 0, summaryLine);

        using var http = new HttpClient();
        var metrics = Parse(await http.GetStringAsync(url + "/metrics"));

        Assert.Equal(legit, metrics[("fraud_transactions_total", "outcome=\"legit\"")]);
        Assert.Equal(fraud, metrics[("fraud_transactions_total", "outcome=\"fraud\"")]);
        Assert.Equal(dead, metrics[("fraud_transactions_total", "outcome=\"dead_letter\"")]);
        Assert.Equal(legit, metrics[("fraud_records_out_total", "topic=\"streaming.transactions.legit\"")]);
        Assert.Equal(fraud, metrics[("fraud_records_out_total", "topic=\"streaming.transactions.fraud\"")]);
        Assert.Equal(legit + fraud + dead, metrics[("fraud_records_in_total", "topic=\"queueing.transactions\"")]);
        foreach (var rule in root.GetProperty("ruleHits").EnumerateObject())
        {
            Assert.Equal(rule.Value.GetInt64(), metrics[("fraud_rule_hits_total", $"rule=\"{rule.Name}\",version=\"1\",mode=\"active\"")]);
        }

        Assert.Equal(legit + fraud + dead, metrics[("fraud_processing_seconds_count", "")]);
        Assert.Equal(legit + fraud, metrics[("fraud_end_to_end_latency_seconds_count", "")]);
        Assert.True(metrics[("fraud_offsets_committed_total", "")] > 0);
        Assert.Equal(0, metrics[("fraud_commit_failures_total", "")]);
        Assert.Equal(1, metrics[("fraud_cluster_members", "status=\"Up\"")]);

        demo.Terminate();
        await demo.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(demo.ExitCode == 0, demo.Stdout + demo.Stderr);
    }

    private Dictionary<(string Name, string Labels), double> Parse(string text) =>
        Sample().Matches(text)
            .Where(m => m.Groups["name"].Value.StartsWith("fraud_", StringComparison.Ordinal))
            .ToDictionary(m => (m.Groups["name"].Value, m.Groups["labels"].Value), m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));
}
